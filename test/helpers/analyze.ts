import { lowerFragments } from '../../src/engine.js';
import { wholeFileFragment } from '../../src/sql/fragment.js';
import { ReadAnalyzer, type FragmentEdit } from '../../src/analysis/reads.js';
import { normalizeSettings, type SoftDeleteSettingsInput } from '../../src/settings.js';
import { schemaFromSql } from '../../src/schema/apply.js';

export const SCHEMA = `
CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL, org_id int, plan text, deleted_at timestamptz);
CREATE TABLE orders (id bigserial PRIMARY KEY, user_id bigint REFERENCES users(id), total numeric, deleted_at timestamptz);
CREATE TABLE organizations (id serial PRIMARY KEY, name text, deleted_at timestamptz);
CREATE TABLE audit_log (id bigserial PRIMARY KEY, message text);
CREATE TABLE posts (id serial PRIMARY KEY, is_deleted boolean NOT NULL DEFAULT false, title text);
CREATE TABLE "Account" (id serial PRIMARY KEY, "deletedAt" timestamptz);
`;

export function applyEdits(text: string, edits: FragmentEdit[] | null): string | null {
  if (!edits) return null;
  let out = text;
  for (const e of [...edits].sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

/** Read findings for SQL text against a schema, as plain data. */
export function readFindings(sql: string, options: { schema?: string; settings?: SoftDeleteSettingsInput; opaque?: number[] } = {}) {
  const schema = schemaFromSql(options.schema ?? SCHEMA);
  const analyzer = new ReadAnalyzer({ schema, settings: normalizeSettings(options.settings ?? {}) });
  const fragment = { ...wholeFileFragment(sql), opaque: new Set(options.opaque ?? []) };
  const { statements, parseErrors } = lowerFragments([fragment]);
  if (parseErrors.length) throw new Error(parseErrors[0]!.error.message);
  return statements.flatMap((s) =>
    [...s.reads.flatMap((q) => analyzer.checkQuery(q)), ...s.writes.flatMap((w) => analyzer.checkReturning(w))].map((f) => ({
      verdict: f.verdict,
      at: sql.slice(f.start, f.end),
      filter: f.filter,
      via: f.via,
      fixed: applyEdits(sql, f.fix),
    })),
  );
}
