/**
 * Baselines: today's findings recorded by fingerprint, so a codebase can adopt the rules without fixing everything
 * first. A later run reports only findings whose fingerprint is not recorded, and lists the recorded ones it no
 * longer finds (fixed, or their lines edited) so the file can be refreshed. Fingerprints are the ones SARIF carries.
 */
import { readFileSync } from 'node:fs';
import { FINGERPRINT_KEY } from './findings.js';
import { ReviewError } from './git.js';
import { isFatal, type Finding } from './report.js';

export interface BaselineEntry {
  fingerprint: string;
  /** For people reading the file and for the stale list; matching uses the fingerprint only. */
  path: string;
  line: number;
  ruleId: string;
  message: string;
}

export interface Baseline {
  /** The fingerprint scheme; a baseline of another scheme cannot be matched. */
  fingerprints: string;
  findings: BaselineEntry[];
}

/** The baseline file for `findings` (parse errors are never recorded: their files were not checked). */
export function toBaseline(findings: readonly Finding[]): string {
  const entries: BaselineEntry[] = findings
    .filter((f) => !isFatal(f) && f.fingerprint)
    .map((f) => ({ fingerprint: f.fingerprint!, path: f.path, line: f.line, ruleId: f.ruleId!, message: f.message }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.line - b.line || (a.fingerprint < b.fingerprint ? -1 : 1)));
  const baseline: Baseline = { fingerprints: FINGERPRINT_KEY, findings: entries };
  return `${JSON.stringify(baseline, null, 2)}\n`;
}

/** Reads a baseline file; a missing, malformed or foreign file is a ReviewError naming it. */
export function readBaseline(file: string, shown: string): Baseline {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message.split('\n')[0];
    throw new ReviewError(`cannot read baseline ${shown}: ${reason}`);
  }
  const baseline = data as Partial<Baseline> | null;
  if (!baseline || typeof baseline !== 'object' || !Array.isArray(baseline.findings)) {
    throw new ReviewError(`cannot read baseline ${shown}: not a soft-delete-review baseline (write one with --write-baseline)`);
  }
  if (baseline.fingerprints !== FINGERPRINT_KEY) {
    throw new ReviewError(`cannot read baseline ${shown}: its fingerprints (${String(baseline.fingerprints)}) are not ${FINGERPRINT_KEY}; write it again with --write-baseline`);
  }
  const findings = baseline.findings.filter(
    (e): e is BaselineEntry => typeof e === 'object' && e !== null && typeof e.fingerprint === 'string' && typeof e.path === 'string',
  );
  return { fingerprints: baseline.fingerprints, findings };
}

export interface BaselineOutcome {
  /** Findings not in the baseline (and every parse error). */
  fresh: Finding[];
  /** How many findings the baseline accounted for. */
  known: number;
  /** Entries of checked files that no finding matches any more. */
  stale: BaselineEntry[];
}

/**
 * Splits findings into new and known ones. `checked(path)` says whether a file was linted in this run: only its
 * entries can be stale (a run limited to changed files knows nothing of the others).
 */
export function applyBaseline(findings: readonly Finding[], baseline: Baseline, checked: (path: string) => boolean): BaselineOutcome {
  const recorded = new Set(baseline.findings.map((e) => e.fingerprint));
  const found = new Set(findings.map((f) => f.fingerprint).filter((f): f is string => f !== undefined));
  const fresh = findings.filter((f) => isFatal(f) || !f.fingerprint || !recorded.has(f.fingerprint));
  const stale = baseline.findings.filter((e) => !found.has(e.fingerprint) && checked(e.path));
  return { fresh, known: findings.length - fresh.length, stale };
}
