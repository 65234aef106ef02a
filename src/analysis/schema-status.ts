/**
 * Schema status: whether the checks can see anything at all. "No schema found", "no table is soft-deletable" and
 * "N schema statements could not be read" each mean some (or every) read goes unchecked; the schema-status rule
 * turns them into reports so a clean run never hides a blind spot.
 */
import type { SoftDeleteSettings } from '../settings.js';
import { ReadAnalyzer, requirementSettingsKey } from './reads.js';
import type { SchemaModel } from '../schema/model.js';
import { CONVENTIONAL_SCHEMA_PLACES } from '../schema/load.js';
import { reusing } from '../sql/statement-cache.js';

export type SchemaStatusKind = 'no-schema' | 'no-soft-delete-table' | 'unreadable';

export interface SchemaStatus {
  kind: SchemaStatusKind;
  data: Record<string, string>;
}

/** The places discovery looked, for a message: the configured globs, or the conventional folders and files. */
export function describeSearch(settings: SoftDeleteSettings): string {
  if (settings.schema !== null) {
    const base = settings.root !== null ? ` (relative to root "${settings.root}")` : '';
    return settings.schema.length ? `the configured globs ${settings.schema.map((g) => `"${g}"`).join(', ')}${base}` : 'no place (settings["soft-delete"].schema is empty)';
  }
  return `the conventional places (${CONVENTIONAL_SCHEMA_PLACES})`;
}

/** Computed once per schema model (replaced when its files change) and settings that shape requirements. */
const relationsOf = new WeakMap<SchemaModel, Map<string, readonly string[]>>();

/** Soft-delete relations of the model and settings (tables and the views over them), by `schema.name`. */
export function softDeleteRelations(schema: SchemaModel, settings: SoftDeleteSettings): string[] {
  if (!reusing()) return findSoftDeleteRelations(schema, settings);
  const key = requirementSettingsKey(settings);
  let bySettings = relationsOf.get(schema);
  const known = bySettings?.get(key);
  if (known) return [...known];
  const names = findSoftDeleteRelations(schema, settings);
  if (!bySettings) relationsOf.set(schema, (bySettings = new Map()));
  bySettings.set(key, names);
  return [...names];
}

function findSoftDeleteRelations(schema: SchemaModel, settings: SoftDeleteSettings): string[] {
  const reads = new ReadAnalyzer({ schema, settings });
  const names: string[] = [];
  for (const relation of schema.relations.values()) {
    if (relation.kind !== 'table') continue;
    if (reads.requirementsOfRelation(relation.schema, relation.name, relation).length > 0) names.push(`${relation.schema}.${relation.name}`);
  }
  for (const [key, setting] of settings.tables) if (setting && (setting.column || setting.active) && !names.some((n) => n === key || n.endsWith(`.${key}`))) names.push(key);
  return names;
}

/** What keeps the checks from seeing the whole schema, for the project at `cwd`; empty when nothing does. */
export function schemaStatus(schema: SchemaModel, settings: SoftDeleteSettings, cwd: string): SchemaStatus[] {
  const out: SchemaStatus[] = [];
  const where = describeSearch(settings);
  if (schema.files.length === 0 && settings.tables.size === 0) {
    out.push({ kind: 'no-schema', data: { where, cwd } });
  } else if (softDeleteRelations(schema, settings).length === 0) {
    const tables = [...schema.relations.values()].filter((r) => r.kind === 'table');
    const sample = tables.slice(0, 3).map((r) => r.name).join(', ');
    out.push({
      kind: 'no-soft-delete-table',
      data: {
        files: String(schema.files.length),
        tables: String(tables.length),
        sample: sample ? ` (${sample}${tables.length > 3 ? ', …' : ''})` : '',
        columns: settings.columns.join(', '),
        where,
        cwd,
      },
    });
  }
  if (schema.problems.length > 0) {
    const first = schema.problems[0]!.message.split('\n')[0]!;
    const more = schema.problems.length > 1 ? ` (and ${schema.problems.length - 1} more)` : '';
    out.push({ kind: 'unreadable', data: { count: String(schema.problems.length), first, more } });
  }
  return out;
}
