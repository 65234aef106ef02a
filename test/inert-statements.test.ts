/**
 * The schema loader's lexical gate: statements the schema model never reads (comments, grants, sequences, column
 * defaults, owners) are blanked before the parse. It must never blank one that matters, never move an offset, and
 * never hide a statement behind a quote left open.
 */
import { describe, expect, it } from 'vitest';
import { blankInertStatements } from '../src/schema/inert-statements.js';
import { applyEvents, schemaFromSql } from '../src/schema/apply.js';
import { emptySchema } from '../src/schema/model.js';
import { wholeFileFragment } from '../src/sql/fragment.js';
import { parseFragment } from '../src/sql/source.js';
import { lowerDdl } from '../src/sql/ddl.js';

const INERT = [
  "COMMENT ON TABLE public.users IS 'The users.';",
  'COMMENT ON COLUMN users.email IS NULL;',
  'GRANT SELECT, INSERT ON TABLE public.users TO app;',
  'REVOKE ALL ON public.users FROM PUBLIC;',
  'CREATE SEQUENCE public.users_id_seq\n    START WITH 1\n    INCREMENT BY 1\n    NO MINVALUE\n    CACHE 1;',
  'ALTER SEQUENCE public.users_id_seq OWNED BY public.users.id;',
  'ALTER SEQUENCE users_id_seq RENAME TO people_id_seq;',
  "ALTER TABLE ONLY public.users ALTER COLUMN id SET DEFAULT nextval('public.users_id_seq'::regclass);",
  'ALTER TABLE users ALTER id SET DEFAULT f(1, 2);',
  'alter table if exists "Users" alter column "Id" drop default;',
  'ALTER TABLE public.users OWNER TO postgres;',
];

/** Statements that look alike but change the model (or may): never blanked. */
const KEPT = [
  'CREATE TABLE users (id bigint, email text UNIQUE, deleted_at timestamptz);',
  'ALTER TABLE ONLY public.users ADD CONSTRAINT users_pkey PRIMARY KEY (id);',
  'ALTER TABLE users ALTER COLUMN id SET DEFAULT 1, ADD COLUMN code text UNIQUE;',
  'ALTER TABLE users ALTER COLUMN deleted_at SET NOT NULL;',
  'ALTER TABLE users ALTER COLUMN email SET DATA TYPE varchar;',
  'CREATE UNIQUE INDEX users_email ON users (email) WHERE deleted_at IS NULL;',
  "SET search_path = app, public;",
  "SELECT pg_catalog.set_config('search_path', '', false);",
];

describe('blankInertStatements', () => {
  it('blanks each inert statement through its semicolon, keeping every offset and line break', () => {
    for (const statement of INERT) {
      const text = `CREATE TABLE a (id int);\n${statement}\nCREATE TABLE b (id int);\n`;
      const out = blankInertStatements(text);
      expect(out.length, statement).toBe(text.length);
      expect(out, statement).toBe(text.replace(statement, statement.replace(/[^\n]/g, ' ')));
    }
  });

  it('keeps statements that change the model', () => {
    for (const statement of KEPT) {
      const text = `COMMENT ON TABLE a IS 'x';\n${statement}\n`;
      expect(blankInertStatements(text), statement).toBe(`${' '.repeat(26)}\n${statement}\n`);
    }
  });

  it('is sound: the DDL reader reads no change from any statement it blanks', () => {
    for (const statement of INERT) {
      const outcome = parseFragment(wholeFileFragment(statement));
      expect(outcome.ok, statement).toBe(true);
      if (!outcome.ok) continue;
      const events = outcome.source.parsed.statements.flatMap((s) => lowerDdl(outcome.source, s));
      // an ALTER TABLE without actions is applied as nothing (no placeholder relation either)
      expect(events.filter((e) => e.type !== 'alter-table' || e.actions.length > 0), statement).toEqual([]);
    }
  });

  it('leaves alone a statement whose quote spans a line break (a quote left open may hide what follows)', () => {
    const text = "CREATE TABLE a (id int);\nCOMMENT ON TABLE a IS 'it's';\nCREATE TABLE b (id int, deleted_at timestamptz);\nSELECT 'x';\n";
    expect(blankInertStatements(text)).toBe(text);
    // the parse still reports the statement it cannot read
    expect(schemaFromSql(text).problems.length).toBeGreaterThan(0);
  });

  it('ignores semicolons inside strings, dollar quotes, quoted identifiers and comments, and a last statement without one', () => {
    const text = [
      "COMMENT ON TABLE a IS 'x; y';",
      'CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; GRANT ALL ON a TO b; $$ LANGUAGE sql;',
      'COMMENT ON TABLE "a;b" IS /* ; */ \'z\';',
      'GRANT SELECT ON a TO b',
    ].join('\n');
    const out = blankInertStatements(text).split('\n');
    expect(out[0]!.trim()).toBe('');
    expect(out[1]).toBe('CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; GRANT ALL ON a TO b; $$ LANGUAGE sql;');
    expect(out[2]!.trim()).toBe('');
    expect(out[3]).toBe('GRANT SELECT ON a TO b');
  });

  it('gives the same model and origins as the statements read one by one', () => {
    const dump = [
      'CREATE TABLE public.users (id bigint NOT NULL, email text, deleted_at timestamp with time zone);',
      'CREATE SEQUENCE public.users_id_seq START WITH 1;',
      "ALTER TABLE ONLY public.users ALTER COLUMN id SET DEFAULT nextval('public.users_id_seq'::regclass);",
      'ALTER TABLE ONLY public.users ADD CONSTRAINT users_email_key UNIQUE (email);',
      "COMMENT ON TABLE public.users IS 'People.';",
      'CREATE VIEW public.live_users AS SELECT id, email FROM public.users WHERE deleted_at IS NULL;',
      'GRANT SELECT ON public.live_users TO reader;',
    ].join('\n');
    const gated = schemaFromSql(dump);
    // the same dump read without the gate: every statement parsed and its events applied in order
    const ungated = emptySchema();
    ungated.files.push('inline.sql');
    const outcome = parseFragment(wholeFileFragment(dump));
    if (!outcome.ok) throw new Error('the dump must parse');
    for (const statement of outcome.source.parsed.statements) applyEvents(ungated, lowerDdl(outcome.source, statement), 'inline.sql', { text: dump });
    expect(gated.problems).toEqual([]);
    expect(blankInertStatements(dump)).not.toBe(dump);
    expect(JSON.stringify([...gated.relations])).toBe(JSON.stringify([...ungated.relations]));
    expect(gated.relations.get('public.users')?.uniques.map((u) => u.columns)).toEqual([['email']]);
  });
});
