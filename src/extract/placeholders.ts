/**
 * Rewrites driver placeholders that PostgreSQL cannot parse into ones it can:
 *
 * - knex / objection / Sequelize replacements: `?` → `$N`, `??` → `"__sd_ident_N"`, `:name` → `$N`,
 *   `:name:` → `"__sd_ident_N"`, `\?` → `?` (an escaped question mark, e.g. the jsonb operator);
 * - pg-promise: `${name}` `$(name)` `$<name>` `$[name]` `$/name/` → `$N` (or an identifier with `:name`, `:alias`
 *   or `~`), `$1:name` / `$1:alias` → identifier, `$1:raw|value|csv|list|json` → `$N`.
 *
 * Nothing is rewritten inside string literals, quoted identifiers, comments or dollar-quoted bodies, and `::type`
 * casts are left alone. Every placeholder written is opaque and maps to the source index of the original one.
 */
import { MappedText } from '../js/mapped-text.js';

export type PlaceholderStyle = 'knex' | 'knex-positional' | 'knex-named' | 'pg-promise';

import { nextIdent, nextParam, type PlaceholderCounter } from '../sql/placeholder.js';
import { skipRegion } from '../sql/lexical.js';

export { nextIdent, nextParam, type PlaceholderCounter } from '../sql/placeholder.js';

const IDENT_START = /[A-Za-z_\u0080-\uffff]/;
const IDENT_CHAR = /[A-Za-z0-9_$\u0080-\uffff]/;
const PGP_OPEN: Record<string, string> = { '{': '}', '(': ')', '<': '>', '[': ']', '/': '/' };
/** The inside of `${name}` / `${name:type}` / `${name^}`, trimmed first (two `\s*` in a row would be quadratic). */
const PGP_NAME = /^[\w$.]+\s*(?::(\w+)|([~^#]))?$/;

export function normalizePlaceholders(input: MappedText, style: PlaceholderStyle, counter: PlaceholderCounter): MappedText {
  const text = input.text;
  const out = new MappedText();
  const copy = (from: number, to: number): void => {
    for (let k = from; k < to; k++) out.copyChar(input, k);
  };
  const at = (k: number): number => input.src[k] ?? 0;
  const positional = style === 'knex' || style === 'knex-positional';
  const named = style === 'knex' || style === 'knex-named';
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    // pg-promise formats come before dollar quotes: `${x}` is never a dollar-quote tag
    if (style === 'pg-promise' && ch === '$') {
      const close = PGP_OPEN[text[i + 1] ?? ''];
      if (close !== undefined) {
        const end = text.indexOf(close, i + 2);
        const inner = end < 0 ? null : PGP_NAME.exec(text.slice(i + 2, end).trim());
        if (inner && end >= 0) {
          const modifier = inner[1] ?? inner[2] ?? '';
          const ident = modifier === 'name' || modifier === 'alias' || modifier === '~';
          out.push(ident ? nextIdent(counter) : nextParam(counter), at(i), true);
          i = end + 1;
          continue;
        }
      }
      const indexed = /^\$\d+:(name|alias|raw|value|csv|list|json)\b/.exec(text.slice(i, i + 20));
      if (indexed && text[i + indexed[0].length] !== ':') {
        const ident = indexed[1] === 'name' || indexed[1] === 'alias';
        out.push(ident ? nextIdent(counter) : nextParam(counter), at(i), true);
        i += indexed[0].length;
        continue;
      }
    }
    const skipped = skipRegion(text, i);
    if (skipped > i) {
      copy(i, skipped);
      i = skipped;
      continue;
    }
    if (style === 'pg-promise') {
      copy(i, i + 1);
      i++;
      continue;
    }
    if (ch === ':' && text[i + 1] === ':') {
      copy(i, i + 2); // a cast
      i += 2;
      continue;
    }
    if (ch === '\\' && (text[i + 1] === '?' || text[i + 1] === ':')) {
      copy(i + 1, i + 2); // knex escape: a literal `?` or `:`
      i += 2;
      continue;
    }
    if (ch === '?' && positional) {
      if (text[i + 1] === '?') {
        out.push(nextIdent(counter), at(i), true);
        i += 2;
      } else {
        out.push(nextParam(counter), at(i), true);
        i += 1;
      }
      continue;
    }
    if (ch === ':' && named && IDENT_START.test(text[i + 1] ?? '') && !IDENT_CHAR.test(text[i - 1] ?? '')) {
      let j = i + 1;
      while (j < text.length && /\w/.test(text[j]!)) j++;
      // `:name:` is an identifier binding, unless that colon starts a `::` cast (`:name::text` is a value)
      const ident = text[j] === ':' && !(text[j + 1] === ':' && text[j + 2] !== ':');
      out.push(ident ? nextIdent(counter) : nextParam(counter), at(i), true);
      i = ident ? j + 1 : j;
      continue;
    }
    copy(i, i + 1);
    i++;
  }
  out.endSrc = input.endSrc;
  return out;
}
