/**
 * The differential oracle: PostgreSQL (PGlite) decides, reference by reference, whether soft-deleted rows can
 * change a statement's result; the analyzer's verdicts (as require-soft-delete-filter reports them) are compared
 * with that, and every suggestion the analyzer offers is applied and run.
 *
 * Ground truth for one reference: the statement is run on many states twice — as written, and with that single
 * reference reading a view of the live rows (`users` → `users__live`). The reference leaks when the two results
 * differ (as multisets) in some state. Swapping one reference at a time answers the question the rule asks at the
 * place it reports: "do this reference's deleted rows reach the result?"
 */
import type { PGlite } from '@electric-sql/pglite';
import { lowerFragments } from '../../src/engine.js';
import { ReadAnalyzer, type FragmentEdit, type ReadFinding } from '../../src/analysis/reads.js';
import { schemaFromSql } from '../../src/schema/apply.js';
import { normalizeSettings } from '../../src/settings.js';
import { wholeFileFragment } from '../../src/sql/fragment.js';
import { FIXTURE_DDL, LIVE_DDL, render, stateSql, type Case, type Exemption, type RefSpec, type State } from './generator.js';

export const EXEMPTIONS: readonly Exemption[] = ['deliberate', 'never-true', 'view-definition', 'write-target'];

export interface FixOutcome {
  /** The fixed statement parses and runs in every state. */
  runs: boolean;
  /** The fixed reference still leaks. */
  leaks: boolean;
  error: string | null;
}

export interface RefOutcome {
  case: Case;
  ref: RefSpec;
  leaks: boolean;
  /** The analyzer's finding at this reference, if any. */
  finding: ReadFinding | null;
  fix: FixOutcome | null;
  /** tp / tn / fp / fn, or `exempt:<name>` when a documented exemption explains a leak the rule does not report. */
  outcome: string;
}

export interface OracleResult {
  refs: RefOutcome[];
  /** Cases whose SQL PostgreSQL rejected (a bug of the generator). */
  errors: Array<{ sql: string; error: string }>;
  /** Findings at no marked reference (a bug of the generator, or of the analyzer's locations). */
  stray: Array<{ sql: string; at: string }>;
  matrix: { tp: number; tn: number; fp: number; fn: number; exempt: Record<string, number> };
  agreement: number;
}

export async function setUpDatabase(db: PGlite): Promise<void> {
  await db.exec(FIXTURE_DDL + LIVE_DDL);
}

/** The analyzer's findings for `sql`, with the engine and settings the rule uses by default. */
export function analyze(analyzer: ReadAnalyzer, sql: string): ReadFinding[] {
  const { statements, parseErrors } = lowerFragments([wholeFileFragment(sql)]);
  if (parseErrors.length) throw new Error(`${parseErrors[0]!.error.message}: ${sql}`);
  return statements.flatMap((s) => [...s.reads.flatMap((q) => analyzer.checkQuery(q)), ...s.writes.flatMap((w) => analyzer.checkReturning(w))]);
}

export function fixtureAnalyzer(): ReadAnalyzer {
  return new ReadAnalyzer({ schema: schemaFromSql(FIXTURE_DDL), settings: normalizeSettings({}) });
}

/** A case with `edits` (in the coordinates of its rendered SQL) applied, markers kept. */
export function applyToCase(c: Case, edits: FragmentEdit[]): Case {
  const { sql, spans } = render(c);
  let text = sql;
  const moved = new Map([...spans].map(([id, s]) => [id, { ...s }]));
  for (const e of [...edits].sort((a, b) => b.start - a.start)) {
    text = text.slice(0, e.start) + e.text + text.slice(e.end);
    const delta = e.text.length - (e.end - e.start);
    for (const [id, s] of moved) {
      if (s.start >= e.end) {
        s.start += delta;
        s.end += delta;
      } else if (e.start <= s.start && e.end >= s.end) {
        // The edit rewrites the reference itself (`orgs g` → `(SELECT * FROM orgs WHERE …) g`): follow the name.
        const name = c.refs.find((r) => r.id === id)!.relation;
        const at = e.text.indexOf(name);
        if (at < 0) throw new Error(`a fix dropped the reference ${name}`);
        s.start = e.start + at;
        s.end = s.start + name.length;
      }
    }
  }
  let template = text;
  for (const [id, s] of [...moved].sort((a, b) => b[1].start - a[1].start)) {
    template = template.slice(0, s.start) + `\u0001${id}\u0002` + template.slice(s.end);
  }
  return { ...c, template };
}

/** The result of a statement as a canonical multiset (sorted rows), or `ERROR: …`. */
async function run(db: PGlite, c: Case, sql: string): Promise<string> {
  const rows = async (text: string) => {
    const { rows: rs } = await db.query<unknown[]>(text, [], { rowMode: 'array' });
    return rs.map((row) => JSON.stringify(row)).sort().join('\n');
  };
  if (!c.writeTarget) {
    try {
      return await rows(sql);
    } catch (error) {
      return `ERROR: ${(error as Error).message}`;
    }
  }
  await db.exec('BEGIN');
  try {
    const returned = await rows(sql);
    return c.returning ? returned : await rows(`SELECT * FROM ${c.writeTarget}`);
  } catch (error) {
    return `ERROR: ${(error as Error).message}`;
  } finally {
    await db.exec('ROLLBACK');
  }
}

interface Check {
  c: Case;
  ref: RefSpec;
  leaks: boolean;
  error: string | null;
}

/** References that read deleted rows on purpose stay as written in every world the oracle compares. */
const KEPT_AS_WRITTEN = ['deliberate', 'never-true'];

/**
 * The statements whose results decide whether `p.ref` leaks: [as written, with the reference reading live rows],
 * and — when the statement has other references — [the others reading live rows, all of them reading live rows].
 * The second pair asks whether the reference still leaks once the others are fixed: two references that each
 * return the rows the other one leaks (`SELECT id FROM users UNION SELECT user_id FROM orders`) hide each
 * other's leak in the first pair only.
 */
function worlds(p: Check): Array<[string, string]> {
  const one = new Set([p.ref.id]);
  const pairs: Array<[string, string]> = [[render(p.c).sql, render(p.c, one).sql]];
  const others = p.c.refs.filter((r) => r.id !== p.ref.id && !r.tags.some((t) => KEPT_AS_WRITTEN.includes(t))).map((r) => r.id);
  if (others.length > 0) pairs.push([render(p.c, new Set(others)).sql, render(p.c, new Set([...others, p.ref.id])).sql]);
  return pairs;
}

/**
 * Does each (case, reference) leak in some state? Stops testing a pair once it leaked. Each state's statements go to
 * PostgreSQL in one batch (writes wrapped in a transaction that is rolled back); when the batch fails, one by one.
 */
async function groundTruth(db: PGlite, pairs: Check[], states: State[]): Promise<void> {
  const canonical = (rows: unknown[]) => rows.map((row) => JSON.stringify(row)).sort().join('\n');
  const plans = new Map(pairs.map((p) => [p, worlds(p)]));
  for (const state of states) {
    await db.exec(stateSql(state));
    const open = pairs.filter((p) => !p.leaks && !p.error);
    const items: Array<{ c: Case; sql: string }> = [];
    const at = new Map<string, number>();
    const slot = (c: Case, sql: string) => {
      let i = at.get(sql);
      if (i === undefined) at.set(sql, (i = items.push({ c, sql }) - 1));
      return i;
    };
    const index = new Map<Check, Array<[number, number]>>();
    for (const p of open) index.set(p, plans.get(p)!.map(([a, b]) => [slot(p.c, a), slot(p.c, b)]));
    let results: string[];
    try {
      const batch = items.map(({ c, sql }) => (c.writeTarget ? `BEGIN; ${sql}; SELECT * FROM ${c.writeTarget}; ROLLBACK;` : `${sql};`));
      const raw = await db.exec(batch.join('\n'), { rowMode: 'array' });
      results = [];
      let k = 0;
      for (const { c } of items) {
        if (c.writeTarget) {
          results.push(canonical(raw[k + (c.returning ? 1 : 2)]!.rows));
          k += 4;
        } else results.push(canonical(raw[k++]!.rows));
      }
      if (k !== raw.length) throw new Error('batch results out of step');
    } catch {
      await db.exec('ROLLBACK').catch(() => undefined);
      results = [];
      for (const { c, sql } of items) results.push(await run(db, c, sql));
    }
    for (const [p, compared] of index) {
      for (const [a, b] of compared) {
        const before = results[a]!;
        const after = results[b]!;
        if (before.startsWith('ERROR')) p.error = before;
        else if (after.startsWith('ERROR')) p.error = after;
        else if (after !== before) p.leaks = true;
      }
    }
  }
}

export async function runOracle(db: PGlite, cases: Case[], states: State[]): Promise<OracleResult> {
  const analyzer = fixtureAnalyzer();
  const errors: OracleResult['errors'] = [];
  const stray: OracleResult['stray'] = [];
  const checks: Check[] = [];
  const findings = new Map<Check, ReadFinding | null>();
  const fixChecks = new Map<Check, Check>();
  for (const c of cases) {
    const { sql, spans } = render(c);
    const found = analyze(analyzer, sql);
    const byStart = new Map(found.map((f) => [f.start, f]));
    for (const f of found) if (![...spans.values()].some((s) => s.start === f.start)) stray.push({ sql, at: sql.slice(f.start, f.end) });
    for (const ref of c.refs) {
      const check: Check = { c, ref, leaks: false, error: null };
      checks.push(check);
      const f = byStart.get(spans.get(ref.id)!.start) ?? null;
      findings.set(check, f);
      if (f?.fix) {
        const fixed = applyToCase(c, f.fix);
        fixChecks.set(check, { c: fixed, ref: fixed.refs.find((r) => r.id === ref.id)!, leaks: false, error: null });
      }
    }
  }
  await groundTruth(db, [...checks, ...fixChecks.values()], states);

  const matrix: OracleResult['matrix'] = { tp: 0, tn: 0, fp: 0, fn: 0, exempt: {} };
  const refs: RefOutcome[] = [];
  const seenErrors = new Set<Case>();
  for (const check of checks) {
    if (check.error) {
      if (!seenErrors.has(check.c)) errors.push({ sql: render(check.c).sql, error: check.error });
      seenErrors.add(check.c);
      continue;
    }
    const finding = findings.get(check) ?? null;
    const fixCheck = fixChecks.get(check);
    const fix = fixCheck ? { runs: !fixCheck.error, leaks: fixCheck.leaks, error: fixCheck.error } : null;
    const outcome = classify(check.ref, check.leaks, finding);
    if (outcome.startsWith('exempt:')) matrix.exempt[outcome.slice(7)] = (matrix.exempt[outcome.slice(7)] ?? 0) + 1;
    else matrix[outcome as 'tp' | 'tn' | 'fp' | 'fn']++;
    refs.push({ case: check.c, ref: check.ref, leaks: check.leaks, finding, fix, outcome });
  }
  const judged = matrix.tp + matrix.tn + matrix.fp + matrix.fn;
  return { refs, errors, stray, matrix, agreement: judged ? (matrix.tp + matrix.tn) / judged : 1 };
}

/**
 * Reported or not, against leaking or not. `= NULL` is a bug worth reporting even where it hides nothing; the
 * other exemptions are leaks the rule rightly leaves alone.
 */
function classify(ref: RefSpec, leaks: boolean, finding: ReadFinding | null): string {
  const reported = finding !== null;
  if (ref.tags.includes('never-true') && finding?.verdict === 'never-true') return 'exempt:never-true';
  if (leaks && !reported) {
    const exemption = EXEMPTIONS.find((e) => e !== 'never-true' && ref.tags.includes(e));
    if (exemption) return `exempt:${exemption}`;
  }
  if (reported) return leaks ? 'tp' : 'fp';
  return leaks ? 'fn' : 'tn';
}

/** One line per disagreement, for the test's report. */
export function describeOutcome(o: RefOutcome): string {
  const { sql, spans } = render(o.case);
  const span = spans.get(o.ref.id)!;
  const marked = `${sql.slice(0, span.start)}[${sql.slice(span.start, span.end)}]${sql.slice(span.end)}`;
  return `${o.outcome.toUpperCase()} ${o.case.shape}${o.finding ? ` (${o.finding.verdict})` : ''}: ${marked}`;
}

export function formatMatrix(result: OracleResult): string {
  const { tp, tn, fp, fn, exempt } = result.matrix;
  const lines = [
    `                 reported   silent`,
    `  leaks          ${String(tp).padStart(8)} ${String(fn).padStart(8)}`,
    `  does not leak  ${String(fp).padStart(8)} ${String(tn).padStart(8)}`,
    `  exempt (documented): ${Object.entries(exempt).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`,
    `  agreement: ${(result.agreement * 100).toFixed(1)}% of ${tp + tn + fp + fn} references`,
  ];
  return lines.join('\n');
}
