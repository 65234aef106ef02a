import { readFileSync } from 'node:fs';
import rule from '../../rules/require-soft-delete-cascade.js';
import { sqlRuleTester } from '../helpers/rule-tester.js';

const TABLES = `CREATE TABLE teams (id int PRIMARY KEY, deleted_at timestamptz);
CREATE TABLE members (id int PRIMARY KEY, team_id int REFERENCES teams(id), deleted_at timestamptz);
`;
const FUNCTION = `CREATE FUNCTION cascade_team() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN UPDATE members SET deleted_at = NEW.deleted_at WHERE team_id = NEW.id AND deleted_at IS NULL; RETURN NEW; END $$;
`;
const trigger = (when: string) =>
  `CREATE TRIGGER teams_cascade AFTER UPDATE OF deleted_at ON teams FOR EACH ROW ${when} EXECUTE FUNCTION cascade_team();`;
const at = { line: 2, column: 66, endColumn: 71 };

sqlRuleTester().run('require-soft-delete-cascade (one file)', rule as never, {
  valid: [
    { filename: 'a.sql', code: TABLES + FUNCTION + trigger('WHEN (OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL)') },
    // A trigger function defined elsewhere (unknown body) is trusted.
    { filename: 'a.sql', code: TABLES + trigger('WHEN (old.deleted_at IS NULL AND new.deleted_at IS NOT NULL)').replace('cascade_team', 'elsewhere') },
    // The child is not soft-deletable: nothing to cascade.
    { filename: 'a.sql', code: 'CREATE TABLE teams (id int PRIMARY KEY, deleted_at timestamptz);\nCREATE TABLE audit (id int, team_id int REFERENCES teams(id));' },
  ],
  invalid: [
    { filename: 'a.sql', code: TABLES, errors: [{ messageId: 'noTrigger', ...at, data: { child: 'members', parent: 'teams', column: 'deleted_at', trigger: '' } }] },
    { filename: 'a.sql', code: TABLES + FUNCTION + trigger(''), errors: [{ messageId: 'noWhen', ...at }] },
    {
      filename: 'a.sql',
      code: TABLES + FUNCTION + trigger('WHEN (OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL)'),
      errors: [{ messageId: 'invertedWhen', ...at }],
    },
    // A trigger whose function does not touch the child does not cascade to it.
    {
      filename: 'a.sql',
      code: TABLES + FUNCTION.replace('UPDATE members', 'UPDATE other_table') + trigger('WHEN (OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL)'),
      errors: [{ messageId: 'noTrigger', ...at }],
    },
    {
      filename: 'a.sql',
      code: 'CREATE TABLE teams (id int PRIMARY KEY, deleted_at timestamptz);\nALTER TABLE users ADD COLUMN team_id int REFERENCES teams(id) ON DELETE CASCADE;',
      errors: [{ messageId: 'deleteCascadeOnly', line: 2, column: 53, data: { child: 'users', parent: 'teams', column: 'deleted_at', trigger: '' } }],
    },
  ],
});

// End of history: the trigger comes in a later migration.
const fixture = 'test/fixtures/cascade/migrations/001_schema.sql';
sqlRuleTester({ 'soft-delete': { schema: ['test/fixtures/cascade/migrations/*.sql'] } }).run('require-soft-delete-cascade (migrations)', rule as never, {
  valid: [{ filename: 'test/fixtures/cascade/migrations/002_cascade.sql', code: readFileSync(new URL('../fixtures/cascade/migrations/002_cascade.sql', import.meta.url), 'utf8') }],
  invalid: [
    {
      filename: fixture,
      code: readFileSync(new URL('../fixtures/cascade/migrations/001_schema.sql', import.meta.url), 'utf8'),
      // posts is cascaded by the trigger of 002; api_keys is not (ON DELETE CASCADE does not see soft deletes).
      errors: [{ messageId: 'deleteCascadeOnly', line: 3, column: 67, endColumn: 72 }],
    },
  ],
});
