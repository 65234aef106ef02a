/**
 * `settings["soft-delete"]` is validated against its JSON schema: a misspelt key or a wrong type is a configuration
 * error naming the exact key (with a "did you mean"), never a setting silently ignored.
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import plugin from '../src/index.js';
import { settingsProblems } from '../src/settings.js';

describe('settingsProblems', () => {
  it('accepts every documented setting', () => {
    expect(
      settingsProblems({
        schema: ['migrations/**/*.sql', 'src/migrations/*.ts'],
        columns: ['deleted_at', 'deletedAt'],
        tables: {
          features: { column: 'archived_at' },
          dataset_items: { active: 'valid_to IS NULL' },
          audit_log: false,
          tenants: { allowFullUnique: true },
        },
        tags: ['db.sql'],
        functions: ['runQuery'],
        searchPath: ['public'],
        trustRls: false,
        prismaClient: true,
        drizzle: true,
      }),
    ).toEqual([]);
    expect(settingsProblems({ schema: 'db/*.sql' })).toEqual([]);
    expect(settingsProblems(undefined)).toEqual([]);
    expect(settingsProblems({})).toEqual([]);
  });

  it('names a misspelt key and suggests the right one', () => {
    expect(settingsProblems({ shcema: ['db/*.sql'] })).toEqual(['settings["soft-delete"].shcema is not a setting (did you mean "schema"?).']);
    expect(settingsProblems({ colums: ['removed_at'] })).toEqual(['settings["soft-delete"].colums is not a setting (did you mean "columns"?).']);
    expect(settingsProblems({ tables: { users: { colum: 'removed_at' } } })).toEqual([
      'settings["soft-delete"].tables.users.colum is not a setting (did you mean "column"?).',
    ]);
    expect(settingsProblems({ tables: { 'app.users': { allowFullUniques: true } } })).toEqual([
      'settings["soft-delete"].tables["app.users"].allowFullUniques is not a setting (did you mean "allowFullUnique"?).',
    ]);
    expect(settingsProblems({ somethingElse: 1 })).toEqual(['settings["soft-delete"].somethingElse is not a setting.']);
  });

  it('names a value of the wrong type', () => {
    expect(settingsProblems({ schema: 42 })).toEqual(['settings["soft-delete"].schema must be a glob or an array of globs, got 42.']);
    expect(settingsProblems({ columns: 'deleted_at' })).toEqual([
      'settings["soft-delete"].columns must be an array of strings, got "deleted_at".',
    ]);
    expect(settingsProblems({ columns: ['deleted_at', 7] })).toEqual(['settings["soft-delete"].columns[1] must be a string, got 7.']);
    expect(settingsProblems({ tables: { users: 'archived_at' } })).toEqual([
      'settings["soft-delete"].tables.users must be false or { column, active, allowFullUnique }, got "archived_at".',
    ]);
    expect(settingsProblems({ trustRls: 'yes' })).toEqual(['settings["soft-delete"].trustRls must be a boolean, got "yes".']);
    expect(settingsProblems(42)).toEqual(['settings["soft-delete"] must be an object, got 42.']);
  });

  it('lists every problem at once', () => {
    expect(settingsProblems({ shcema: 'x', drizzle: 1 })).toHaveLength(2);
  });
});

describe('through ESLint', () => {
  const lint = (settings: unknown) =>
    new ESLint({
      cwd: process.cwd(),
      overrideConfigFile: true,
      overrideConfig: [...plugin.configs.recommended, { settings: { 'soft-delete': settings } }],
    }).lintText('SELECT id FROM users;\n', { filePath: 'query.sql' });

  it('stops with a configuration error that names the key', { timeout: 60_000 }, async () => {
    await expect(lint({ shcema: ['test/fixtures/seed/migrations/*.sql'] })).rejects.toThrow(
      /Invalid settings\["soft-delete"\]:\n\t- settings\["soft-delete"\]\.shcema is not a setting \(did you mean "schema"\?\)\./,
    );
  });

  it('lints as usual with valid settings', { timeout: 60_000 }, async () => {
    const [result] = await lint({ schema: ['test/fixtures/seed/migrations/*.sql'] });
    expect(result!.messages.map((m) => m.ruleId)).toEqual(['soft-delete/require-soft-delete-filter']);
  });
});
