/**
 * The JS lexical pass (src/sql/lexical.ts) against PostgreSQL's own scanner: the prose check blanks strings,
 * quoted identifiers and comments with it, on every candidate string of every file, so it must see the same
 * regions the scanner sees.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { withoutQuoted } from '../src/extract/looks-like-sql.js';
import { tokenize } from '../src/sql/parser.js';

/** The same blanking, from libpg-query's scanner (what the prose check used before the JS pass). */
function blankedByScanner(text: string): string | null {
  const tokens = tokenize(text);
  if (tokens.length === 0) return null;
  let out = '';
  let at = 0;
  for (const t of tokens) {
    const blanked =
      t.kind === 'comment' ? ' ' : t.kind === 'string' ? "''" : t.text.startsWith('"') && !t.text.startsWith('"__sd_ident_') ? '""' : undefined;
    if (blanked === undefined) continue;
    out += text.slice(at, t.start) + blanked;
    at = t.end;
  }
  return out + text.slice(at);
}

const PIECES = [
  "'", "''", '"', '""', '--', '\n', '/*', '*/', '$$', '$a$', '$b$', "E'", "e'", '\\', '\\\'', ' ', 'select', 'x', 'y1', '(', ')',
  ',', ';', '=', '$1', '"__sd_ident_1"', 'don\'t', 'a$b$', '*', '/', '-',
];

describe('lexical regions', () => {
  it('blanks the same strings, identifiers and comments as the PostgreSQL scanner', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...PIECES), { maxLength: 24 }), (pieces) => {
        const text = pieces.join('');
        const expected = blankedByScanner(text);
        // the scanner rejects unterminated regions; the JS pass then blanks to the end, which is what matters
        if (expected === null) return;
        expect(withoutQuoted(text)).toBe(expected);
      }),
      { numRuns: 3000, seed: 20261129 },
    );
  });

  it.each([
    ["select 'a -- b' from t -- don't", "select '' from t  "],
    ['select "We said" from t /* it /* nests */ still */ where 1', 'select "" from t   where 1'],
    ["select E'it\\'s' from t", "select '' from t"],
    ['select $x$ it\'s $x$ from t', "select '' from t"],
    ['select a$b$ from t', 'select a$b$ from t'],
    ['select "__sd_ident_1" from t', 'select "__sd_ident_1" from t'],
  ])('%s', (text, expected) => {
    expect(withoutQuoted(text)).toBe(expected);
  });
});
