/**
 * Temporary project folders for tests: made from a map of relative paths to texts, removed together by
 * `removeTempProjects` (call it from `afterEach` or `afterAll`).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];

/** A new folder under the OS temp directory holding `files` (relative path → text). */
export function tempProject(prefix: string, files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  for (const [name, text] of Object.entries(files)) writeProjectFile(dir, name, text);
  return dir;
}

/** Writes `text` at `name` (relative to `dir`), making its folders. */
export function writeProjectFile(dir: string, name: string, text: string): void {
  const file = join(dir, name);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, text);
}

/** Removes every folder `tempProject` made so far. */
export function removeTempProjects(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}
