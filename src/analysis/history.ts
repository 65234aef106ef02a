/**
 * The end of history, decided in one place. In a migration, a definition or a constraint counts only while the
 * schema model — every schema file applied in order — still holds the one written *here*: a view a later
 * migration replaces, a stream table a later `alter_stream_table` redefines, a unique a later migration drops, is
 * history and is not judged again. The model records where each definition and unique was written (its origin);
 * a statement is current when the final model's origin is this very place.
 */
import type { SqlFragment } from '../sql/fragment.js';
import type { Definition } from '../sql/lower.js';
import { findRelation, type RelationInfo, type SchemaModel, type SourceOrigin } from '../schema/model.js';

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
