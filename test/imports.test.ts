/**
 * Names and clients imported through non-relative specifiers: tsconfig `paths` aliases (with `extends` and the
 * JSONC dialect) and a workspace package linked into `node_modules` (npm/pnpm/yarn workspaces), whose source is
 * read from `src/` when its manifest points at `dist/`. Linted through the real ESLint class.
 */
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MODULE_MISS_TTL_MS, resolveModule } from '../src/extract/modules.js';
import { lintFixtureSrc } from './helpers/fixture-lint.js';

const project = fileURLToPath(new URL('./fixtures/imports-project', import.meta.url));
const link = join(project, 'node_modules/@acme/db');

beforeAll(() => {
  // the link a workspace install makes (node_modules is not committed)
  rmSync(join(project, 'node_modules'), { recursive: true, force: true });
  mkdirSync(join(project, 'node_modules/@acme'), { recursive: true });
  symlinkSync(join(project, 'packages/db'), link, 'dir');
});
afterAll(() => rmSync(join(project, 'node_modules'), { recursive: true, force: true }));

const lint = (): Promise<string[]> => lintFixtureSrc(project);

describe('non-relative imports', () => {
  it('resolves tsconfig paths (through extends), baseUrl and workspace packages to project files', () => {
    const from = join(project, 'src/invoices.ts');
    expect(resolveModule(from, '@/lib/tables')).toBe(join(project, 'src/lib/tables.ts'));
    expect(resolveModule(from, '#tables')).toBe(join(project, 'src/lib/tables.ts'));
    expect(resolveModule(from, 'src/lib/tables')).toBe(join(project, 'src/lib/tables.ts')); // baseUrl
    expect(resolveModule(from, '@acme/db')).toBe(join(project, 'packages/db/src/index.ts')); // dist/ → src/
    expect(resolveModule(from, '@acme/missing')).toBeNull();
    expect(resolveModule(from, 'node:fs')).toBeNull();
  });

  it('looks a missing module up again once MODULE_MISS_TTL_MS has passed: an editor may create the file later', () => {
    const from = join(project, 'src/invoices.ts');
    const later = join(project, 'src/lib/later.ts');
    rmSync(later, { force: true });
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      expect(resolveModule(from, '@/lib/later')).toBeNull();
      writeFileSync(later, "export const LaterTable = 'later';\n");
      expect(resolveModule(from, '@/lib/later')).toBeNull(); // within the window the miss is remembered (no stats)
      vi.advanceTimersByTime(MODULE_MISS_TTL_MS + 1);
      expect(resolveModule(from, '@/lib/later')).toBe(later);
    } finally {
      vi.useRealTimers();
      rmSync(later, { force: true });
    }
  });

  it('reads table names and clients across aliases and workspace packages, squiggle on the name', async () => {
    expect(await lint()).toEqual([
      'src/invoices.ts:11 missing Tables.Orders',
      'src/invoices.ts:15 missing Table.Customers',
      'src/invoices.ts:7 missing InvoicesTable',
    ]);
  }, 120_000);
});
