/**
 * Every pass over user text gets adversarial ~100 KB inputs (long blank runs, repeated keywords, unclosed quotes) and
 * must come back with its result. Nothing here reads a clock (tests assert no time on a slow, shared CI): the
 * regexes are proved linear statically (regex-complexity.test.ts); a quadratic pass over 100 KB (~10^10 steps) does
 * not come back within the test's timeout; `node bench/adversarial.js` measures the CPU time of every pass and how it
 * grows from 25 KB to 100 KB.
 */
import { describe, expect, it } from 'vitest';
import { schemaFromSql } from '../src/schema/apply.js';
import { parserLoaded } from '../src/sql/parser.js';
import { ADVERSARIAL_PASSES, adversarialInputs } from '../bench/adversarial-inputs.js';

const INPUTS = adversarialInputs(100_000);
const passes = await Promise.all(
  ADVERSARIAL_PASSES.map(async ({ name, module, input, only }) => {
    const run = (await import(`../src/${module}`))[name] as (text: string) => unknown;
    return [name, (text: string) => run(input ? input(text) : text), only ?? Object.keys(INPUTS)] as const;
  }),
);
await parserLoaded();

describe('adversarial 100 KB inputs', () => {
  for (const [name, pass, inputs] of passes) {
    it(name, () => {
      for (const label of inputs) {
        const input = INPUTS[label]!;
        const result = pass(input);
        // each pass answers about its input: blanking keeps every offset; the others return a verdict, a parse outcome …
        if (name.startsWith('blank')) expect((result as string).length, label).toBe(input.length);
        else if (name !== 'decodeStringLiteral') expect(result, label).not.toBeUndefined(); // (a malformed literal decodes to undefined)
      }
    });
  }

  it('choosing index names over 20,000 tables', () => {
    const sql = Array.from({ length: 20_000 }, (_, i) => `CREATE TABLE t${i} (id int, email text UNIQUE);`).join('\n');
    const model = schemaFromSql(sql);
    expect(model.relations.get('public.t19999')!.uniques.map((u) => u.name)).toEqual(['t19999_email_key']);
  });
});

describe('memory', () => {
  it('the parse cache is bounded by the size of the SQL it keeps, not only by the number of texts', async () => {
    const { parseCached, parseCacheSize, PARSE_CACHE_CHARS } = await import('../src/sql/source.js');
    // Mostly comments: big texts that parse fast (the bound is on characters, whatever they hold).
    const padding = (chars: number) => `-- ${'x'.repeat(96)}\n`.repeat(Math.ceil(chars / 100));
    for (let i = 0; i < 12; i++) parseCached(`SELECT ${i} FROM users;\n${padding(400_000)}`);
    const { chars, entries } = parseCacheSize();
    expect(chars).toBeLessThanOrEqual(PARSE_CACHE_CHARS);
    expect(entries).toBeGreaterThan(0);
    const huge = `SELECT 1 FROM users;\n${padding(PARSE_CACHE_CHARS + 1)}`;
    expect(parseCached(huge).ok).toBe(true);
    expect(parseCacheSize().chars).toBeLessThanOrEqual(PARSE_CACHE_CHARS);
  });

  it('keeps a project of thousands of queries (a re-lint hits), and bounds many tiny texts by their count', async () => {
    const { parseCached, parseCacheSize, PARSE_CACHE_CHARS, PARSE_CACHE_ENTRY_CHARS } = await import('../src/sql/source.js');
    const query = (i: number) => `SELECT id, email FROM users_${i} WHERE deleted_at IS NULL AND id = $1`;
    const first = Array.from({ length: 3000 }, (_, i) => parseCached(query(i)));
    // the second pass gets the very same results back: nothing was evicted by the first
    expect(first.every((outcome, i) => parseCached(query(i)) === outcome)).toBe(true);
    const most = Math.floor(PARSE_CACHE_CHARS / PARSE_CACHE_ENTRY_CHARS);
    for (let i = 0; i < most + 500; i++) parseCached(`SELECT ${i}`);
    expect(parseCacheSize().entries).toBeLessThanOrEqual(most);
    expect(parseCacheSize().chars).toBeLessThanOrEqual(PARSE_CACHE_CHARS);
  });
});
