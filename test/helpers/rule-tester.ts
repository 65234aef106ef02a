import { RuleTester } from 'eslint';
import { afterAll, describe, it } from 'vitest';
import tsParser from '@typescript-eslint/parser';
import plugin from '../../src/index.js';

(RuleTester as unknown as { afterAll: typeof afterAll }).afterAll = afterAll;
RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

/** The seed fixture's migrations: users and organizations are soft-deletable, orders are not. */
export const SEED_SETTINGS = {
  'soft-delete': {
    schema: ['test/fixtures/seed/migrations/*.sql'],
    tables: { memberships: { active: 'valid_to IS NULL' } },
  },
};

/** DynamoDB tables declared soft-deletable: by a timestamp attribute (two spellings) and by a status value. */
export const DYNAMODB_SETTINGS = {
  'soft-delete': {
    schema: [],
    dynamodb: {
      tables: {
        Orders: { attribute: 'deleted_at' },
        Users: { attribute: 'status', deletedValue: 'deleted' },
        Sessions: { attribute: 'deletedAt' },
      },
    },
  },
};

/** RuleTester for `.sql` files through the plugin's SQL language. */
export function sqlRuleTester(settings: Record<string, unknown> = SEED_SETTINGS): RuleTester {
  return new RuleTester({
    plugins: { 'soft-delete': plugin as never },
    language: 'soft-delete/sql',
    settings,
  });
}

/** RuleTester for TypeScript files. */
export function tsRuleTester(settings: Record<string, unknown> = SEED_SETTINGS): RuleTester {
  return new RuleTester({
    plugins: { 'soft-delete': plugin as never },
    languageOptions: { parser: tsParser, ecmaVersion: 2022, sourceType: 'module' },
    settings,
  });
}
