import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import tsParser from '@typescript-eslint/parser';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import plugin from '../src/index.js';
import { clearSchemaCache } from '../src/schema/load.js';
import { tsRuleTester } from './helpers/rule-tester.js';
import rule from '../rules/no-unchecked-query.js';

const dir = fileURLToPath(new URL('./fixtures/unchecked-project/', import.meta.url));

async function lint(config: typeof plugin.configs.recommended): Promise<string[]> {
  clearSchemaCache();
  const eslint = new ESLint({ cwd: dir, overrideConfigFile: true, overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tsParser } }, ...config] });
  const results = await eslint.lintFiles(['.']);
  return results.flatMap((r) => r.messages.map((m) => `${relative(dir, r.filePath)}:${m.line}:${m.column} ${m.ruleId} ${m.messageId ?? ''}`)).sort();
}

describe('soft-delete/no-unchecked-query', () => {
  it('is off in recommended and a warning in strict', () => {
    expect(plugin.configs.recommended.some((c) => c.rules?.['soft-delete/no-unchecked-query'] !== undefined)).toBe(false);
    expect(plugin.configs.strict.map((c) => c.rules?.['soft-delete/no-unchecked-query'])).toContain('warn');
  });

  it('lists the queries that could not be checked in a fixture project (strict), and nothing in recommended', async () => {
    expect(await lint(plugin.configs.strict)).toEqual([
      'src/users.ts:3:67 soft-delete/no-unchecked-query parseError',
      'src/users.ts:5:61 soft-delete/no-unchecked-query unknownFilter',
    ]);
    expect((await lint(plugin.configs.recommended)).filter((m) => m.includes('no-unchecked-query'))).toEqual([]);
  });
});

tsRuleTester({ 'soft-delete': { tables: { users: { column: 'deleted_at' } } } }).run('no-unchecked-query', rule as never, {
  valid: [
    'sql`SELECT id FROM users WHERE deleted_at IS NULL AND ${cond}`;',
    'sql`SELECT id FROM orders WHERE ${cond}`;',
    "pool.query('SELECT 1');",
  ],
  invalid: [
    {
      code: 'sql`SELECT id FROM users u WHERE ${cond}`;',
      errors: [{ messageId: 'unknownFilter', data: { table: 'users' }, line: 1, column: 20 }],
    },
    {
      code: "pool.query('SELECT * FROM users WHERE (');",
      errors: [{ messageId: 'parseError' }],
    },
  ],
});
