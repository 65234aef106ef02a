/**
 * require-soft-delete-cascade: a foreign key from a soft-deletable child to a soft-delete parent needs a trigger on
 * the parent that soft-deletes the children when the parent is soft-deleted (and only then).
 */
import path from 'node:path';
import { createRule, locOf, onFile } from '../src/rule-support.js';
import { checkCascades, type CascadeVerdict } from '../src/analysis/cascades.js';

export type Options = [];
export type MessageIds = 'noTrigger' | 'noWhen' | 'invertedWhen' | 'deleteCascadeOnly';

const MESSAGE: Record<CascadeVerdict, MessageIds> = {
  'no-trigger': 'noTrigger',
  'no-when': 'noWhen',
  'inverted-when': 'invertedWhen',
  'delete-cascade-only': 'deleteCascadeOnly',
};

export default createRule<Options, MessageIds>({
  name: 'require-soft-delete-cascade',
  meta: {
    type: 'problem',
    docs: {
      description: 'Require a trigger that soft-deletes soft-deletable children when their soft-delete parent is soft-deleted',
      recommended: false,
      requiresSchema: true,
    },
    schema: [],
    messages: {
      noTrigger:
        '`{{child}}` references soft-delete table `{{parent}}`, but no trigger on `{{parent}}` soft-deletes its `{{child}}` rows: when a `{{parent}}` row is soft-deleted, its children stay live. Add `AFTER UPDATE OF {{column}} ON {{parent}} FOR EACH ROW WHEN (OLD.{{column}} IS NULL AND NEW.{{column}} IS NOT NULL)` with a function that soft-deletes them.',
      noWhen:
        'Trigger `{{trigger}}` on `{{parent}}` cascades to `{{child}}` on every update: without `WHEN (OLD.{{column}} IS NULL AND NEW.{{column}} IS NOT NULL)` it also fires on restores and ordinary edits.',
      invertedWhen:
        'Trigger `{{trigger}}` on `{{parent}}` fires when a row is restored (`OLD.{{column}} IS NOT NULL AND NEW.{{column}} IS NULL`), not when it is soft-deleted: `{{child}}` rows are never cascaded. Write `WHEN (OLD.{{column}} IS NULL AND NEW.{{column}} IS NOT NULL)`.',
      deleteCascadeOnly:
        '`ON DELETE CASCADE` from `{{child}}` to soft-delete table `{{parent}}` only acts on hard deletes; a soft delete of `{{parent}}` (an UPDATE) leaves its `{{child}}` rows live. Add a trigger on `{{parent}}`: `AFTER UPDATE OF {{column}} … WHEN (OLD.{{column}} IS NULL AND NEW.{{column}} IS NOT NULL)`.',
    },
  },
  defaultOptions: [],
  create(context) {
    return onFile(context, (analysis, report) => {
      const file = path.resolve(context.cwd, context.physicalFilename);
      for (const f of checkCascades(analysis.statements, analysis.context, file, analysis.isSchemaFile)) {
        report({
          loc: locOf(context, f.source.fragment, f.start, f.end),
          messageId: MESSAGE[f.verdict],
          data: { child: f.child, parent: f.parent, column: f.column, trigger: f.trigger ?? '' },
        });
      }
    });
  },
});
