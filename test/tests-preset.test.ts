/**
 * `configs.tests`: the plugin's rules off in tests, fixtures and seeds, through the real ESLint class, after
 * `recommended` and after `strict`; product code next to them is still checked.
 */
import { fileURLToPath } from 'node:url';
import tsParser from '@typescript-eslint/parser';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import plugin from '../src/index.js';

const project = fileURLToPath(new URL('./fixtures/prisma-project/', import.meta.url));
const LEAK = 'export const rows = await prisma.user.findMany({ where: { email: "a" } });\n';
const RAW = 'SELECT id FROM users WHERE email = $1;\n';

async function ruleIds(config: 'recommended' | 'strict', file: string, code: string): Promise<string[]> {
  const eslint = new ESLint({
    cwd: project,
    overrideConfigFile: true,
    overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tsParser } }, ...plugin.configs[config], ...plugin.configs.tests],
  });
  const [result] = await eslint.lintText(code, { filePath: `${project}${file}` });
  return result!.messages.map((m) => m.ruleId ?? m.message);
}

describe('configs.tests', () => {
  it.each([
    'src/users.test.ts',
    'src/users.spec.ts',
    'src/__tests__/users.ts',
    'test/users.ts',
    'tests/e2e/users.ts',
    'test/fixtures/app/users.ts',
    'prisma/seed.ts',
    'db/seeds/001_users.ts',
    'src/__mocks__/db.ts',
  ])('turns the rules off in %s', async (file) => {
    expect(await ruleIds('recommended', file, LEAK)).toEqual([]);
    expect(await ruleIds('strict', file, LEAK)).toEqual([]);
  });

  it('turns them off for .sql files under test folders too', async () => {
    expect(await ruleIds('recommended', 'test/queries/users.sql', RAW)).toEqual([]);
    expect(await ruleIds('recommended', 'src/queries/users.sql', RAW)).toEqual(['soft-delete/require-soft-delete-filter']);
  });

  it('leaves product code checked', async () => {
    expect(await ruleIds('recommended', 'src/users.ts', LEAK)).toEqual(['soft-delete/require-soft-delete-filter']);
    expect(await ruleIds('recommended', 'src/testing-utils.ts', LEAK)).toEqual(['soft-delete/require-soft-delete-filter']);
  });
});
