/**
 * The differential oracle in CI: PostgreSQL (PGlite) is the judge of require-soft-delete-filter's verdicts on a
 * fixed-seed corpus of generated reads and writes (see test/oracle/). `npm run oracle` runs the long version.
 *
 * Documented exemptions (counted apart, never as agreement): `deliberate` reads of deleted rows, `never-true`
 * (`= NULL` is reported as a bug even where it hides nothing), `view-definition` (a view that passes `deleted_at`
 * through after DISTINCT ON is reported at its definition, not at its readers), `write-target` (UPDATE / DELETE
 * must reach deleted rows).
 */
import type { PGlite } from '@electric-sql/pglite';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateCases, generateStates } from './oracle/generator.js';
import { describeOutcome, formatMatrix, runOracle, setUpDatabase, type OracleResult, type RefOutcome } from './oracle/oracle.js';
import { PGLITE_TIMEOUT, usePGlite } from './helpers/pglite.js';

const LONG = process.env.ORACLE_LONG === '1';
const SEED = Number(process.env.ORACLE_SEED ?? 11);
const CASES = Number(process.env.ORACLE_CASES ?? (LONG ? 2000 : 220));
const STATES = Number(process.env.ORACLE_STATES ?? (LONG ? 100 : 24));

/**
 * Disagreements with the database that are still open, by class. Each must match at least one disagreement of
 * the corpus (a fixed class is taken off this list), and every disagreement must belong to one of them.
 */
const KNOWN_OPEN: Array<{ name: string; matches: (o: RefOutcome) => boolean }> = [];

const disagrees = (o: RefOutcome) => o.outcome === 'fp' || o.outcome === 'fn';

/** A few thousand statements on PGlite: about a minute on a quiet machine, several on a loaded CI runner. */
const TIMEOUT = LONG ? 3_600_000 : 5 * PGLITE_TIMEOUT;

describe('differential oracle: the rule against PostgreSQL', { timeout: TIMEOUT }, () => {
  let db: PGlite;
  usePGlite(async (instance) => {
    db = instance;
    await setUpDatabase(db);
  });
  let result: OracleResult;
  beforeAll(async () => {
    result = await runOracle(db, generateCases(SEED, CASES), generateStates(SEED, STATES));
    const open = result.refs.filter(disagrees);
    console.log(
      `oracle (seed ${SEED}, ${CASES} statements, ${STATES} states):\n${formatMatrix(result)}\n` +
        (LONG ? open.map(describeOutcome).join('\n') : `${open.length} disagreements in known open classes`),
    );
  }, TIMEOUT);

  it('every generated statement runs, and every finding is at a generated reference', () => {
    expect(result.errors).toEqual([]);
    expect(result.stray).toEqual([]);
    expect(result.refs.length).toBeGreaterThan(CASES);
  });

  it('agrees with PostgreSQL on every reference, outside the documented exemptions and the known open classes', () => {
    const unexplained = result.refs.filter((o) => disagrees(o) && !KNOWN_OPEN.some((k) => k.matches(o)));
    expect(unexplained.map(describeOutcome)).toEqual([]);
    if (LONG) return;
    const unused = KNOWN_OPEN.filter((k) => !result.refs.some((o) => disagrees(o) && k.matches(o)));
    expect(unused.map((k) => k.name), 'fixed classes must leave the known-open list').toEqual([]);
  });

  it('the classes once reported without a leak are in the corpus, silent, and PostgreSQL agrees', () => {
    // A reference tied by key to a live row (IN a filtered subquery, USING a filtering view), a filter on the outer
    // row in a correlated EXISTS, an unused LEFT JOIN on a key, a set operation whose other side decides.
    const settled = ['key-tied/in', 'key-tied/using', 'key-tied/on-view', 'correlated-outer-filter/unqualified', 'unused-left-join/unused', 'set/intersect', 'set/except', 'set/union'];
    const silentNoLeak = settled.filter((shape) => !result.refs.some((o) => o.case.shape === shape && o.outcome === 'tn'));
    expect(silentNoLeak, 'shapes with no silent, non-leaking reference in the corpus').toEqual([]);
  });

  it('every suggestion, applied, runs and stops the leak', () => {
    const fixed = result.refs.filter((o) => o.fix);
    expect(fixed.length).toBeGreaterThan(20);
    const failing = fixed.filter((o) => !o.fix!.runs || o.fix!.leaks);
    expect(failing.map(describeOutcome)).toEqual([]);
  });
});
