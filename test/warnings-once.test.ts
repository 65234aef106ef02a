/**
 * `eslint --concurrency=N` lints in worker threads, each loading the plugin afresh: the schema warnings must still
 * be printed once per run, not once per worker. Runs the real ESLint CLI on a project without a schema, against
 * the built plugin (npm test builds before it runs the tests).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const dist = fileURLToPath(new URL('../dist/src/index.js', import.meta.url));
const require = createRequire(import.meta.url);

describe('schema warnings', () => {
  it('are printed, and schema-status reported, once per run with --concurrency=3', () => {
    expect(existsSync(dist), 'run `npm run build` first').toBe(true);
    const project = realpathSync(mkdtempSync(join(tmpdir(), 'soft-delete-concurrency-')));
    try {
      writeFileSync(
        join(project, 'eslint.config.mjs'),
        `import tsParser from ${JSON.stringify(require.resolve('@typescript-eslint/parser'))};\n` +
          `import plugin from ${JSON.stringify(dist)};\n` +
          `export default [{ files: ['**/*.ts'], languageOptions: { parser: tsParser } }, ...plugin.configs.recommended];\n`,
      );
      for (let i = 0; i < 12; i++) writeFileSync(join(project, `f${i}.ts`), `await sql\`SELECT * FROM users WHERE id = \${${i}}\`;\n`);
      const eslint = join(require.resolve('eslint/package.json'), '..', 'bin', 'eslint.js');
      const result = spawnSync(process.execPath, [eslint, '--concurrency=3', '.'], { cwd: project, encoding: 'utf8' });
      expect(result.stderr).toMatch(/no schema found/);
      expect(result.stderr.match(/no schema found/g)).toHaveLength(1);
      // and the schema-status report is made once, by the first thread that claims the project (one per thread before)
      expect(result.stdout.match(/soft-delete\/schema-status/g)).toHaveLength(1);
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  }, 120_000);
});
