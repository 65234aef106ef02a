/**
 * Typed linting: with `parserOptions.projectService`, clients are recognised by their type (a knex reached through
 * an interface property, a client passed through a generic helper, a class that extends PrismaClient, a postgres.js
 * instance exported by another module), and table names by their string-literal types (constants and a model's
 * `static tableName` declared by a published package). The same project linted without types is the twin: what it still finds is
 * what bindings alone can see. Both through the real ESLint class.
 */
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import tsParser from '@typescript-eslint/parser';
import plugin from '../src/index.js';
import { squiggleLines } from './helpers/fixture-lint.js';
import { clearSchemaCache } from '../src/schema/load.js';
import { moduleSpecifier } from '../src/js/types.js';
import { kindOfTypes } from '../src/extract/clients.js';

const project = fileURLToPath(new URL('./fixtures/typed-project', import.meta.url));

async function lint(typed: boolean): Promise<string[]> {
  clearSchemaCache();
  const eslint = new ESLint({
    cwd: project,
    overrideConfigFile: true,
    overrideConfig: [
      {
        files: ['**/*.ts'],
        languageOptions: {
          parser: tsParser,
          parserOptions: typed ? { projectService: true, tsconfigRootDir: project } : {},
        },
      },
      ...plugin.configs.recommended,
    ],
  });
  return squiggleLines(await eslint.lintFiles(['src']), project, (m) => `${m.ruleId ?? ''} ${m.messageId ?? m.message}`);
}

describe('typed linting (parserServices.program) and its untyped twin', () => {
  /** Reached only through a type: an interface property, a generic helper. */
  const typedOnly = [
    // constants and an Objection model whose only source is their declared type (a published package's typings)
    'src/typed-constants.ts:10 soft-delete/require-soft-delete-filter missing Tables.Customers',
    'src/typed-constants.ts:15 soft-delete/require-soft-delete-filter missing Account',
    'src/typed-constants.ts:6 soft-delete/require-soft-delete-filter missing InvoicesTable',
    'src/typed-only.ts:15 soft-delete/require-soft-delete-filter missing customers',
    'src/typed-only.ts:5 soft-delete/require-soft-delete-filter missing invoices',
  ];
  /** Known by binding, in this file or by following the import to the module that made the client. */
  const byBinding = [
    'src/imported.ts:11 soft-delete/require-soft-delete-filter missing customers',
    'src/imported.ts:15 soft-delete/require-soft-delete-filter missing invoices',
    'src/imported.ts:22 soft-delete/require-soft-delete-filter missing user',
    'src/imported.ts:6 soft-delete/require-soft-delete-filter missing customers',
    'src/local.ts:7 soft-delete/require-soft-delete-filter missing users',
  ];

  it('with types: every client is known by its type, wherever it comes from', async () => {
    expect(await lint(true)).toEqual([...byBinding, ...typedOnly].sort());
  }, 120_000);

  it('without types: what bindings show, here and in the modules imported; the difference is exactly what types add', async () => {
    expect(await lint(false)).toEqual(byBinding);
  }, 120_000);
});

describe('where a type is declared', () => {
  it('names the package under node_modules, @types included, and keeps project paths', () => {
    expect(moduleSpecifier('/p/node_modules/knex/types/index')).toBe('knex');
    expect(moduleSpecifier('/p/node_modules/.prisma/client/index')).toBe('.prisma/client');
    expect(moduleSpecifier('/p/node_modules/@types/pg/index')).toBe('pg');
    expect(moduleSpecifier('/p/node_modules/@types/slonik__types/index')).toBe('@slonik/types');
    expect(moduleSpecifier('/p/node_modules/.pnpm/kysely@0.27.0/node_modules/kysely/dist/esm/kysely')).toBe('kysely');
    expect(moduleSpecifier('/p/src/generated/prisma/index')).toBe('/p/src/generated/prisma/index');
  });

  it('classifies a type as a client only when its name and its library agree', () => {
    expect(kindOfTypes([{ module: 'knex', name: 'Knex' }])).toBe('knex');
    expect(kindOfTypes([{ module: '/p/src/db', name: 'PrismaService' }, { module: '.prisma/client', name: 'PrismaClient' }])).toBe('prisma');
    expect(kindOfTypes([{ module: 'postgres', name: 'Sql' }])).toBe('postgres');
    expect(kindOfTypes([{ module: '/p/src/db', name: 'Knex' }])).toBeNull(); // a project type that happens to be called Knex
    expect(kindOfTypes([{ module: 'kysely', name: 'Knex' }])).toBeNull();
  });
});
