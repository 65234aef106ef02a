/**
 * The JavaScript split of SQL into tokens (`scanCommon`, used by `tokenize`) against libpg-query's scanner: the
 * same tokens (spans, text, kind, keyword) on every input, or the real scanner is asked.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tokenize, tokenizeWithScanner } from '../src/sql/parser.js';
import { scanCommon } from '../src/sql/scan.js';
import { generateSchema, generateStatements, generateStructureSql } from '../bench/corpus.js';

const same = (text: string) => expect(tokenize(text), JSON.stringify(text)).toEqual(tokenizeWithScanner(text));

const EDGES = [
  "select 'a'\n'b' from x",
  "select 'a'  \n  'b', 'c' 'd'",
  "select 'x'--c\n'y'",
  "select 'x' /* c */\n'y'",
  "E'a\\'b' e'\\\\' E'x'",
  "'abc",
  "'abc''",
  '"abc',
  '""',
  '"a""b" "Users"."Id"',
  '/* a /* b */ c */ x',
  '/* open',
  '/* a /* b */',
  '$$ a $$ $q$ b $q$ $a$x$a$$$',
  '$$ open',
  '$1 $12 $1a $ a',
  'a+-b a @- b a*-b a<-b a!-b a - -b',
  'x::int a:=1 f(a=>1) 1..10 a.b.c .5 5. 1.5e3 1e+3 1e-3 1e',
  '0x1F 0o17 0b101 1_000 123abc 1.2.3',
  'a<=>b a<>b a!=b a>=b a<=b a->>b a#>>b a@>b a||b a~~*b a!~b',
  "U&'d\\0061t' UESCAPE '!' U&\"x\"",
  "B'101' X'1F' N'x' b'1' x'f' n'y'",
  'a--b\nc a-- b\r\nc a/*x*/b a-/*x*/b a+--b',
  'héllo wörld',
  "select 'héllo' /* wörld */ from t -- ünïcode",
  '[1:2] arr[1][2] ?| ?& @? @@ `a` \\x {x}',
  'SELECT * FROM users u WHERE u.deleted_at IS NULL AND u.id = $1;',
  'insert into t (a) values (1) on conflict (a) do update set a = excluded.a returning *;',
  'create unique index concurrently if not exists ux on t (lower(email)) where deleted_at is null;',
  "select pgtrickle.create_stream_table('s', $$select * from t where deleted_at is null$$);",
  'SeLeCt NuLl, TRUE, false FROM "select" AS "from"',
  'a\tb\fc\vd\re',
  '',
  '   ',
  ';;;',
  '-',
  '/',
  '*/',
  '.',
];

describe('the JavaScript SQL split agrees with libpg-query’s scanner', () => {
  it('on edge cases (or hands them to the scanner)', () => {
    for (const text of EDGES) same(text);
  });

  it('on the generated benchmark corpora (queries and a structure.sql), taking the fast path on nearly all of them', () => {
    const { tables } = generateSchema({ tables: 60, migrations: 40, seed: 3 });
    const statements = [...generateStatements(tables, 400, 17), ...generateStructureSql({ statements: 400, seed: 9 }).text.split(/;\n/)];
    let fast = 0;
    for (const text of statements) {
      same(text);
      if (scanCommon(text)) fast++;
    }
    expect(fast / statements.length).toBeGreaterThan(0.95);
  });

  it('on every .sql file of the repository', () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        if (name === 'node_modules' || name.startsWith('.') || name === 'dist') continue;
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (name.endsWith('.sql')) files.push(path);
      }
    };
    walk(join(import.meta.dirname, '..'));
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) same(readFileSync(file, 'utf8'));
  });

  it('on random token soups', () => {
    const piece = fc.oneof(
      fc.constantFrom(
        'select', 'SELECT', 'from', 'where', 'users', 'u', 'deleted_at', 'is', 'null', 'not', 'and', 'or', 'join', 'on',
        'e', 'E', 'x', 'b', 'n', 'u', 'U', '_a', 'a$b', 'ü', 'é',
        "'", '"', '$', '$$', '$a$', '$1', '1', '1.5', '.5', '1e3', '1e', '0x1', '1_0',
        '+', '-', '*', '/', '%', '^', '<', '>', '=', '~', '!', '@', '#', '&', '|', '`', '?', ':', '::', ':=', '..', '.',
        ',', '(', ')', '[', ']', ';', '\\', '{', '}',
        '--', '/*', '*/', ' ', '  ', '\n', '\r\n', '\t',
        "'it''s'", "E'\\''", '"q"', '"a""b"', '$$x$$', '/* c */', '-- c\n',
      ),
      fc.string({ maxLength: 3 }),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), (pieces) => {
        const text = pieces.join('');
        expect(tokenize(text), JSON.stringify(text)).toEqual(tokenizeWithScanner(text));
      }),
      { numRuns: 3000, seed: 20261130 },
    );
  });
});
