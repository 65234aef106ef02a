/**
 * `.sql` files as they exist in real projects are not always plain PostgreSQL: pg-promise QueryFiles use `${name}`,
 * psql scripts use `:name` / `:'name'` variables and `\set` meta-commands. Before parsing, each of those is replaced
 * by something PostgreSQL parses *of the same length*, so every offset in the file stays exact. So is the
 * `// eslint-disable-next-line …` line an editor's quick fix inserts: it becomes the SQL comment `-- eslint-…`.
 */
import { blankPsqlMetaCommands } from './sqltext.js';
import type { SqlFragment } from './fragment.js';

export interface NormalizedSqlFile {
  text: string;
  /** Start indices of the placeholders (interpolations we cannot see into). */
  opaque: Set<number>;
}

const PG_PROMISE = /^\$(\{[^}\n]*\}|\([^)\n]*\)|<[^>\n]*>|\[[^\]\n]*\]|\/[^/\n]*\/)/;
/** A whole-line `// eslint-disable…` / `// eslint-enable…` comment, as editors insert it whatever the language. */
const EDITOR_DIRECTIVE = /^\/\/[ \t]*eslint-(?:disable|enable)(?:-next-line|-line)?(?:[ \t]|$)/;
const PSQL_VARIABLE = /^:(?:'[A-Za-z_]\w*'|"[A-Za-z_]\w*"|[A-Za-z_]\w*)/;

/** `$0000003`: one parameter token exactly as long as what it replaces (so edits after it land after it). */
function valuePlaceholder(n: number, length: number): string {
  const digits = String(n).length < length ? String(n) : '1';
  return `$${digits.padStart(length - 1, '0')}`;
}

function identifierPlaceholder(length: number): string {
  return `"${'_'.repeat(Math.max(1, length - 2))}"`.slice(0, Math.max(3, length));
}

/** Replaces driver placeholders and psql variables outside strings, quoted identifiers and comments. */
export function normalizeSqlFile(source: string): NormalizedSqlFile {
  const text = blankPsqlMetaCommands(source);
  const opaque = new Set<number>();
  let out = '';
  let param = 0;
  let i = 0;
  const copyUntil = (end: number) => {
    out += text.slice(i, end);
    i = end;
  };
  while (i < text.length) {
    const c = text[i]!;
    const rest = text.slice(i, i + 200);
    if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < text.length && !(text[j] === c && text[j + 1] !== c)) j += text[j] === c ? 2 : 1;
      copyUntil(Math.min(text.length, j + 1));
      continue;
    }
    if (c === '/' && text[i + 1] === '/' && EDITOR_DIRECTIVE.test(rest) && /(?:^|\n)[ \t]*$/.test(text.slice(Math.max(0, i - 200), i))) {
      // An editor's "disable for this line" writes `// eslint-disable-next-line …` into a .sql file; `--` is the
      // same comment in SQL, two characters long too.
      out += '--';
      i += 2;
      const nl = text.indexOf('\n', i);
      copyUntil(nl < 0 ? text.length : nl);
      continue;
    }
    if (c === '-' && text[i + 1] === '-') {
      const nl = text.indexOf('\n', i);
      copyUntil(nl < 0 ? text.length : nl);
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      copyUntil(end < 0 ? text.length : end + 2);
      continue;
    }
    if (c === '$') {
      const tag = /^\$([A-Za-z_]\w*)?\$/.exec(rest);
      if (tag) {
        const end = text.indexOf(tag[0], i + tag[0].length);
        copyUntil(end < 0 ? text.length : end + tag[0].length);
        continue;
      }
      const placeholder = PG_PROMISE.exec(rest);
      if (placeholder) {
        const body = placeholder[1]!.slice(1, -1);
        const identifier = /~$|:(name|alias)$/.test(body.trim());
        opaque.add(out.length);
        out += identifier && placeholder[0].length >= 3 ? identifierPlaceholder(placeholder[0].length) : valuePlaceholder(++param, placeholder[0].length);
        i += placeholder[0].length;
        continue;
      }
    }
    if (c === ':' && text[i + 1] !== ':' && text[i + 1] !== '=' && text[i - 1] !== ':' && !/[\w\]\)$]/.test(text[i - 1] ?? '')) {
      const variable = PSQL_VARIABLE.exec(rest);
      if (variable) {
        const v = variable[0];
        opaque.add(out.length);
        out += v[1] === "'" ? `'${'x'.repeat(v.length - 2)}'` : v[1] === '"' ? identifierPlaceholder(v.length) : valuePlaceholder(++param, v.length);
        i += v.length;
        continue;
      }
    }
    out += c;
    i++;
  }
  return { text: out, opaque };
}

/** The fragment for a whole `.sql` file: normalised text, identity offsets. */
export function sqlFileFragment(source: string): SqlFragment {
  const { text, opaque } = normalizeSqlFile(source);
  return { text, toSource: (i) => i, opaque, origin: 'sql-file' };
}
