/**
 * What every rule shares: the rule creator (docs URL per rule), the bridge from ESLint's context (JS or the SQL
 * language) to the engine, and the mapping of fragment offsets and edits back to the linted file.
 */
import { rethrowWhenStrict } from './strict.js';
import { ESLintUtils, type TSESLint, type TSESTree } from '@typescript-eslint/utils';
import { assertValidSettings } from './settings.js';
import { analyzeFile, type FileAnalysis } from './engine.js';
import type { SourceEdit, SqlFragment } from './sql/fragment.js';
import type { FragmentEdit } from './analysis/reads.js';
import type { TraversalStep } from './js/program.js';
import { HOMEPAGE } from './package-info.js';
import { tokenize } from './sql/parser.js';
import { directiveOfComment, disabledBy, type SqlCommentDirective } from './language/directives.js';
import { recordRelated, type RelatedPlace } from './review/related.js';
import { findRelation } from './schema/model.js';

export const REPOSITORY_URL = HOMEPAGE;

type RuleDocs = { recommended?: boolean; requiresSchema?: boolean };

const ruleCreator = ESLintUtils.RuleCreator<RuleDocs>((name) => `${REPOSITORY_URL}/blob/main/docs/rules/${name}.md`);

/**
 * The languages every rule understands: JS/TS (any parser on ESLint's JS language) and the plugin's SQL language.
 * ESLint 10.2+ reads `meta.languages` and rejects a config that enables a rule for any other language (JSON,
 * Markdown, CSS) at config time; earlier versions ignore the key.
 */
export const RULE_LANGUAGES: readonly string[] = Object.freeze(['js/js', 'soft-delete/sql']);

/** Distinct option sets whose merged form is kept per rule (a project has one or two; overrides add a few). */
const MAX_OPTION_SETS = 32;

/**
 * `ESLintUtils.RuleCreator` (docs URL per rule) plus `meta.languages`, except that the options merged with the
 * defaults are computed once per distinct option set, not deep-cloned and deep-merged again for every file. Rules
 * treat their options as read-only.
 */
export function createRule<Options extends readonly unknown[], MessageIds extends string>(
  rule: Readonly<ESLintUtils.RuleWithMetaAndName<Options, MessageIds, RuleDocs>>,
): ReturnType<typeof ruleCreator<Options, MessageIds>> {
  const created = ruleCreator(rule);
  Object.assign(created.meta, { languages: [...RULE_LANGUAGES] });
  const merged = new Map<string, Options>();
  const mergeOptions = (key: string, given: Options): Options => {
    const options = ESLintUtils.applyDefault<Options, Options>((rule.defaultOptions ?? []) as Options, given);
    if (merged.size < MAX_OPTION_SETS) merged.set(key, options);
    return options;
  };
  return {
    ...created,
    create(context) {
      assertValidSettings((context.settings as Record<string, unknown> | undefined)?.['soft-delete']);
      const key = context.options.length === 0 ? '' : JSON.stringify(context.options);
      const options: Options = merged.get(key) ?? mergeOptions(key, context.options as Options);
      return rule.create(context, options);
    },
  };
}

type AnyContext = Readonly<TSESLint.RuleContext<string, readonly unknown[]>>;

interface MinimalSourceCode {
  text: string;
  getLocFromIndex(index: number): { line: number; column: number };
  getNodeByRangeIndex?: (index: number) => TSESTree.Node | null;
  visitorKeys?: Record<string, readonly string[]>;
  /** typescript-eslint's services; `program` is null without typed linting. */
  parserServices?: { program?: unknown; esTreeNodeToTSNodeMap?: { get(node: object): unknown } };
  /** ESLint's traversal of the file, made once before the rules run and cached (ESLint ≥ 9). */
  traverse?: () => Iterable<TraversalStep>;
}

function sourceCodeOf(context: AnyContext): MinimalSourceCode {
  return context.sourceCode as unknown as MinimalSourceCode;
}

/** `context.report`, plus places related to the finding (kept for SARIF `relatedLocations`). */
type Report = (descriptor: Parameters<AnyContext['report']>[0] & { related?: readonly RelatedPlace[] }) => void;

/** ESLint's cached traversal steps, when this ESLint has them: the engine's scan then walks nothing itself. */
function traversalOf(sourceCode: MinimalSourceCode): { traversal?: Iterable<TraversalStep> } {
  if (typeof sourceCode.traverse !== 'function') return {};
  try {
    return { traversal: sourceCode.traverse() };
  } catch (error) {
    rethrowWhenStrict(error);
    return {};
  }
}

/**
 * Listeners that run `check` once per file, for JS/TS files (Program) and for `.sql` files linted with the
 * plugin's SQL language (SqlDocument). `check` reports through `report`, which drops exact repeats: the same SQL
 * can reach a file twice (a const query object used by two calls), and one squiggle is enough.
 */
export function onFile(context: AnyContext, check: (analysis: FileAnalysis, report: Report) => void): TSESLint.RuleListener {
  const run = (program: TSESTree.Program | undefined): void => {
    const sourceCode = sourceCodeOf(context);
    const analysis = analyzeFile(context.sourceCode, {
      cwd: context.cwd,
      settings: context.settings as Record<string, unknown>,
      text: sourceCode.text,
      filename: context.physicalFilename,
      ...(program ? { program, visitorKeys: sourceCode.visitorKeys, ...traversalOf(sourceCode), ...typedLinting(sourceCode) } : {}),
    });
    const seen = new Set<string>();
    let directives: SqlCommentDirective[] | undefined;
    const report: Report = ({ related, ...descriptor }) => {
      const d = descriptor as { loc?: { start?: { line: number; column: number } }; messageId?: string; data?: unknown };
      const key = JSON.stringify([d.loc, d.messageId, d.data]);
      if (seen.has(key)) return;
      seen.add(key);
      // SQL comments inside a JS/TS template or string: ESLint sees a string there, so the rule reads the
      // `-- eslint-disable…` directives itself (a `.sql` file's are ESLint's own, through the SQL language).
      if (program && d.loc?.start) {
        directives ??= sqlCommentDirectives(analysis, sourceCode);
        if (directives.length && disabledBy(directives, context.id, d.loc.start)) return;
      }
      context.report(descriptor as Parameters<AnyContext['report']>[0]);
      if (related?.length && d.loc?.start) recordRelated(context.physicalFilename, d.loc.start.line, d.loc.start.column + 1, context.id, related);
    };
    try {
      check(analysis, report);
    } catch (error) {
      // Never crash ESLint: an unforeseen shape silences this file's check for this rule.
      rethrowWhenStrict(error);
      if (process.env.SOFT_DELETE_DEBUG) console.error('eslint-plugin-soft-delete: check failed', error);
    }
  };
  return {
    Program: (node: TSESTree.Program) => run(node),
    SqlDocument: () => run(undefined),
  } as TSESLint.RuleListener;
}

/** The type checker's program and node map when the file is linted with types (`parserServices.program`). */
function typedLinting(sourceCode: MinimalSourceCode): { typeProgram?: unknown; esTreeNodeToTSNodeMap?: { get(node: object): unknown } } {
  const services = sourceCode.parserServices;
  if (!services?.program || !services.esTreeNodeToTSNodeMap) return {};
  return { typeProgram: services.program, esTreeNodeToTSNodeMap: services.esTreeNodeToTSNodeMap };
}

/**
 * `eslint-disable…` directives written as SQL comments in the SQL text of a JS/TS file (templates and strings; not
 * SQL synthesized from builder code), with their file positions, in source order.
 */
function sqlCommentDirectives(analysis: FileAnalysis, sourceCode: MinimalSourceCode): SqlCommentDirective[] {
  const fragments = new Set<SqlFragment>();
  for (const statement of analysis.statements) fragments.add(statement.source.fragment);
  for (const { fragment } of analysis.parseErrors) fragments.add(fragment);
  for (const { fragment } of analysis.unchecked) fragments.add(fragment);
  const out: SqlCommentDirective[] = [];
  for (const fragment of fragments) {
    if (fragment.fixable === false || !fragment.text.includes('eslint')) continue;
    for (const token of tokenize(fragment.text)) {
      if (token.kind !== 'comment') continue;
      const start = sourceCode.getLocFromIndex(fragment.toSource(token.start));
      const end = sourceCode.getLocFromIndex(fragment.toSource(token.end - 1) + 1);
      const directive = directiveOfComment(token.text, start, end);
      if (directive) out.push(directive);
    }
  }
  return out.sort((a, b) => a.start.line - b.start.line || a.start.column - b.start.column);
}

/**
 * Where a table (as findings name it: `name` or `schema.name`) became soft-deletable: the statement that added its
 * soft-delete column, else its definition. Empty when unknown (a setting, a file position not recorded).
 */
export function softDeleteSource(analysis: FileAnalysis, table: { schema: string | null; name: string }): RelatedPlace[] {
  const relation = findRelation(analysis.context.schema, table.schema, table.name, analysis.context.settings.searchPath);
  if (!relation) return [];
  const column = analysis.reads.requirementsOfRelation(relation.schema, relation.name, relation)[0]?.columns[0];
  const added = column === undefined ? undefined : relation.columnOrigins?.get(column);
  const origin = added ?? relation.origin;
  if (!origin.file || origin.index === undefined) return [];
  const message = added ? `\`${relation.name}\` gets its soft-delete column \`${column}\` here.` : `\`${relation.name}\` is defined here.`;
  return [{ file: origin.file, index: origin.index, message }];
}

/** The file location of a span of a fragment. */
export function locOf(context: AnyContext, fragment: SqlFragment, start: number, end: number): TSESTree.SourceLocation {
  const sourceCode = sourceCodeOf(context);
  const from = fragment.toSource(start);
  let to = end > start ? fragment.toSource(end - 1) + 1 : from;
  // In a JS string or template the last character may be written as an escape (`\"users\"`): cover all of it.
  if (end > start && !/\.sql$/i.test(context.physicalFilename)) to += jsEscapeLength(sourceCode.text, to - 1) - 1;
  if (to <= from) to = from + 1;
  to = Math.min(to, sourceCode.text.length);
  return { start: sourceCode.getLocFromIndex(from), end: sourceCode.getLocFromIndex(to) };
}

/** Length of the JS escape sequence starting at `at` (1 when no escape starts there). */
function jsEscapeLength(text: string, at: number): number {
  if (text[at] !== '\\') return 1;
  const next = text[at + 1];
  if (next === 'x') return 4;
  if (next === 'u') return text[at + 2] === '{' ? Math.max(2, text.indexOf('}', at) - at + 1) : 6;
  if (next === '\r' && text[at + 2] === '\n') return 3;
  return 2;
}

/**
 * Escapes text inserted into the host of the SQL: a JS string literal (its quote and backslashes) or a template
 * literal (backticks, `${` and backslashes). `.sql` files need none.
 */
function escapeForHost(sourceCode: MinimalSourceCode, index: number, text: string): string {
  const node = sourceCode.getNodeByRangeIndex?.(index);
  if (!node) return text;
  if (node.type === 'TemplateElement' || node.type === 'TemplateLiteral') {
    return text.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${');
  }
  if (node.type === 'Literal' && typeof node.value === 'string') {
    const quote = node.raw[0] ?? "'";
    return text.replace(/\\/g, '\\\\').replace(new RegExp(quote, 'g'), `\\${quote}`).replace(/\n/g, '\\n');
  }
  return text;
}

/** A fix function applying fragment edits to the file (through nested quoting and the host literal). */
export function fixOf(context: AnyContext, edits: FragmentEdit[]): TSESLint.ReportFixFunction {
  const sourceCode = sourceCodeOf(context);
  return (fixer) =>
    edits.map((edit) => {
      const start = edit.fragment.toSource(edit.start);
      const end = edit.end > edit.start ? edit.fragment.toSource(edit.end - 1) + 1 : start;
      const sqlText = edit.fragment.escape ? edit.fragment.escape(edit.text) : edit.text;
      return fixer.replaceTextRange([start, end], escapeForHost(sourceCode, Math.max(0, start - 1), sqlText));
    });
}

/** A fix function applying edits of the file itself (a filter written in the code's idiom). */
export function sourceFixOf(edits: readonly SourceEdit[]): TSESLint.ReportFixFunction {
  return (fixer) => edits.map((edit) => fixer.replaceTextRange([edit.start, edit.end], edit.text));
}
