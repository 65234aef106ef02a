/**
 * Findings as a SARIF 2.1.0 log (what GitHub code scanning and other SARIF viewers read). Pure.
 */
import { pathToFileURL } from 'node:url';
import { FINGERPRINT_KEY } from './findings.js';
import type { Finding, TextEdit } from './report.js';

/** What a report needs to know about a rule: from its `meta.docs`. */
export interface RuleInfo {
  description?: string | undefined;
  url?: string | undefined;
}

export interface SarifOptions {
  /** The tool's name (`tool.driver.name`). */
  toolName: string;
  toolVersion?: string;
  /** Where the tool is documented (`tool.driver.informationUri`). */
  informationUri?: string;
  /** A rule's description and documentation URL. */
  rule?: (ruleId: string) => RuleInfo | undefined;
  /** A rule's documentation page as markdown (`help.markdown`, shown on a code-scanning alert). */
  help?: (ruleId: string, url: string | undefined) => string | undefined;
  /** Absolute directory the findings' paths are relative to (`originalUriBaseIds.%SRCROOT%`). */
  root?: string;
}

/** The rule id under which files ESLint could not parse are reported (they were not checked). */
export const PARSE_ERROR_RULE = 'parse-error';

const SRCROOT = '%SRCROOT%';

type Json = Record<string, unknown>;

/** A relative path with `/` separators as a URI reference (each segment percent-encoded). */
export function pathUri(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

function region(start: { line: number; column: number }, end: { line: number; column: number } | null): Json {
  const r: Json = { startLine: start.line, startColumn: start.column };
  if (end && (end.line > start.line || (end.line === start.line && end.column >= start.column))) {
    r.endLine = end.line;
    r.endColumn = end.column;
  }
  return r;
}

function replacement(edit: TextEdit): Json {
  return {
    deletedRegion: region({ line: edit.line, column: edit.column }, { line: edit.endLine, column: edit.endColumn }),
    insertedContent: { text: edit.text },
  };
}

/** The SARIF log of `findings` (one run). Every finding becomes a result; a fatal parse error under `parse-error`. */
export function toSarif(findings: readonly Finding[], options: SarifOptions): Json {
  const ruleIds = [...new Set(findings.map((f) => f.ruleId ?? PARSE_ERROR_RULE))].sort();
  const rules = ruleIds.map((id) => {
    if (id === PARSE_ERROR_RULE && findings.some((f) => f.ruleId === null)) {
      const text = 'ESLint could not parse this file, so nothing in it was checked.';
      return { id, name: id, shortDescription: { text }, fullDescription: { text }, defaultConfiguration: { level: 'error' } };
    }
    const info = options.rule?.(id);
    const text = info?.description ?? id;
    const rule: Json = { id, name: id, shortDescription: { text }, fullDescription: { text } };
    const url = info?.url;
    const page = options.help?.(id, url);
    if (url) rule.helpUri = url;
    if (url || page) {
      rule.help = { text: url ? `${text}\n\nDocumentation: ${url}` : text, markdown: page ?? `${text}\n\n[Documentation](${url})` };
    }
    return rule;
  });
  const artifact = (path: string): Json => ({ uri: pathUri(path), ...(options.root ? { uriBaseId: SRCROOT } : {}) });

  const results = findings.map((f) => {
    const ruleId = f.ruleId ?? PARSE_ERROR_RULE;
    const fatal = f.ruleId === null;
    const result: Json = {
      ruleId,
      ruleIndex: ruleIds.indexOf(ruleId),
      level: f.severity === 'warning' ? 'warning' : 'error',
      message: { text: f.message },
      locations: [
        {
          physicalLocation: {
            artifactLocation: artifact(f.path),
            region: region({ line: f.line, column: f.column }, fatal ? null : { line: f.endLine, column: f.endColumn }),
          },
        },
      ],
    };
    if (f.fingerprint) result.partialFingerprints = { [FINGERPRINT_KEY]: f.fingerprint };
    if (f.related?.length) {
      result.relatedLocations = f.related.map((r, k) => ({
        id: k + 1,
        message: { text: r.message },
        physicalLocation: { artifactLocation: artifact(r.path), region: region({ line: r.line, column: r.column }, null) },
      }));
    }
    const fixes = f.suggestions.filter((s) => s.edit).map((s) => ({
      description: { text: s.desc },
      artifactChanges: [{ artifactLocation: artifact(f.path), replacements: [replacement(s.edit!)] }],
    }));
    if (fixes.length > 0) result.fixes = fixes;
    return result;
  });

  const driver: Json = { name: options.toolName, rules };
  if (options.toolVersion) Object.assign(driver, { version: options.toolVersion, semanticVersion: options.toolVersion });
  if (options.informationUri) driver.informationUri = options.informationUri;
  const run: Json = { tool: { driver }, columnKind: 'utf16CodeUnits', results };
  if (options.root) {
    const href = pathToFileURL(options.root).href;
    run.originalUriBaseIds = { [SRCROOT]: { uri: href.endsWith('/') ? href : `${href}/` } };
  }
  return { $schema: 'https://json.schemastore.org/sarif-2.1.0.json', version: '2.1.0', runs: [run] };
}
