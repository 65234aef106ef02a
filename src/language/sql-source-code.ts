/**
 * The `SourceCode` of a `.sql` file: positions, traversal, and inline configuration (`eslint-disable…` directives
 * and `/* eslint rule: … *\/` comments) read from SQL comments.
 */
import type { FileProblem, LanguageOptions, RulesConfig, SourceLocation, TraversalStep } from '@eslint/core';
import { Directive, TextSourceCodeBase, VisitNodeStep } from '@eslint/plugin-kit';
import { commentParser, DIRECTIVE_TYPES, INLINE_CONFIG } from './directives.js';
import type { ParsedSql } from '../sql/parser.js';
import type { SqlComment, SqlDocument, SqlNode, SqlSyntaxElement } from './sql-ast.js';
import { SQL_LINE_ENDING } from './line-index.js';

export type SqlLanguageOptions = LanguageOptions;

export interface SqlSourceCodeTypeOptions {
  LangOptions: SqlLanguageOptions;
  RootNode: SqlDocument;
  SyntaxElementWithLoc: SqlSyntaxElement;
  ConfigNode: SqlComment;
}

export interface SqlInlineConfig {
  config: { rules: RulesConfig };
  loc: SourceLocation;
}

export class SqlSourceCode extends TextSourceCodeBase<SqlSourceCodeTypeOptions> {
  /** Every comment of the file, in source order. */
  readonly comments: SqlComment[];
  /**
   * The parse adapter's result for the whole file (statement spans before trimming, raw nodes, tokens), so rules
   * can run the analysis without parsing the file again.
   */
  readonly parsed: ParsedSql;

  readonly #parents = new WeakMap<SqlSyntaxElement, SqlNode>();
  #inlineConfigNodes: SqlComment[] | undefined;

  constructor({ text, ast, parsed }: { text: string; ast: SqlDocument; parsed: ParsedSql }) {
    super({ text, ast, lineEndingPattern: SQL_LINE_ENDING });
    this.comments = ast.comments;
    this.parsed = parsed;
    for (const statement of ast.statements) this.#parents.set(statement, ast);
  }

  override getParent(node: SqlSyntaxElement): SqlNode | undefined {
    return this.#parents.get(node);
  }

  override traverse(): Iterable<TraversalStep> {
    const steps: TraversalStep[] = [];
    const document = this.ast;
    steps.push(new VisitNodeStep({ target: document, phase: 1, args: [document, undefined] }));
    for (const statement of document.statements) {
      steps.push(new VisitNodeStep({ target: statement, phase: 1, args: [statement, document] }));
      steps.push(new VisitNodeStep({ target: statement, phase: 2, args: [statement, document] }));
    }
    steps.push(new VisitNodeStep({ target: document, phase: 2, args: [document, undefined] }));
    return steps;
  }

  /**
   * Every comment, as ESLint's JS `SourceCode` offers it. JS core rules (from `@eslint/js` configs written without
   * `files`) also run on `.sql` files; they read comments when created, and their JS visitors never match a SQL node.
   */
  getAllComments(): SqlComment[] {
    return this.comments;
  }

  /** Comments that look like ESLint directives or rule configuration. */
  getInlineConfigNodes(): SqlComment[] {
    this.#inlineConfigNodes ??= this.comments.filter((comment) => INLINE_CONFIG.test(comment.value));
    return this.#inlineConfigNodes;
  }

  /** `eslint-disable`, `eslint-enable`, `eslint-disable-line` and `eslint-disable-next-line`, in `--` or `/* *\/`. */
  getDisableDirectives(): { directives: Directive[]; problems: FileProblem[] } {
    const directives: Directive[] = [];
    const problems: FileProblem[] = [];
    for (const comment of this.getInlineConfigNodes()) {
      const parsed = commentParser.parseDirective(comment.value);
      if (!parsed) continue;
      const type = DIRECTIVE_TYPES.get(parsed.label);
      if (!type) continue;
      // A disable-line directive spanning lines would be ambiguous about which line it disables.
      if (type === 'disable-line' && comment.loc.start.line !== comment.loc.end.line) {
        problems.push({ ruleId: null, message: `${parsed.label} comment should not span multiple lines.`, loc: comment.loc });
        continue;
      }
      directives.push(new Directive({ type, node: comment, value: parsed.value, justification: parsed.justification }));
    }
    return { directives, problems };
  }

  /** Rule configuration comments: `/* eslint soft-delete/x: "off" *\/` (also accepted after `--`). */
  applyInlineConfig(): { configs: SqlInlineConfig[]; problems: FileProblem[] } {
    const configs: SqlInlineConfig[] = [];
    const problems: FileProblem[] = [];
    for (const comment of this.getInlineConfigNodes()) {
      const parsed = commentParser.parseDirective(comment.value);
      if (parsed?.label !== 'eslint') continue;
      const result = commentParser.parseJSONLikeConfig(parsed.value);
      if (result.ok) configs.push({ config: { rules: result.config }, loc: comment.loc });
      else problems.push({ ruleId: null, message: result.error.message, loc: comment.loc });
    }
    return { configs, problems };
  }
}
