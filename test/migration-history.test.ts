/**
 * A migration history linted end to end through the real ESLint class: the end of history decides, DDL kept in
 * arrays is linted, rollback code is not, and reads inside migrations (backfills) are left alone.
 */
import { fileURLToPath } from 'node:url';
import { relative } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import plugin from '../src/index.js';

const cwd = fileURLToPath(new URL('./fixtures/migration-history/', import.meta.url));

describe('a migration history', () => {
  it('reports exactly what is wrong at the end of history', async () => {
    const eslint = new ESLint({ cwd, overrideConfigFile: true, overrideConfig: [...plugin.configs.recommended] });
    const results = await eslint.lintFiles(['.']);
    const found = results
      .flatMap((r) => r.messages.map((m) => `${relative(cwd, r.filePath)}:${m.line}:${m.column} ${m.ruleId ?? m.message}`))
      .sort();
    expect(found).toEqual([
      // the full UNIQUE on teams.slug, inside the array
      'migrations/002_teams.js:3:54 soft-delete/require-partial-unique-index',
      // the view over teams that hides deleted_at, inside the array
      'migrations/002_teams.js:4:47 soft-delete/require-stream-table-filter',
      // application code: the filtered view is fine, the leaking view is reported at its definition only,
      // and the same backfill outside a migration is a read like any other
      'src/app.js:3:86 soft-delete/require-soft-delete-filter',
    ]);
  });
});
