/**
 * The end of history, decided in one place. In a migration, a definition or a constraint counts only while the
 * schema model — every schema file applied in order — still holds the one written *here*: a view a later
 * migration replaces, a stream table a later `alter_stream_table` redefines, a unique a later migration drops, is
 * history and is not judged again. The model records where each definition and unique was written (its origin);
 * a statement is current when the final model's origin is this very place.
 */
import type { SqlFragment } from '../sql/fragment.js';
import type { Definition, StatementModel } from '../sql/lower.js';
import { applySql } from '../schema/apply.js';
import { emptySchema, findRelation, type RelationInfo, type SchemaModel, type SourceOrigin } from '../schema/model.js';

/** Is `origin` the place at `index` of `fragment` in `file`? */
export function writtenAt(origin: SourceOrigin | undefined, file: string, fragment: SqlFragment, index: number): boolean {
  return !!origin && origin.file === file && origin.index === fragment.toSource(index);
}

/** The relation a definition names, at the end of history. */
export function finalRelation(schema: SchemaModel, name: string, searchPath: readonly string[]): RelationInfo | undefined {
  const parts = name.split('.');
  return parts.length === 2 ? findRelation(schema, parts[0]!, parts[1]!) : findRelation(schema, null, name, searchPath);
}

/**
 * The definitions of a file that are current at the end of history. Outside the schema files (a file of queries,
 * a migration not yet in the globs) every definition is current. In a schema file, the one the model recorded
 * (`definedAt`) is; when none matches exactly (an editor buffer whose offsets moved since it was saved), the last
 * definition of that name in the file, if the model's comes from this file.
 */
export function currentDefinitions(
  definitions: readonly Definition[],
  context: { schema: SchemaModel; searchPath: readonly string[]; file: string; isSchemaFile: boolean },
): Set<Definition> {
  if (!context.isSchemaFile) return new Set(definitions);
  const current = new Set<Definition>();
  const byName = new Map<string, Definition[]>();
  for (const d of definitions) byName.set(d.name, [...(byName.get(d.name) ?? []), d]);
  for (const [name, list] of byName) {
    const final = finalRelation(context.schema, name, context.searchPath);
    if (!final?.definedAt || final.definedAt.file !== context.file) continue;
    const exact = list.find((d) => writtenAt(final.definedAt, context.file, d.source.fragment, d.at));
    const chosen = exact ?? [...list].reverse().find((d) => d.mode !== 'alter' || d.query !== null);
    if (chosen) current.add(chosen);
  }
  return current;
}

const localModels = new WeakMap<readonly StatementModel[], SchemaModel>();

/**
 * The schema at the end of history as the linted file sees it: the final model for a schema file; for any other
 * file (a new migration outside the globs, a file of queries), the final model with the file's own statements
 * applied on top. Relations are copied so applying never touches the shared model.
 */
export function historyModel(
  statements: readonly StatementModel[],
  context: { schema: SchemaModel; searchPath: readonly string[]; file: string; isSchemaFile: boolean },
): SchemaModel {
  if (context.isSchemaFile) return context.schema;
  const cached = localModels.get(statements);
  if (cached) return cached;
  const model = emptySchema();
  model.files.push(...context.schema.files, context.file);
  for (const [key, r] of context.schema.relations) {
    model.relations.set(key, {
      ...r,
      columns: [...r.columns],
      ...(r.columnOrigins ? { columnOrigins: new Map(r.columnOrigins) } : {}),
      uniques: r.uniques.map((u) => ({ ...u, columns: [...u.columns] })),
      policies: r.policies.map((p) => ({ ...p })),
      ...(r.foreignKeys ? { foreignKeys: r.foreignKeys.map((f) => ({ ...f })) } : {}),
      ...(r.triggers ? { triggers: r.triggers.map((t) => ({ ...t })) } : {}),
      ...(r.indexes ? { indexes: r.indexes.map((i) => ({ ...i })) } : {}),
    });
  }
  if (context.schema.functions) model.functions = new Map(context.schema.functions);
  const seen = new Set<SqlFragment>();
  for (const statement of statements) {
    const fragment = statement.source.fragment;
    if (seen.has(fragment)) continue;
    seen.add(fragment);
    applySql(model, fragment.text, context.file, fragment.toSource, { searchPath: context.searchPath });
  }
  localModels.set(statements, model);
  return model;
}
