import { decodeJsString } from '../src/extract/js-string.js';
import { parse } from '@typescript-eslint/typescript-estree';
import type { TSESTree } from '@typescript-eslint/utils';
import { visitorKeys } from '@typescript-eslint/visitor-keys';
import { describe, expect, it } from 'vitest';
import { extractSql, looksLikeSql, type ExtractedSql, type ExtractOptions } from '../src/extract/typescript.js';

/**
 * Test sources are written with `«` for a backtick and `#{` for `${` (inside String.raw, so backslashes are the
 * file's own), e.g. js(String.raw`sql«SELECT #{x}«`) is the file text sql`SELECT ${x}`.
 */
function js(text: string): string {
  return text.replace(/«/g, '`').replace(/#\{/g, '${');
}

function extract(code: string, options?: ExtractOptions, keys: Readonly<Record<string, readonly string[] | undefined>> | undefined = visitorKeys): ExtractedSql[] {
  const ast = parse(code, { range: true, loc: true }) as unknown as TSESTree.Program;
  return extractSql(ast, code, keys, options);
}

function texts(code: string, options?: ExtractOptions): string[] {
  return extract(code, options).map((r) => r.fragment.text);
}

function only(code: string, options?: ExtractOptions): ExtractedSql {
  const results = extract(code, options);
  expect(results).toHaveLength(1);
  return results[0]!;
}

/** The file text that `needle` (the `nth` occurrence in the fragment text) maps back to. */
function sourceOf(code: string, result: ExtractedSql, needle: string, nth = 0): string {
  const { text, toSource } = result.fragment;
  let index = -1;
  for (let k = 0; k <= nth; k++) index = text.indexOf(needle, index + 1);
  expect(index, `${needle} in ${text}`).toBeGreaterThanOrEqual(0);
  return code.slice(toSource(index), toSource(index + needle.length));
}

/** Indices in the fragment text of every opaque placeholder, as the placeholder text. */
function opaqueTexts(result: ExtractedSql): string[] {
  const { text, opaque } = result.fragment;
  return [...opaque].sort((a, b) => a - b).map((i) => /^(?:\$\d+|"__sd_ident_\d+")/.exec(text.slice(i))?.[0] ?? `?${i}`);
}

describe('tagged templates', () => {
  it.each([
    ['sql', 'sql«SELECT 1 FROM t«'],
    ['sql.unsafe', 'sql.unsafe«SELECT 1 FROM t«'],
    ['sql.type(z)', 'sql.type(z.object({ id: z.number() }))«SELECT 1 FROM t«'],
    ['sql.typeAlias', "sql.typeAlias('row')«SELECT 1 FROM t«"],
    ['sql.fragment', 'sql.fragment«SELECT 1 FROM t«'],
    ['Prisma.sql', 'Prisma.sql«SELECT 1 FROM t«'],
    ['prisma.$queryRaw', 'prisma.$queryRaw<Row[]>«SELECT 1 FROM t«'],
    ['tx.$executeRaw', 'tx.$executeRaw«SELECT 1 FROM t«'],
    ['this.prisma.$queryRaw', 'this.prisma.$queryRaw«SELECT 1 FROM t«'],
    ['db.sql', 'db.sql«SELECT 1 FROM t«'],
    ['SQL', 'SQL«SELECT 1 FROM t«'],
    ['raw', 'raw«SELECT 1 FROM t«'],
    ['sql!', 'sql!«SELECT 1 FROM t«'],
  ])('%s', (_name, code) => {
    const result = only(js(code));
    expect(result.kind).toBe('tagged-template');
    expect(result.fragment.text).toBe('SELECT 1 FROM t');
    expect(result.fragment.origin).toBe('tagged-template');
    expect(result.node.type).toBe('TemplateLiteral');
  });

  it.each([
    ['String.raw', 'String.raw«SELECT 1 FROM t«'],
    ['unsafe on another object', 'db.unsafe«SELECT 1 FROM t«'],
    ['type on another object', 'z.type«SELECT 1 FROM t«'],
    ['fragment on another object', 'x.fragment«SELECT 1 FROM t«'],
    ['unknown tag', 'gql«SELECT 1 FROM t«'],
    ['html', 'html«<p>select</p>«'],
    ['untagged template outside a call', 'const q = «SELECT 1 FROM t«'],
  ])('not %s', (_name, code) => {
    expect(texts(js(code))).toEqual([]);
  });

  it('yields nothing for an empty or whitespace-only template', () => {
    expect(texts(js('sql««; sql«  \n «'))).toEqual([]);
  });

  it('takes extra tags from options, by dotted text or last name', () => {
    const code = js('db.pg«SELECT 1 FROM a«; other.pg«SELECT 1 FROM b«; psql«SELECT 1 FROM c«; db.psql«SELECT 1 FROM d«');
    expect(texts(code, { tags: ['db.pg'] })).toEqual(['SELECT 1 FROM a']);
    expect(texts(code, { tags: ['psql'] })).toEqual(['SELECT 1 FROM c', 'SELECT 1 FROM d']);
    expect(texts(code)).toEqual([]);
  });

  it('keeps a tagged template that does not look like a statement (tags are always SQL)', () => {
    expect(texts(js('sql«deleted_at IS NULL«'))).toEqual(['deleted_at IS NULL']);
  });

  it('extracts a tagged template passed to execute() once, as the tagged template', () => {
    const results = extract(js('await db.execute(sql«SELECT id FROM users«); await pool.query(sql«SELECT id FROM t«);'));
    expect(results.map((r) => [r.kind, r.fragment.text])).toEqual([
      ['tagged-template', 'SELECT id FROM users'],
      ['tagged-template', 'SELECT id FROM t'],
    ]);
  });
});

describe('call arguments', () => {
  it.each([
    ['pool.query', "pool.query('SELECT id FROM users WHERE id = $1', [id])"],
    ['client.query with a generic', "client.query<Row>('SELECT id FROM users')"],
    ['execute', "conn.execute('SELECT id FROM users')"],
    ['knex.raw', "knex.raw('SELECT id FROM users')"],
    ['schema.raw', "knex.schema.raw('SELECT id FROM users')"],
    ['sql.unsafe', "sql.unsafe('SELECT id FROM users')"],
    ['$queryRawUnsafe', "prisma.$queryRawUnsafe('SELECT id FROM users')"],
    ['$executeRawUnsafe', "prisma.$executeRawUnsafe('SELECT id FROM users')"],
    ['pg-promise any', "db.any('SELECT id FROM users')"],
    ['pg-promise one', "db.one('SELECT id FROM users')"],
    ['pg-promise many', "db.many('SELECT id FROM users')"],
    ['pg-promise none', "db.none('SELECT id FROM users')"],
    ['pg-promise oneOrNone', "t.oneOrNone('SELECT id FROM users')"],
    ['pg-promise manyOrNone', "t.manyOrNone('SELECT id FROM users')"],
    ['pg-promise result', "db.result('SELECT id FROM users')"],
    ['pg-promise multi', "db.multi('SELECT id FROM users')"],
    ['TypeORM queryRunner.query', "await queryRunner.query('SELECT id FROM users')"],
    ['MikroORM this.addSql', "this.addSql('SELECT id FROM users');"],
    ['optional call', "db?.query('SELECT id FROM users')"],
    ['non-null callee', "db!.query('SELECT id FROM users')"],
    ['untagged template', "pool.query(«SELECT id FROM users«)"],
    ['pg config object text', "pool.query({ name: 'q', text: 'SELECT id FROM users', values: [1] })"],
    ['mysql config object sql', "conn.query({ sql: 'SELECT id FROM users', timeout: 100 })"],
    ['quoted key', "pool.query({ 'text': 'SELECT id FROM users' })"],
  ])('%s', (_name, code) => {
    const result = only(js(code));
    expect(result.kind).toBe('call-argument');
    expect(result.fragment.origin).toBe('call-argument');
    expect(result.fragment.text).toBe('SELECT id FROM users' + (code.includes('$1') ? ' WHERE id = $1' : ''));
  });

  it.each([
    ['whereRaw', "q.whereRaw('SELECT 1 FROM t')"],
    ['orWhereRaw', "q.orWhereRaw('SELECT 1 FROM t')"],
    ['joinRaw', "q.joinRaw('SELECT 1 FROM t')"],
    ['havingRaw', "q.havingRaw('SELECT 1 FROM t')"],
    ['orderByRaw', "q.orderByRaw('SELECT 1 FROM t')"],
    ['selectRaw', "q.selectRaw('SELECT 1 FROM t')"],
    ['fromRaw', "q.fromRaw('SELECT 1 FROM t')"],
  ])('knex %s', (_name, code) => {
    expect(texts(code)).toEqual(['SELECT 1 FROM t']);
  });

  it('knex builder fragments that are not statements are not extracted (builder front end territory)', () => {
    expect(texts("q.whereRaw('deleted_at IS NULL')")).toEqual([]);
  });

  it('takes extra functions from options, by dotted text or last name', () => {
    const code = "repo.run('SELECT 1 FROM a'); other.run('SELECT 1 FROM b'); exec('SELECT 1 FROM c')";
    expect(texts(code, { functions: ['repo.run'] })).toEqual(['SELECT 1 FROM a']);
    expect(texts(code, { functions: ['exec'] })).toEqual(['SELECT 1 FROM c']);
    expect(texts(code)).toEqual([]);
  });

  it('ignores unknown functions, later arguments and spread arguments', () => {
    expect(texts("run('SELECT 1 FROM t'); log.info('SELECT 1 FROM t'); pool.query(name, 'SELECT 1 FROM t'); pool.query(...args)")).toEqual([]);
  });

  it.each([
    'Select a customer from the list',
    'select a customer from the list',
    'Update your profile',
    'Delete this item?',
    'Deleted successfully.',
    'Update complete!',
    'update',
    'DELETE',
    'Create account',
    'create-user',
    'Table settings',
    'With great power comes great responsibility',
    'Select an option',
    'Drop files here',
    'Truncate the text',
    'select color',
    'Select a file, then continue',
    'input[name=email]',
    'select a file',
  ])('rejects prose / non-SQL: %s', (text) => {
    expect(looksLikeSql(text)).toBe(false);
    expect(texts(`db.query(${JSON.stringify(text)}); t.result(${JSON.stringify(text)}); cmd.execute(${JSON.stringify(text)})`)).toEqual([]);
  });

  it.each([
    'SELECT 1',
    'select id from users',
    'SELECT * FROM users WHERE id = ?',
    '  -- leading comment\n/* block */ (SELECT id FROM a) UNION (SELECT id FROM b)',
    'WITH x AS (SELECT 1) SELECT * FROM x',
    "insert into users (name) values ('a')",
    'UPDATE users SET name = $1 WHERE id = $2',
    'delete from sessions',
    'CREATE UNIQUE INDEX users_email ON users (email) WHERE deleted_at IS NULL',
    'ALTER TABLE users ADD COLUMN deleted_at timestamptz',
    'DROP TABLE users',
    'VALUES (1), (2)',
    'TABLE users',
    'MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE',
    'truncate sessions',
    "COMMENT ON TABLE users IS 'people'",
    'GRANT SELECT ON users TO app',
    'REVOKE ALL ON users FROM app',
    'SELECT * FROM users WHERE name = :name', // does not parse; still has the shape
    'SELECT 1 FROM a',
    'select id from users a where a.id = 1',
    'select id from users a',
  ])('accepts SQL: %s', (text) => {
    expect(looksLikeSql(text)).toBe(true);
  });
});

describe('offsets', () => {
  it('maps a table name after non-ASCII text in a tagged template', () => {
    const code = js("const q = sql«SELECT 'ünïcødé 🎉' AS label FROM users WHERE id = 1«;");
    const result = only(code);
    expect(sourceOf(code, result, 'users')).toBe('users');
    expect(result.fragment.toSource(result.fragment.text.indexOf('users'))).toBe(code.indexOf('users'));
  });

  it('maps through string-literal escapes to the exact source index', () => {
    const code = String.raw`pool.query('SELECT \'it\\\'s\', \u00e9\x41\n, "\t" FROM users WHERE a = 1')`;
    const result = only(code);
    expect(result.fragment.text).toBe("SELECT 'it\\'s', \u00e9A\n, \"\t\" FROM users WHERE a = 1");
    expect(sourceOf(code, result, 'users')).toBe('users');
    expect(result.fragment.toSource(result.fragment.text.indexOf('users'))).toBe(code.indexOf('users'));
    // an escape maps to its backslash
    expect(code[result.fragment.toSource(result.fragment.text.indexOf('A'))]).toBe('\\');
    expect(code.slice(result.fragment.toSource(result.fragment.text.indexOf('A')), result.fragment.toSource(result.fragment.text.indexOf('A') + 1))).toBe('\\x41');
  });

  it('maps through template escapes and CRLF line ends', () => {
    const code = js(String.raw`sql«SELECT \«a\« , '\${x}' ,` + '\r\n' + String.raw` b FROM users«`);
    const result = only(code);
    expect(result.fragment.text).toBe("SELECT `a` , '${x}' ,\n b FROM users");
    expect(sourceOf(code, result, 'users')).toBe('users');
    expect(sourceOf(code, result, 'b FROM')).toBe('b FROM');
  });

  it('maps the end of the text one past the last character', () => {
    const code = "db.query('SELECT id FROM users')";
    const result = only(code);
    expect(result.fragment.toSource(result.fragment.text.length)).toBe(code.indexOf("')"));
  });

  it('maps double-quoted strings with escaped quotes', () => {
    const code = String.raw`db.query("SELECT \"id\" FROM users")`;
    const result = only(code);
    expect(result.fragment.text).toBe('SELECT "id" FROM users');
    expect(sourceOf(code, result, 'users')).toBe('users');
    expect(sourceOf(code, result, 'id')).toBe('id');
  });
});

describe('interpolations', () => {
  it('numbers value interpolations after the highest literal $k and maps them to the ${', () => {
    const code = js('sql«SELECT * FROM t WHERE a = $2 AND b = #{x} AND c = #{y.z} AND d = $1«');
    const result = only(code);
    expect(result.fragment.text).toBe('SELECT * FROM t WHERE a = $2 AND b = $3 AND c = $4 AND d = $1');
    expect(opaqueTexts(result)).toEqual(['$3', '$4']);
    const { text, toSource } = result.fragment;
    expect(toSource(text.indexOf('$3'))).toBe(code.indexOf('${x}'));
    expect(toSource(text.indexOf('$4') + 1)).toBe(code.indexOf('${y.z}'));
    expect(sourceOf(code, result, ' AND d')).toBe(' AND d');
  });

  it('starts at $1 without literal params', () => {
    expect(texts(js('sql«SELECT * FROM t WHERE a = #{a} AND b = #{b}«'))).toEqual(['SELECT * FROM t WHERE a = $1 AND b = $2']);
  });

  it('uses quoted placeholder identifiers in identifier positions', () => {
    const code = js(
      'sql«SELECT #{col} AS #{alias} FROM #{t} JOIN #{u} ON true JOIN ONLY #{v} ON true, #{schema}.users WHERE users.#{c} = #{val} AND x IS DISTINCT FROM #{w}«',
    );
    const result = only(code);
    expect(result.fragment.text).toBe(
      'SELECT $1 AS "__sd_ident_1" FROM "__sd_ident_2" JOIN "__sd_ident_3" ON true JOIN ONLY "__sd_ident_4" ON true, "__sd_ident_5".users WHERE users."__sd_ident_6" = $2 AND x IS DISTINCT FROM $3',
    );
    expect(opaqueTexts(result)).toEqual([
      '$1', '"__sd_ident_1"', '"__sd_ident_2"', '"__sd_ident_3"', '"__sd_ident_4"', '"__sd_ident_5"', '"__sd_ident_6"', '$2', '$3',
    ]);
  });

  it('treats INSERT INTO / UPDATE / TABLE targets as identifiers', () => {
    expect(texts(js('sql«INSERT INTO #{t} (a) VALUES (#{a})«; sql«UPDATE #{t} SET a = #{a}«; sql«ALTER TABLE #{t} ADD x int«'))).toEqual([
      'INSERT INTO "__sd_ident_1" (a) VALUES ($1)',
      'UPDATE "__sd_ident_1" SET a = $1',
      'ALTER TABLE "__sd_ident_1" ADD x int',
    ]);
  });

  it('marks a whole-predicate interpolation opaque', () => {
    const result = only(js('sql«SELECT * FROM users WHERE #{cond}«'));
    expect(result.fragment.text).toBe('SELECT * FROM users WHERE $1');
    expect([...result.fragment.opaque]).toEqual([result.fragment.text.indexOf('$1')]);
  });

  it('keeps adjacent placeholders apart', () => {
    const result = only(js('sql«SELECT #{a}#{b} FROM t«'));
    expect(result.fragment.text).toBe('SELECT $1$2 FROM t');
    expect([...result.fragment.opaque].sort((a, b) => a - b)).toEqual([7, 9]);
  });

  it('inlines a nested sql template with its own mapping, and does not extract it again', () => {
    const code = js('const q = sql«SELECT * FROM users u WHERE u.org = #{org} AND #{sql«u.deleted_at IS NULL AND u.kind = #{kind}«} LIMIT #{n}«;');
    const results = extract(code);
    expect(results).toHaveLength(1);
    const result = results[0]!;
    expect(result.fragment.text).toBe('SELECT * FROM users u WHERE u.org = $1 AND u.deleted_at IS NULL AND u.kind = $2 LIMIT $3');
    expect(sourceOf(code, result, 'u.deleted_at')).toBe('u.deleted_at');
    expect(result.fragment.toSource(result.fragment.text.indexOf('u.deleted_at'))).toBe(code.indexOf('u.deleted_at'));
    expect(result.fragment.toSource(result.fragment.text.indexOf('$2'))).toBe(code.indexOf('${kind}'));
    expect(opaqueTexts(result)).toEqual(['$1', '$2', '$3']);
  });

  it('inlines nested Prisma.sql and drops Prisma.empty', () => {
    expect(texts(js('prisma.$queryRaw«SELECT * FROM users WHERE #{Prisma.sql«deleted_at IS NULL«} #{Prisma.empty}«'))).toEqual([
      'SELECT * FROM users WHERE deleted_at IS NULL ',
    ]);
  });

  it('does not inline a conditional fragment (opaque)', () => {
    const results = extract(js('sql«SELECT * FROM users WHERE #{all ? sql«true« : sql«deleted_at IS NULL«}«'));
    expect(results[0]!.fragment.text).toBe('SELECT * FROM users WHERE $1');
  });

  it('splices identifier helpers', () => {
    expect(
      texts(
        js(
          "sql«SELECT * FROM #{sql.identifier(['public', 'users'])} JOIN #{sql('orders')} ON true JOIN #{sql.table('audit.log')} ON true WHERE #{sql.raw('deleted_at IS NULL')} AND #{Prisma.raw('x = 1')}«",
        ),
      ),
    ).toEqual(['SELECT * FROM public.users JOIN orders ON true JOIN audit.log ON true WHERE deleted_at IS NULL AND x = 1']);
  });

  it('leaves an identifier helper with an unknown argument opaque', () => {
    expect(texts(js('sql«SELECT * FROM #{sql(table)}«'))).toEqual(['SELECT * FROM "__sd_ident_1"']);
  });
});

describe('constants', () => {
  it('inlines const strings in untagged templates, mapped to the ${', () => {
    const code = js(
      "const TABLE = 'users';\nconst COLS = «id, name«;\nconst WHERE = 'deleted_at IS ' + 'NULL';\nfunction f() { return pool.query(«SELECT #{COLS} FROM #{TABLE} WHERE #{WHERE} AND id = $1«, [id]); }",
    );
    const result = only(code);
    expect(result.fragment.text).toBe('SELECT id, name FROM users WHERE deleted_at IS NULL AND id = $1');
    expect(result.fragment.opaque.size).toBe(0);
    const { text, toSource } = result.fragment;
    expect(toSource(text.indexOf('users'))).toBe(code.indexOf('${TABLE}'));
    expect(toSource(text.indexOf('users') + 3)).toBe(code.indexOf('${TABLE}'));
    expect(toSource(text.indexOf('deleted_at'))).toBe(code.indexOf('${WHERE}'));
  });

  it('resolves consts from an enclosing scope, const objects and enums', () => {
    const code = js(
      "const TABLES = { users: 'users' } as const;\nenum Table { Orders = 'orders' }\nfunction f() { const C = 'id'; return () => db.query(«SELECT #{C} FROM #{TABLES.users} JOIN #{Table.Orders} o ON true«); }",
    );
    expect(texts(code)).toEqual(['SELECT id FROM users JOIN orders o ON true']);
  });

  it('does not inline a name shadowed by a parameter, a let, or out of scope', () => {
    const code = js(
      "const TABLE = 'users';\nfunction f(TABLE: string) { return db.query(«SELECT * FROM #{TABLE}«); }\n" +
        "function g() { let COL = 'a'; return db.query(«SELECT #{COL} FROM t«); }\n" +
        "function h() { const X = 'x'; }\nfunction k() { return db.query(«SELECT #{X} FROM t«); }",
    );
    expect(texts(code)).toEqual(['SELECT * FROM "__sd_ident_1"', 'SELECT $1 FROM t', 'SELECT $1 FROM t']);
  });

  it('inlines a const in a tagged template only in an identifier position (values stay bound params)', () => {
    const code = js("const TABLE = 'users'; const STATUS = 'active';\nsql«SELECT * FROM #{TABLE} WHERE status = #{STATUS}«");
    const result = only(code);
    expect(result.fragment.text).toBe('SELECT * FROM users WHERE status = $1');
    expect(opaqueTexts(result)).toEqual(['$1']);
    expect(result.fragment.toSource(result.fragment.text.indexOf('users'))).toBe(code.indexOf('${TABLE}'));
  });

  it('inlines a const sql fragment (mapped to the ${)', () => {
    const code = js('const active = sql«deleted_at IS NULL«;\nsql«SELECT * FROM users WHERE #{active}«;');
    const results = extract(code);
    expect(results.map((r) => r.fragment.text)).toEqual(['deleted_at IS NULL', 'SELECT * FROM users WHERE deleted_at IS NULL']);
    expect(results[1]!.fragment.opaque.size).toBe(0);
    expect(results[1]!.fragment.toSource(results[1]!.fragment.text.indexOf('deleted_at'))).toBe(code.indexOf('${active}'));
  });

  it('extracts a const query passed by name, mapped to its declaration, once', () => {
    const code = "const QUERY = 'SELECT id FROM users WHERE id = $1';\nawait pool.query(QUERY, [1]);\nawait pool.query(QUERY, [2]);";
    const result = only(code);
    expect(result.fragment.text).toBe('SELECT id FROM users WHERE id = $1');
    expect(result.node.type).toBe('Literal');
    expect(result.fragment.toSource(result.fragment.text.indexOf('users'))).toBe(code.indexOf('users'));
  });
});

describe('concatenation', () => {
  it('joins literals and consts, mapping consts to the identifier', () => {
    const code = "const T = 'users';\npool.query('SELECT id FROM ' + T + ' WHERE id = $1 AND ' + \"deleted_at IS NULL\")";
    const result = only(code);
    expect(result.fragment.text).toBe('SELECT id FROM users WHERE id = $1 AND deleted_at IS NULL');
    expect(result.node.type).toBe('BinaryExpression');
    const { text, toSource } = result.fragment;
    expect(toSource(text.indexOf('users'))).toBe(code.indexOf('T +'));
    expect(sourceOf(code, result, ' WHERE')).toBe(' WHERE');
    expect(sourceOf(code, result, 'deleted_at IS NULL')).toBe('deleted_at IS NULL');
  });

  it('turns unknown operands into placeholders by position', () => {
    const code = "pool.query('SELECT id FROM ' + table + ' WHERE ' + cond + ' AND a = ' + getA())";
    const result = only(code);
    expect(result.fragment.text).toBe('SELECT id FROM "__sd_ident_1" WHERE $1 AND a = $2');
    expect(opaqueTexts(result)).toEqual(['"__sd_ident_1"', '$1', '$2']);
    expect(result.fragment.toSource(result.fragment.text.indexOf('$1'))).toBe(code.indexOf('cond'));
  });

  it('concatenates templates and skips a concatenation that is not SQL', () => {
    expect(texts(js("db.query(«SELECT #{a} FROM t« + ' WHERE b = 1'); db.query('Hello ' + name)"))).toEqual([
      'SELECT $1 FROM t WHERE b = 1',
    ]);
  });
});

describe('driver placeholders', () => {
  it('normalises knex ? and ?? but not inside strings, comments, casts or escapes', () => {
    const code = String.raw`knex.raw('SELECT * FROM ?? WHERE id = ? AND name::text = ? AND note = \'?\' AND "q?" = 1 AND j \\? \'k\' -- why?' + '\n AND x = ?', ['users', 1, 'a', 2])`;
    const result = only(code);
    expect(result.fragment.text).toBe(
      `SELECT * FROM "__sd_ident_1" WHERE id = $1 AND name::text = $2 AND note = '?' AND "q?" = 1 AND j ? 'k' -- why?\n AND x = $3`,
    );
    expect(opaqueTexts(result)).toEqual(['"__sd_ident_1"', '$1', '$2', '$3']);
    const { text, toSource } = result.fragment;
    expect(code.slice(toSource(text.indexOf('"__sd_ident_1"')), toSource(text.indexOf('"__sd_ident_1"')) + 2)).toBe('??');
    expect(toSource(text.indexOf('$2'))).toBe(code.indexOf('? AND note'));
    expect(code[toSource(text.indexOf(' ? ') + 1)]).toBe('?'); // `\\?` became `?`, mapped to the `?`
    expect(code[toSource(text.indexOf(' ? ') + 1) - 1]).toBe('\\');
  });

  it('normalises knex named bindings', () => {
    const code = "knex.raw('select * from :table: where id = :id and created_at::date = :day and c = :col::text and :ident:::text = 1 and d = \\':no\\'', { table: 'users', id: 1 })";
    expect(texts(code)).toEqual([
      'select * from "__sd_ident_1" where id = $1 and created_at::date = $2 and c = $3::text and "__sd_ident_2"::text = 1 and d = \':no\'',
    ]);
  });

  it('uses only positional bindings with an array and only named ones with an object', () => {
    // `:b` is left alone with an array of bindings (the text no longer parses, but has the shape of a query)
    expect(texts("knex.raw('SELECT * FROM t WHERE a = ? AND b::text = :b', [1])")).toEqual(['SELECT * FROM t WHERE a = $1 AND b::text = :b']);
    expect(texts("q.whereRaw('x'); knex.raw('SELECT * FROM t WHERE a = ? AND b = :b', { b: 1 })")).toEqual([
      'SELECT * FROM t WHERE a = ? AND b = $1',
    ]);
  });

  it('continues numbering after interpolations', () => {
    expect(texts(js('knex.raw(«SELECT * FROM t WHERE a = #{a} AND b = ?«, [1])'))).toEqual(['SELECT * FROM t WHERE a = $1 AND b = $2']);
  });

  it('does not normalise pg query() or drizzle sql.raw / Prisma.raw', () => {
    expect(texts("pool.query('SELECT id FROM t WHERE data ? $1'); sql.raw('SELECT id FROM t WHERE data ? $1')")).toEqual([
      'SELECT id FROM t WHERE data ? $1',
      'SELECT id FROM t WHERE data ? $1',
    ]);
  });

  it('normalises Sequelize replacements', () => {
    expect(texts("sequelize.query('SELECT * FROM users WHERE id = :id', { replacements: { id: 1 } })")).toEqual([
      'SELECT * FROM users WHERE id = $1',
    ]);
    expect(texts("sequelize.query('SELECT * FROM users WHERE id = ?', { replacements: [1], type: QueryTypes.SELECT })")).toEqual([
      'SELECT * FROM users WHERE id = $1',
    ]);
  });

  it('normalises pg-promise formats', () => {
    const code = "db.any('SELECT * FROM ${table:name} t JOIN $<other~> o ON true WHERE t.id = $(id) AND t.a IN ($[list:csv]) AND $2:name = $/v/ AND t.c::text = $1', obj)";
    expect(texts(code)).toEqual([
      'SELECT * FROM "__sd_ident_1" t JOIN "__sd_ident_2" o ON true WHERE t.id = $3 AND t.a IN ($4) AND "__sd_ident_3" = $5 AND t.c::text = $1',
    ]);
  });
});

describe('robustness', () => {
  it('walks without visitor keys, ignoring parent links', () => {
    const code = js("const T = 'users'; function f() { return [sql«SELECT * FROM #{T}«, db.query('SELECT 1 FROM t')]; }");
    const ast = parse(code, { range: true, loc: true }) as unknown as TSESTree.Program;
    // add parent links the way ESLint does: the fallback walker must not follow them
    const link = (node: Record<string, unknown>, parent: unknown): void => {
      if (parent) node.parent = parent;
      for (const [key, value] of Object.entries(node)) {
        if (key === 'parent') continue;
        for (const child of Array.isArray(value) ? value : [value]) {
          if (child && typeof child === 'object' && typeof (child as { type?: unknown }).type === 'string') link(child as Record<string, unknown>, node);
        }
      }
    };
    link(ast as unknown as Record<string, unknown>, null);
    expect(extractSql(ast, code, undefined).map((r) => r.fragment.text)).toEqual(['SELECT * FROM users', 'SELECT 1 FROM t']);
  });

  it('never throws on a malformed tree and keeps what it found', () => {
    expect(extractSql({ type: 'Program', body: null } as unknown as TSESTree.Program, '', undefined)).toEqual([]);
    const code = js("sql«SELECT 1 FROM a«; db.query('SELECT 1 FROM b')");
    const ast = parse(code, { range: true, loc: true }) as unknown as TSESTree.Program;
    const call = (ast.body[1] as TSESTree.ExpressionStatement).expression as unknown as Record<string, unknown>;
    Object.defineProperty(call, 'arguments', { get: () => { throw new Error('boom'); } });
    expect(extractSql(ast, code, visitorKeys).map((r) => r.fragment.text)).toEqual(['SELECT 1 FROM a']);
  });

  it('handles concatenation chains too deep for recursion', () => {
    // built by hand: a parser would itself overflow on source this deep
    const head = "db.query('SELECT 1 FROM t WHERE true'";
    const part = " + ' AND true'";
    const n = 20000;
    const code = head + part.repeat(n) + ')';
    const literal = (start: number, value: string): Record<string, unknown> => ({
      type: 'Literal', value, raw: `'${value}'`, range: [start, start + value.length + 2],
    });
    let chain: Record<string, unknown> = literal(9, 'SELECT 1 FROM t WHERE true');
    for (let k = 0; k < n; k++) {
      const start = head.length + k * part.length + 3;
      chain = { type: 'BinaryExpression', operator: '+', left: chain, right: literal(start, ' AND true'), range: [9, start + 11] };
    }
    const id = (name: string, start: number): Record<string, unknown> => ({ type: 'Identifier', name, range: [start, start + name.length] });
    const call = {
      type: 'CallExpression', callee: { type: 'MemberExpression', object: id('db', 0), property: id('query', 3), computed: false, optional: false, range: [0, 8] },
      arguments: [chain], optional: false, range: [0, code.length],
    };
    const program = { type: 'Program', body: [{ type: 'ExpressionStatement', expression: call, range: [0, code.length] }], range: [0, code.length] };
    const results = extractSql(program as unknown as TSESTree.Program, code, visitorKeys);
    expect(results).toHaveLength(1);
    const { text, toSource } = results[0]!.fragment;
    expect(text).toBe('SELECT 1 FROM t WHERE true' + ' AND true'.repeat(n));
    expect(code.slice(toSource(text.length - 4), toSource(text.length))).toBe('true');
    expect(toSource(text.length)).toBe(code.length - 2);
  });
});

describe('project query helpers and DDL kept in data', () => {
  it('any method of a database-like object whose argument looks like SQL', () => {
    expect(texts("await sql.selectId('SELECT id FROM users WHERE email = $1', [email]);")).toEqual(['SELECT id FROM users WHERE email = $1']);
    expect(texts("await db.fetchAll(`SELECT * FROM orders`);")).toEqual(['SELECT * FROM orders']);
    // …but not prose, and not on other objects
    expect(texts("await db.notify('Select a customer from the list');")).toEqual([]);
    expect(texts("logger.info('SELECT * FROM users failed');")).toEqual([]);
  });

  it('ddlStrings: DDL in arrays and constants, not other strings, never twice', () => {
    const code = [
      "const migrations = ['ALTER TABLE users ADD COLUMN deleted_at timestamptz', 'not sql', 'SELECT 1 FROM users'];",
      'const up = `CREATE UNIQUE INDEX users_email_key ON users (email) WHERE deleted_at IS NULL`;',
      "await knex.raw('DROP INDEX old_idx');",
      "const partial = 'CREATE TABLE x (' + 'id int)';",
    ].join('\n');
    expect(texts(code, { ddlStrings: true })).toEqual([
      'DROP INDEX old_idx',
      'ALTER TABLE users ADD COLUMN deleted_at timestamptz',
      'CREATE UNIQUE INDEX users_email_key ON users (email) WHERE deleted_at IS NULL',
    ]);
    expect(texts(code)).toEqual(['DROP INDEX old_idx']);
  });
});

describe('query objects', () => {
  it('{ text } / { query } objects inline or in a const', () => {
    expect(texts("const Q = { text: 'SELECT id FROM users WHERE email = $1' };\nawait db.query(Q);")).toEqual(['SELECT id FROM users WHERE email = $1']);
    expect(texts("await client.query({ query: 'SELECT id FROM users' });")).toEqual(['SELECT id FROM users']);
    expect(texts("const T = 'SELECT 1 FROM users';\nawait pool.query({ text: T, values: [] });")).toEqual(['SELECT 1 FROM users']);
  });
});

describe('decoding JS string bodies', () => {
  it('maps every cooked character to the body index it came from, with and without escapes', () => {
    expect(decodeJsString('SELECT 1', false)).toEqual({ text: 'SELECT 1', offsets: [0, 1, 2, 3, 4, 5, 6, 7] });
    expect(decodeJsString('a\\nb', false)).toEqual({ text: 'a\nb', offsets: [0, 1, 3] });
    expect(decodeJsString('a\r\nb', true)).toEqual({ text: 'a\nb', offsets: [0, 1, 3] }); // templates normalise CRLF
    expect(decodeJsString('a\rb', false)?.text).toBe('a\rb'); // a string literal cannot hold a raw CR; kept as is
    expect(decodeJsString('\\1', false)).toBeNull();
  });
});
