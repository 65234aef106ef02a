/**
 * Row-level security as a soft-delete filter: a policy `USING (deleted_at IS NULL)` hides soft-deleted rows — but
 * only from roles RLS applies to. The table's owner (in most deployments, the role the application connects as)
 * bypasses RLS unless the table has `FORCE ROW LEVEL SECURITY`; without `ENABLE ROW LEVEL SECURITY` the policy does
 * nothing at all. A policy whose predicate is inverted (`IS NOT NULL`) shows only deleted rows; `= NULL` shows none.
 */
import type { RelationInfo } from '../schema/model.js';
import type { SqlSource } from '../sql/source.js';
import type { StatementModel } from '../sql/lower.js';
import { predicateOfText } from '../sql/ddl.js';
import { atoms, conjuncts, type Predicate } from '../sql/predicate.js';
import { historyModel, writtenAt } from './history.js';
import type { AnalysisContext } from './reads.js';
import { implies, type Requirement } from './requirement.js';
import { softDeleteRequirement } from './writes.js';

export type RlsVerdict = 'not-forced' | 'not-enabled' | 'inverted' | 'never-true';

export interface RlsFinding {
  verdict: RlsVerdict;
  source: SqlSource;
  start: number;
  end: number;
  policy: string;
  table: string;
  filter: string;
}

const anyRow = () => true;

function selectsTombstonesOnly(predicate: Predicate, requirement: Requirement): boolean {
  return conjuncts(predicate).some((c) =>
    conjuncts(requirement.predicate).some(
      (r) =>
        (r.kind === 'null-test' && c.kind === 'null-test' && c.column.name === r.column.name && c.isNull !== r.isNull) ||
        (r.kind === 'bool-test' && c.kind === 'bool-test' && c.column.name === r.column.name && c.value !== r.value),
    ),
  );
}

export function checkPolicies(statements: readonly StatementModel[], context: AnalysisContext, file: string, isSchemaFile: boolean): RlsFinding[] {
  const written = statements.flatMap((s) => s.ddl.flatMap((e) => (e.type === 'policy' && e.op === 'create' ? [{ event: e, source: s.source }] : [])));
  if (written.length === 0) return [];
  const model = historyModel(statements, { schema: context.schema, searchPath: context.settings.searchPath, file, isSchemaFile });
  const findings: RlsFinding[] = [];
  for (const relation of model.relations.values()) {
    for (const policy of relation.policies) {
      const hit = written.find((w) => w.event.at !== undefined && writtenAt(policy.origin, file, w.source.fragment, w.event.at));
      if (!hit?.event.nameSpan || policy.using === null) continue;
      const verdict = judge(context, relation, policy.using, policy.command ?? 'all', policy.permissive !== false);
      if (!verdict) continue;
      findings.push({
        verdict: verdict.verdict,
        source: hit.source,
        start: hit.event.nameSpan.start,
        end: hit.event.nameSpan.end,
        policy: policy.name,
        table: relation.name,
        filter: verdict.filter,
      });
    }
  }
  return findings;
}

function judge(
  context: AnalysisContext,
  relation: RelationInfo,
  using: string,
  command: string,
  permissive: boolean,
): { verdict: RlsVerdict; filter: string } | null {
  const soft = softDeleteRequirement(context, relation);
  const predicate = predicateOfText(using);
  if (!soft || !predicate) return null;
  const { requirement } = soft;
  const filter = requirement.text;
  if (atoms(predicate).some((a) => a.kind === 'never' && requirement.columns.includes(a.column.name))) return { verdict: 'never-true', filter };
  if (permissive && (command === 'all' || command === 'select') && selectsTombstonesOnly(predicate, requirement)) return { verdict: 'inverted', filter };
  if (!implies(predicate, requirement.predicate, anyRow)) return null;
  if (!relation.rlsEnabled) return { verdict: 'not-enabled', filter };
  if (!relation.rlsForced) return { verdict: 'not-forced', filter };
  return null;
}
