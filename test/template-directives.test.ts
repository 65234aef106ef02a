/**
 * `eslint-disable…` directives written as SQL comments inside JS/TS templates and strings: ESLint sees a string
 * there, so the rules read them, with the semantics they have in `.sql` files (and in JS comments).
 */
import { Linter } from 'eslint';
import tsParser from '@typescript-eslint/parser';
import { describe, expect, it } from 'vitest';
import plugin from '../src/index.js';
import { SEED_SETTINGS } from './helpers/rule-tester.js';

const RULE = 'soft-delete/require-soft-delete-filter';

function lint(code: string): string[] {
  const linter = new Linter({ configType: 'flat' });
  return linter
    .verify(
      code,
      [
        {
          files: ['**/*.ts'],
          plugins: { 'soft-delete': plugin as never },
          languageOptions: { parser: tsParser as never, ecmaVersion: 2022, sourceType: 'module' },
          settings: SEED_SETTINGS,
          rules: { [RULE]: 'error', 'soft-delete/no-hard-delete': 'error' },
        },
      ],
      'src/queries.ts',
    )
    .map((m) => `${m.line}:${m.column} ${m.ruleId ?? m.message}`);
}

describe('SQL-comment directives inside TS templates', () => {
  it('an unfiltered read is reported without a directive (the baseline of the cases below)', () => {
    expect(lint('await sql`\n  SELECT * FROM users\n`;')).toEqual([`2:17 ${RULE}`]);
  });

  it.each([
    ['-- eslint-disable-next-line, on the line before', `await sql\`\n  -- eslint-disable-next-line ${RULE} -- the trash view\n  SELECT * FROM users\n\`;`],
    ['/* eslint-disable-next-line */ naming no rule (every rule)', 'await sql`\n  /* eslint-disable-next-line */\n  SELECT * FROM users\n`;'],
    ['-- eslint-disable-line, on the same line', `await sql\`SELECT * FROM users -- eslint-disable-line ${RULE}\n\`;`],
    ['in a string argument', `await db.query('SELECT * FROM users /* eslint-disable-line ${RULE} */');`],
    ['a rule list', `await sql\`\n  -- eslint-disable-next-line soft-delete/no-hard-delete, ${RULE}\n  SELECT * FROM users\n\`;`],
    ['/* eslint-disable */ to the end of the file', `await sql\`/* eslint-disable ${RULE} */ SELECT 1\`;\nawait sql\`SELECT * FROM users\`;`],
  ])('%s', (_, code) => {
    expect(lint(code)).toEqual([]);
  });

  it('disables only the rules it names, only where it applies', () => {
    // another rule named: still reported
    expect(lint('await sql`\n  -- eslint-disable-next-line soft-delete/no-hard-delete\n  SELECT * FROM users\n`;')).toEqual([`3:17 ${RULE}`]);
    // next-line covers one line only
    expect(lint(`await sql\`\n  -- eslint-disable-next-line ${RULE}\n\n  SELECT * FROM users\n\`;`)).toEqual([`4:17 ${RULE}`]);
    // disable … enable: what follows the enable is reported
    expect(
      lint(`await sql\`/* eslint-disable ${RULE} */ SELECT * FROM users /* eslint-enable ${RULE} */\`;\nawait sql\`SELECT * FROM organizations\`;`),
    ).toEqual([`2:25 ${RULE}`]);
    // a disable-line comment spanning lines is ignored (as ESLint does)
    expect(lint(`await sql\`SELECT * FROM users /* eslint-disable-line ${RULE}\n */\`;`)).toEqual([`1:25 ${RULE}`]);
  });

  it('the other rules read them too', () => {
    expect(lint('await db.query(`DELETE FROM users WHERE id = $1`);')).toEqual(['1:29 soft-delete/no-hard-delete']);
    expect(lint('await db.query(`-- eslint-disable-next-line soft-delete/no-hard-delete\nDELETE FROM users WHERE id = $1`);')).toEqual([]);
  });
});
