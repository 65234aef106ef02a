/**
 * Builder and ORM writes through the real ESLint class: no-hard-delete and no-tombstone-update see them because
 * every front end lowers its writes into the statement model SQL writes use (one check per rule, whatever the source).
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import tsParser from '@typescript-eslint/parser';
import { describe, expect, it } from 'vitest';
import plugin from '../src/index.js';
import { clearSchemaCache } from '../src/schema/load.js';

const project = join(fileURLToPath(new URL('.', import.meta.url)), 'fixtures', 'builder-writes');

async function lintProject(): Promise<string[]> {
  clearSchemaCache();
  const eslint = new ESLint({
    cwd: project,
    overrideConfigFile: true,
    overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tsParser } }, ...plugin.configs.strict],
  });
  const results = await eslint.lintFiles(['src']);
  return results
    .flatMap((r) => {
      const lines = readFileSync(r.filePath, 'utf8').split('\n');
      return r.messages.map((m) => {
        const line = lines[m.line - 1] ?? '';
        const squiggle = m.endLine === m.line ? line.slice(m.column - 1, (m.endColumn ?? m.column) - 1) : '…';
        return `${relative(project, r.filePath)}:${m.line} ${m.ruleId} ${squiggle}`;
      });
    })
    .sort();
}

describe('builder and ORM writes, linted end to end', () => {
  it('reports hard deletes and tombstone updates at the table name; soft deletes, purges and filtered updates pass', async () => {
    expect(await lintProject()).toEqual([
      'src/knex-writes.ts:10 soft-delete/no-tombstone-update users',
      'src/knex-writes.ts:6 soft-delete/no-hard-delete users',
      'src/kysely-writes.ts:10 soft-delete/no-tombstone-update users',
      // RETURNING hands the touched rows back: reported once, by the read rule
      'src/kysely-writes.ts:14 soft-delete/require-soft-delete-filter users',
      'src/kysely-writes.ts:6 soft-delete/no-hard-delete users',
      'src/objection-writes.ts:12 soft-delete/no-tombstone-update User',
      'src/objection-writes.ts:8 soft-delete/no-hard-delete User',
    ]);
  });
});
