/**
 * What the plugin believes about the schema, in words: each soft-delete table with its active-row predicate, each
 * unique with its verdict, views and stream tables with what their readers must do, the schema problems — and
 * where each fact came from (file:line). The first thing to run when a verdict surprises.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { SoftDeleteSettings } from '../settings.js';
import type { RelationInfo, SchemaModel, SourceOrigin } from '../schema/model.js';
import { lineColumn } from '../sql/sqltext.js';
import { ReadAnalyzer } from './reads.js';
import { containsPrimaryKey, judgeUnique, shapeOfInfo } from './uniques.js';
import { describeSearch } from './schema-status.js';
import { markerColumns, markerRequirementText } from './requirement.js';
import { tableSetting } from '../settings.js';

const VERDICT_TEXT: Record<string, string> = {
  ok: 'ok: unique among live rows only',
  'full-unique': 'covers soft-deleted rows: a deleted row blocks its value for good',
  'partial-not-active': 'partial, but its WHERE does not exclude soft-deleted rows',
  'inverted-predicate': 'restricted to soft-deleted rows: live rows are not unique',
  'nulls-distinct': 'has the soft-delete timestamp in its key: NULLs are distinct, so live rows never conflict',
  'flag-in-key': 'has the soft-delete flag in its key: only one deleted row per value',
};

const KIND_TEXT: Record<string, string> = { view: 'view', 'materialized-view': 'materialized view', 'stream-table': 'stream table', table: 'table' };

export function explainSchema(schema: SchemaModel, settings: SoftDeleteSettings, cwd: string): string {
  const texts = new Map<string, string>();
  const where = (origin: SourceOrigin | undefined): string => {
    if (!origin?.file) return 'settings';
    const shown = path.relative(cwd, origin.file) || origin.file;
    if (origin.index === undefined) return shown;
    let text = texts.get(origin.file);
    if (text === undefined) {
      try {
        text = readFileSync(origin.file, 'utf8');
      } catch {
        text = '';
      }
      texts.set(origin.file, text);
    }
    return `${shown}:${lineColumn(text, origin.index).line}`;
  };
  const reads = new ReadAnalyzer({ schema, settings });
  const lines: string[] = [];
  const files = schema.files.map((f) => path.relative(cwd, f) || f);
  lines.push(
    files.length
      ? `Schema read from ${files.length} file(s) under ${cwd} (${describeSearch(settings)}):`
      : `No schema file found under ${cwd} (looked in ${describeSearch(settings)}).`,
  );
  for (const f of files.slice(0, 20)) lines.push(`  ${f}`);
  if (files.length > 20) lines.push(`  … and ${files.length - 20} more`);

  const tables = [...schema.relations.values()].filter((r) => r.kind === 'table');
  const soft: Array<{ relation: RelationInfo; predicate: string }> = [];
  const plain: RelationInfo[] = [];
  for (const relation of tables) {
    const requirements = reads.requirementsOfRelation(relation.schema, relation.name, relation);
    if (!requirements.length) {
      plain.push(relation);
      continue;
    }
    // a table with several markers (a flag and a timestamp kept together) accepts a filter on any one: name each
    const alternatives = requirements.length === 1 && requirements[0]!.alternatives && requirements[0]!.predicate.kind === 'or';
    const predicate = alternatives
      ? markerColumns(settings.columns, relation).map((c) => markerRequirementText(c, relation)).join(' or ')
      : requirements.map((r) => r.text).join(' AND ');
    soft.push({ relation, predicate });
  }
  const declared = [...settings.tables].filter(([key, s]) => s && (s.column || s.active) && !tables.some((t) => t.name === key || `${t.schema}.${t.name}` === key));

  lines.push('', `Soft-delete tables (${soft.length + declared.length}):`);
  if (!soft.length && !declared.length) lines.push(`  none — no table has a soft-delete column (${settings.columns.join(', ')}) or is declared in settings`);
  for (const { relation, predicate } of soft) {
    lines.push(`  ${relation.schema}.${relation.name}  active rows: ${predicate}  [${where(relation.origin)}]${relation.incomplete ? ' (CREATE TABLE not seen)' : ''}`);
    if (!tableSetting(settings, relation.schema, relation.name)) {
      const markers = markerColumns(settings.columns, relation);
      if (markers.length > 1 || relation.markers?.length) {
        const described = markers.map((c) => {
          const declared = relation.markers?.find((m) => m.column === c);
          const origin = declared?.origin ?? relation.columnOrigins?.get(c);
          return `${c}${declared ? ` (${declared.by})` : ''}${origin ? ` [${where(origin)}]` : ''}`;
        });
        lines.push(`    soft-delete column${markers.length > 1 ? 's (any one filters)' : ''}: ${described.join(', ')}`);
      }
    }
    const requirement = reads.requirementsOfRelation(relation.schema, relation.name, relation)[0]!;
    for (const u of relation.uniques) {
      const shape = shapeOfInfo(u, relation);
      const verdict = containsPrimaryKey(relation, shape) ? 'ok: contains the primary key' : VERDICT_TEXT[judgeUnique(shape, requirement).verdict] ?? 'unknown';
      const partial = u.where !== null ? ` WHERE ${u.where}` : '';
      lines.push(`    unique ${u.kind} ${u.name} (${u.columns.join(', ')})${partial}: ${verdict}  [${where(u.origin)}]`);
    }
  }
  for (const [key, s] of declared) {
    if (s) lines.push(`  ${key}  active rows: ${s.active ?? `${s.column} IS NULL`}  [settings]`);
  }

  const views = [...schema.relations.values()].filter((r) => r.kind !== 'table');
  if (views.length) {
    lines.push('', `Views, materialized views and stream tables (${views.length}):`);
    for (const view of views) {
      const inherited = reads.requirementsOfRelation(view.schema, view.name, view);
      // rows its definition reads unfiltered and does not let readers filter: the definition is what is wrong
      const leaked = [...new Set(reads.recordedDefinition(view)?.findings.map((f) => f.table) ?? [])];
      const status = inherited.length
        ? `passes soft-deleted rows through: readers must filter ${inherited.map((r) => r.text).join(' AND ')}`
        : leaked.length
          ? `keeps soft-deleted rows of ${leaked.join(', ')} that its readers cannot filter: its definition needs the filter`
          : 'its readers need no filter';
      lines.push(`  ${view.schema}.${view.name} (${KIND_TEXT[view.kind] ?? view.kind}): ${status}  [${where(view.query?.origin ?? view.origin)}]`);
    }
  }

  lines.push('', `Other tables (${plain.length}): ${plain.map((r) => (r.schema === 'public' ? r.name : `${r.schema}.${r.name}`)).join(', ') || 'none'}`);
  if (schema.problems.length) {
    lines.push('', `Could not be read (${schema.problems.length}):`);
    for (const p of schema.problems) lines.push(`  ${p.message.split('\n')[0]}`);
  }
  return `${lines.join('\n')}\n`;
}
