/**
 * The built plugin loaded the way a CommonJS config loads it: `require()` in a fresh Node process. A top-level
 * `await` anywhere in the plugin's module graph makes this throw ERR_REQUIRE_ASYNC_MODULE.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

function node(script: string): string {
  return execFileSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('require() of the built plugin', () => {
  beforeAll(() => {
    if (!existsSync(new URL('../dist/src/index.js', import.meta.url))) {
      throw new Error('dist/ is missing: run `npm run build` (npm test does it) before this test.');
    }
  });

  it('returns the plugin object: meta, rules, the SQL language and the recommended config', { timeout: 60_000 }, () => {
    const out = node(`
      const plugin = require('eslint-plugin-soft-delete');
      console.log(JSON.stringify({
        name: plugin.meta.name,
        rules: Object.keys(plugin.rules).length > 0,
        language: typeof plugin.languages.sql.parse,
        configs: plugin.configs.recommended.map((c) => c.name),
      }));`);
    expect(JSON.parse(out)).toEqual({
      name: 'eslint-plugin-soft-delete',
      rules: true,
      language: 'function',
      configs: ['soft-delete/recommended', 'soft-delete/recommended/sql'],
    });
  });

  it('the parser is ready before the first I/O callback, and the named export parserLoaded() makes a synchronous Linter safe', { timeout: 60_000 }, () => {
    const out = node(`
      const { Linter } = require('eslint');
      const plugin = require('eslint-plugin-soft-delete');
      const lint = () => new Linter().verify('CREATE UNIQUE INDEX users_email_key ON users (email);', [
        ...plugin.configs.recommended,
        { settings: { 'soft-delete': { tables: { users: { column: 'deleted_at' } } } } },
      ], 'a.sql').map((m) => m.ruleId + ':' + m.line + ':' + m.column);
      let sameTick;
      try { lint(); sameTick = 'linted'; } catch (error) { sameTick = /still loading/.test(error.message) ? 'still loading' : error.message; }
      setImmediate(() => {
        const afterIo = lint();
        import('eslint-plugin-soft-delete').then((esm) => esm.parserLoaded()).then(() => console.log(JSON.stringify({ sameTick, afterIo, afterAwait: lint(), instantiate: WebAssembly.instantiate.name })));
      });`);
    const result = JSON.parse(out) as { sameTick: string; afterIo: string[]; afterAwait: string[]; instantiate: string };
    expect(result.sameTick).toBe('still loading');
    expect(result.afterIo).toEqual(['soft-delete/require-partial-unique-index:1:8']);
    expect(result.afterAwait).toEqual(result.afterIo);
    // The synchronous WebAssembly.instantiate used for libpg-query's load is gone once it is loaded.
    expect(result.instantiate).toBe('instantiate');
  });
});
