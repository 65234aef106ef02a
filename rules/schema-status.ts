/**
 * schema-status: says, once per run, when the checks cannot see the schema — none found, none of its tables
 * soft-deletable, or parts of it unreadable — so that a run without findings means "checked and clean", never
 * "could not see". Reported at the top of the first file linted.
 */
import path from 'node:path';
import { claimWarning } from '../src/warn-once.js';
import { createRule, onFile } from '../src/rule-support.js';
import { schemaStatus, type SchemaStatusKind } from '../src/analysis/schema-status.js';
import { locateSchema } from '../src/schema/load.js';

export type MessageIds = 'noSchema' | 'noSoftDeleteTable' | 'unreadable';

const MESSAGE: Record<SchemaStatusKind, MessageIds> = {
  'no-schema': 'noSchema',
  'no-soft-delete-table': 'noSoftDeleteTable',
  unreadable: 'unreadable',
};

/**
 * The file that carries a project's status reports, by project. The first file linted takes it; it keeps it for
 * the life of the process, so an editor re-linting that file keeps showing the report and other files stay quiet.
 */
const owners = new Map<string, string>();

/** Test hook: forget which files carry the status reports. */
export function resetSchemaStatusOwners(): void {
  owners.clear();
}

export default createRule<[], MessageIds>({
  name: 'schema-status',
  meta: {
    type: 'problem',
    docs: {
      description: 'Report, once per run, when no schema is found, no table is soft-deletable, or schema statements could not be read',
      recommended: true,
    },
    schema: [],
    messages: {
      noSchema:
        'eslint-plugin-soft-delete found no schema: it looked in {{where}} under {{cwd}}. No table is known to be soft-deletable, so no read is checked. Point settings["soft-delete"].schema at your migrations or schema files (globs relative to the ESLint working directory or to the folder of the ESLint config), or declare soft-delete tables in settings["soft-delete"].tables.',
      noSoftDeleteTable:
        'eslint-plugin-soft-delete read the schema ({{files}} file(s) from {{where}}, {{tables}} table(s){{sample}}) but no table has a soft-delete column ({{columns}}), so no read is checked. If your tables mark deletion with another column, list it in settings["soft-delete"].columns, or declare tables in settings["soft-delete"].tables.',
      unreadable:
        '{{count}} schema statement(s) could not be read, so the tables and columns they define are unknown to the checks: {{first}}{{more}}. Fix the statement, or leave its file out of settings["soft-delete"].schema and declare the table in settings["soft-delete"].tables.',
    },
  },
  defaultOptions: [],
  create(context) {
    const file = path.resolve(context.cwd, context.physicalFilename);
    return onFile(context, (analysis, report) => {
      const { schema, settings } = analysis.context;
      // one owner per place the schema comes from (packages of a monorepo may each have their own)
      const location = locateSchema(context.cwd, settings, file);
      const key = JSON.stringify([location.root, location.bases, settings.schema]);
      const owner = owners.get(key);
      if (owner === undefined) {
        // under `--concurrency` every worker thread has a map of its own: the first thread to claim the project
        // carries its report, the others never do ('' owns nothing)
        const claimed = claimWarning(`schema-status\0${key}`);
        owners.set(key, claimed ? file : '');
        if (!claimed) return;
      } else if (owner !== file) return;
      for (const status of schemaStatus(schema, settings, location.root)) {
        report({ loc: { start: { line: 1, column: 0 }, end: { line: 1, column: 0 } }, messageId: MESSAGE[status.kind], data: status.data });
      }
    });
  },
});
