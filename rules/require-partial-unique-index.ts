/**
 * require-partial-unique-index: on a soft-delete table, uniqueness must hold among live rows only —
 * `CREATE UNIQUE INDEX … WHERE deleted_at IS NULL`. A full UNIQUE keeps a soft-deleted row's value taken forever
 * (a deleted user can never re-register), and adding `deleted_at` mid-production without replacing the old UNIQUE
 * constraints is the usual way to get there.
 */
import path from 'node:path';
import { createRule, fixOf, locOf, onFile, softDeleteSource } from '../src/rule-support.js';
import { checkUniques, type UniqueFindingKind, type UniqueSuggestion } from '../src/analysis/uniques.js';

export type MessageIds =
  | 'fullUnique'
  | 'partialNotActive'
  | 'invertedPredicate'
  | 'nullsDistinct'
  | 'flagInKey'
  | 'addedSoftDelete'
  | 'onConflictNeedsWhere'
  | 'onConflictOnIndex'
  | 'addWhere'
  | 'extendPredicate'
  | 'fixPredicate'
  | 'rewriteAsIndex'
  | 'replaceInMigration'
  | 'addConflictWhere'
  | 'useIndexColumns';

const MESSAGE: Record<UniqueFindingKind, MessageIds> = {
  'full-unique': 'fullUnique',
  'partial-not-active': 'partialNotActive',
  'inverted-predicate': 'invertedPredicate',
  'nulls-distinct': 'nullsDistinct',
  'flag-in-key': 'flagInKey',
  'added-soft-delete': 'addedSoftDelete',
  'on-conflict-needs-where': 'onConflictNeedsWhere',
  'on-conflict-on-index': 'onConflictOnIndex',
};

const SUGGESTION: Record<UniqueSuggestion, MessageIds> = {
  'add-where': 'addWhere',
  'extend-predicate': 'extendPredicate',
  'fix-predicate': 'fixPredicate',
  'rewrite-as-index': 'rewriteAsIndex',
  'replace-in-migration': 'replaceInMigration',
  'add-conflict-where': 'addConflictWhere',
  'use-index-columns': 'useIndexColumns',
};

export default createRule<[], MessageIds>({
  name: 'require-partial-unique-index',
  meta: {
    type: 'problem',
    docs: {
      description:
        'Require uniques on soft-delete tables to be partial unique indexes over live rows (`WHERE deleted_at IS NULL`)',
      recommended: true,
      requiresSchema: true,
    },
    hasSuggestions: true,
    schema: [],
    messages: {
      fullUnique:
        '{{what}} on `{{table}}` ({{columns}}) also covers soft-deleted rows: a deleted value can never be reused; follow-up migration: {{followUp}}',
      partialNotActive:
        '{{what}} on `{{table}}` ({{columns}}): `WHERE {{where}}` does not exclude soft-deleted rows, so they still block new ones; follow-up migration: {{followUp}}',
      invertedPredicate:
        '{{what}} on `{{table}}` ({{columns}}) covers only soft-deleted rows (`WHERE {{where}}`), not live ones; follow-up migration: {{followUp}}',
      nullsDistinct:
        '`{{column}}` in the key of {{what}} on `{{table}}`: NULLs are distinct, so live rows never conflict; follow-up migration: {{followUp}}',
      flagInKey:
        '`{{column}}` in the key of {{what}} on `{{table}}`: only one deleted row per value can exist, so a second soft delete fails; follow-up migration: {{followUp}}',
      addedSoftDelete:
        'Adding `{{column}}` makes `{{table}}` soft-deletable, but {{uniques}} still cover(s) soft-deleted rows; replace them in this migration (or a follow-up one if it has run): {{followUp}}',
      onConflictNeedsWhere:
        'ON CONFLICT ({{columns}}) on `{{table}}` cannot use the partial unique index `{{name}}` without its predicate, and no other unique matches: PostgreSQL raises "there is no unique or exclusion constraint matching the ON CONFLICT specification". Write `ON CONFLICT ({{columns}}) WHERE {{where}}`.',
      onConflictOnIndex:
        'ON CONFLICT ON CONSTRAINT `{{name}}` on `{{table}}`: `{{name}}` is a unique index, not a constraint, so PostgreSQL raises "constraint does not exist". Name its columns instead: `ON CONFLICT {{target}}`.',
      addWhere: 'Make the index partial: add `WHERE {{filter}}` (only in a migration that has not run yet).',
      extendPredicate: 'Add `AND {{filter}}` to the index predicate (only in a migration that has not run yet).',
      fixPredicate: 'Replace the predicate with `{{filter}}` (only in a migration that has not run yet).',
      rewriteAsIndex:
        'Replace the constraint with the partial unique index `{{index}}` (only in a migration that has not run yet).',
      replaceInMigration: 'Replace the uniques with partial unique indexes in this migration, after adding `{{column}}`.',
      addConflictWhere: 'Add `WHERE {{where}}` to the conflict target.',
      useIndexColumns: 'Use `ON CONFLICT {{target}}`.',
    },
  },
  defaultOptions: [],
  create(context) {
    const file = path.resolve(context.cwd, context.filename);
    return onFile(context, (analysis, report) => {
      const findings = checkUniques(analysis.statements, analysis.context, file, analysis.reads);
      for (const f of findings) {
        report({
          loc: locOf(context, f.fragment, f.start, f.end),
          messageId: MESSAGE[f.kind],
          data: f.data,
          related: [
            ...softDeleteSource(analysis, f.table),
            ...f.uniques.flatMap((u) =>
              u.origin.file && u.origin.index !== undefined ? [{ file: u.origin.file, index: u.origin.index, message: `\`${u.name}\` is declared here.` }] : [],
            ),
          ],
          suggest:
            // SQL written from schema-builder code has no text of its own to edit: the message carries the migration
            f.fix && f.suggestion && f.fragment.fixable !== false ? [{ messageId: SUGGESTION[f.suggestion], data: f.data, fix: fixOf(context, f.fix) }] : [],
        });
      }
    });
  },
});
