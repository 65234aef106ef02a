/**
 * Outputs for CI and review bots: SARIF 2.1.0 (validated against the official schema), reviewdog's rdjson, GitHub
 * workflow annotations and GitLab code quality, from the review command and as `eslint -f` formatters.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import plugin from '../src/index.js';
import { escapeData, escapeProperty, toAnnotations } from '../src/review/annotations.js';
import { LinedText } from '../src/review/text.js';
import type { Finding } from '../src/review/report.js';
import sarifFormatter from '../src/formatters/sarif.js';
import { gitRepository, review, write } from './helpers/git-repo.js';

const require = createRequire(import.meta.url);
type AjvLike = { compile(schema: unknown): ((data: unknown) => boolean) & { errors?: unknown[] | null } };
const Ajv = require('ajv-draft-04') as new (options: Record<string, unknown>) => AjvLike;
const addFormats = require('ajv-formats') as (ajv: AjvLike) => void;
// The official SARIF 2.1.0 JSON schema (draft-04), as shipped by Microsoft's SARIF matchers package.
const sarifSchema = JSON.parse(readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8')) as unknown;

function sarifValidator(): ((data: unknown) => boolean) & { errors?: unknown[] | null } {
  // unicodeRegExp off: the schema's language-tag pattern has a stray `]`, legal only in a non-Unicode RegExp.
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats(ajv);
  return ajv.compile(sarifSchema);
}
const validateSarif = sarifValidator();

function expectValidSarif(log: unknown): void {
  const valid = validateSarif(log);
  expect(validateSarif.errors ?? []).toEqual([]);
  expect(valid).toBe(true);
}

const A_TS = [
  "import { sql } from './db.js';",
  '',
  'export const all = (email: string) => /* café */ sql`SELECT * FROM users WHERE email = ${email}`;',
  'export const ids = () => sql`SELECT id FROM users`;',
  '',
].join('\n');
const MIGRATION = 'CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL UNIQUE, deleted_at timestamptz);\n';

function project(): string {
  return gitRepository({ 'migrations/001.sql': MIGRATION, 'src/a.ts': A_TS });
}

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: string;
  message: { text: string };
  locations: Array<{ physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string }; region: Record<string, number> } }>;
  partialFingerprints?: Record<string, string>;
  relatedLocations?: Array<{ id: number; message: { text: string }; physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string }; region: Record<string, number> } }>;
  fixes?: Array<{
    description: { text: string };
    artifactChanges: Array<{ artifactLocation: { uri: string }; replacements: Array<{ deletedRegion: Record<string, number>; insertedContent: { text: string } }> }>;
  }>;
}
interface SarifLog {
  version: string;
  runs: Array<{
    tool: { driver: { name: string; version?: string; rules: Array<{ id: string; shortDescription: { text: string }; helpUri?: string }> } };
    results: SarifResult[];
    originalUriBaseIds?: Record<string, { uri: string }>;
  }>;
}

/** Applies one SARIF replacement (1-based lines, UTF-16 columns, end exclusive) to a file's text. */
function applyReplacement(text: string, r: { deletedRegion: Record<string, number>; insertedContent: { text: string } }): string {
  const lined = new LinedText(text);
  const start = lined.offset(r.deletedRegion.startLine!, r.deletedRegion.startColumn!);
  const end = lined.offset(r.deletedRegion.endLine!, r.deletedRegion.endColumn!);
  return text.slice(0, start) + r.insertedContent.text + text.slice(end);
}

async function sarifOf(dir: string, ...argv: string[]): Promise<SarifLog> {
  const { code, stdout, stderr } = await review(dir, '--all', '--format', 'sarif', ...argv);
  expect(stderr).toMatch(/^soft-delete-review: coverage: [^\n]*\n$/); // nothing but the coverage line
  expect(code).toBe(1);
  return JSON.parse(stdout) as SarifLog;
}

const filterUrl = 'https://github.com/eslint-plugin-soft-delete/eslint-plugin-soft-delete/blob/main/docs/rules/require-soft-delete-filter.md';

describe('SARIF from soft-delete-review', () => {
  const dir = project();

  it('is valid SARIF 2.1.0: rules with descriptions and help URIs, exact regions, fingerprints, fixes', async () => {
    const log = await sarifOf(dir);
    expectValidSarif(log);
    expect(log.version).toBe('2.1.0');
    const [run] = log.runs;
    expect(run!.tool.driver).toMatchObject({ name: 'soft-delete-review', version: plugin.meta.version });
    expect(run!.originalUriBaseIds).toEqual({ '%SRCROOT%': { uri: `file://${dir}/` } });
    const rules = run!.tool.driver.rules;
    expect(rules.map((r) => r.id)).toEqual(['soft-delete/require-partial-unique-index', 'soft-delete/require-soft-delete-filter']);
    expect(rules[1]).toMatchObject({ helpUri: filterUrl, shortDescription: { text: plugin.rules['require-soft-delete-filter'].meta.docs!.description } });
    // The rule's page rides along as help markdown (code scanning shows it on the alert), its relative links made absolute.
    const page = readFileSync(join(fileURLToPath(new URL('..', import.meta.url)), 'docs/rules/require-soft-delete-filter.md'), 'utf8');
    const help = (rules[1] as unknown as { help: { markdown: string } }).help.markdown;
    expect(help.split('\n')[0]).toBe(page.split('\n')[0]);
    expect(help.length).toBeGreaterThan(page.length / 2);
    expect(help).not.toMatch(/\]\((?!https?:|#)/);
    if (page.includes('](require-stream-table-filter.md)')) {
      expect(help).toContain(`](${filterUrl.replace('require-soft-delete-filter.md', 'require-stream-table-filter.md')})`);
    }

    const results = run!.results;
    expect(results.map((r) => [r.ruleId, r.locations[0]!.physicalLocation.artifactLocation.uri, r.locations[0]!.physicalLocation.region.startLine])).toEqual([
      ['soft-delete/require-partial-unique-index', 'migrations/001.sql', 1],
      ['soft-delete/require-soft-delete-filter', 'src/a.ts', 3],
      ['soft-delete/require-soft-delete-filter', 'src/a.ts', 4],
    ]);
    for (const r of results) expect(rules[r.ruleIndex]!.id).toBe(r.ruleId);

    // The region is exactly the table reference `users` on line 3 (UTF-16 columns, end exclusive).
    const line3 = A_TS.split('\n')[2]!;
    const at = line3.indexOf('users') + 1;
    expect(results[1]!.locations[0]!.physicalLocation.region).toEqual({ startLine: 3, startColumn: at, endLine: 3, endColumn: at + 'users'.length });

    // The fix, applied as SARIF describes it, is the suggestion ESLint offers.
    const fix = results[1]!.fixes![0]!;
    expect(fix.description.text).toBe('Add `deleted_at IS NULL`.');
    expect(fix.artifactChanges[0]!.artifactLocation.uri).toBe('src/a.ts');
    const fixed = applyReplacement(A_TS, fix.artifactChanges[0]!.replacements[0]!);
    expect(fixed.split('\n')[2]).toBe(line3.replace('${email}`', '${email} AND deleted_at IS NULL`'));
    const uniqueFix = results[0]!.fixes![0]!.artifactChanges[0]!.replacements[0]!;
    expect(applyReplacement(MIGRATION, uniqueFix)).toContain('CREATE UNIQUE INDEX users_email_active_key ON users (email) WHERE deleted_at IS NULL;');

    // relatedLocations: the migration that made users soft-deletable (its deleted_at column), for both rules
    for (const r of results) {
      expect(r.relatedLocations).toEqual([
        {
          id: 1,
          message: { text: '`users` gets its soft-delete column `deleted_at` here.' },
          physicalLocation: { artifactLocation: { uri: 'migrations/001.sql', uriBaseId: '%SRCROOT%' }, region: { startLine: 1, startColumn: 1 } },
        },
      ]);
    }

    const fingerprints = results.map((r) => r.partialFingerprints?.['softDeleteFinding/v1']);
    expect(fingerprints.every((f) => typeof f === 'string' && /^[0-9a-f]{32}$/.test(f))).toBe(true);
    expect(new Set(fingerprints).size).toBe(3);
  });

  it('relatedLocations of a unique made wrong by a later soft-delete column: that column, and the unique it leaves full', async () => {
    const history = gitRepository({
      'migrations/001.sql': 'CREATE TABLE accounts (id int PRIMARY KEY, login text NOT NULL);\nALTER TABLE accounts ADD CONSTRAINT accounts_login_key UNIQUE (login);\n',
      'migrations/002.sql': '-- accounts become soft-deletable\nALTER TABLE accounts ADD COLUMN deleted_at timestamptz;\n',
    });
    const log = await sarifOf(history);
    expectValidSarif(log);
    const added = log.runs[0]!.results.find((r) => r.locations[0]!.physicalLocation.artifactLocation.uri === 'migrations/002.sql');
    expect(added?.relatedLocations?.map((l) => [l.physicalLocation.artifactLocation.uri, l.physicalLocation.region.startLine, l.message.text])).toEqual([
      ['migrations/002.sql', 2, '`accounts` gets its soft-delete column `deleted_at` here.'],
      ['migrations/001.sql', 2, '`accounts_login_key` is declared here.'],
    ]);
  });

  it('the schema check is real: a log with a line 0 or a bad level is rejected', async () => {
    const log = await sarifOf(dir);
    const broken = structuredClone(log);
    broken.runs[0]!.results[0]!.locations[0]!.physicalLocation.region.startLine = 0;
    expect(validateSarif(broken)).toBe(false);
    const badLevel = structuredClone(log);
    badLevel.runs[0]!.results[0]!.level = 'fatal';
    expect(validateSarif(badLevel)).toBe(false);
  });

  it('fingerprints survive lines added above and re-indentation; editing the flagged line makes a new one', async () => {
    const work = project();
    const before = await sarifOf(work);
    const print = (log: SarifLog) =>
      log.runs[0]!.results.map((r) => [r.partialFingerprints!['softDeleteFinding/v1'], r.locations[0]!.physicalLocation.region.startLine]);
    const moved = ['// a header', '// more', '', ...A_TS.split('\n').map((l) => (l.startsWith('export') ? `  ${l}` : l))].join('\n');
    write(work, { 'src/a.ts': moved });
    const after = await sarifOf(work);
    expect(print(after).map(([f]) => f)).toEqual(print(before).map(([f]) => f));
    expect(print(after).map(([, line]) => line)).toEqual([1, 6, 7]);

    write(work, { 'src/a.ts': A_TS.replace('SELECT id FROM users', 'SELECT id, email FROM users') });
    const edited = print(await sarifOf(work));
    expect(edited[1]![0]).toBe(print(before)[1]![0]);
    expect(edited[2]![0]).not.toBe(print(before)[2]![0]);
  });

  it('identical findings in one file get distinct fingerprints', async () => {
    const work = gitRepository({ 'migrations/001.sql': MIGRATION, 'q.sql': 'SELECT id FROM users;\nSELECT id FROM users;\n' });
    const log = await sarifOf(work, 'q.sql');
    const fingerprints = log.runs[0]!.results.map((r) => r.partialFingerprints!['softDeleteFinding/v1']);
    expect(fingerprints).toHaveLength(2);
    expect(new Set(fingerprints).size).toBe(2);
  });

  it('a file ESLint cannot parse is a parse-error result, and the log stays valid', async () => {
    const work = project();
    write(work, { 'src/broken.ts': 'const = ;\n' });
    const log = await sarifOf(work, 'src/broken.ts');
    expectValidSarif(log);
    expect(log.runs[0]!.results).toEqual([
      expect.objectContaining({ ruleId: 'parse-error', level: 'error', locations: [expect.objectContaining({ physicalLocation: expect.objectContaining({ artifactLocation: { uri: 'src/broken.ts', uriBaseId: '%SRCROOT%' } }) })] }),
    ]);
    expect(log.runs[0]!.tool.driver.rules.map((r) => r.id)).toEqual(['parse-error']);
  });
});

describe('rdjson, annotations and code quality from soft-delete-review', () => {
  const dir = project();

  it('rdjson: UTF-8 byte columns, the rule code with its URL, suggestions as exact edits', async () => {
    const { code, stdout } = await review(dir, '--all', '--format', 'rdjson', 'src/a.ts');
    expect(code).toBe(1);
    const rd = JSON.parse(stdout) as {
      source: { name: string };
      diagnostics: Array<{ message: string; severity: string; code: { value: string; url: string }; location: { path: string; range: { start: { line: number; column: number }; end: { line: number; column: number } } }; suggestions?: Array<{ range: { start: { line: number; column: number }; end: { line: number; column: number } }; text: string }> }>;
    };
    expect(rd.source.name).toBe('soft-delete-review');
    const [first, second] = rd.diagnostics;
    const line3 = A_TS.split('\n')[2]!;
    // `é` is one UTF-16 code unit but two UTF-8 bytes: the byte column is one more than ESLint's.
    const byteColumn = Buffer.byteLength(line3.slice(0, line3.indexOf('users')), 'utf8') + 1;
    expect(byteColumn).toBe(line3.indexOf('users') + 2);
    expect(first).toMatchObject({
      severity: 'ERROR',
      code: { value: 'soft-delete/require-soft-delete-filter', url: filterUrl },
      location: { path: 'src/a.ts', range: { start: { line: 3, column: byteColumn }, end: { line: 3, column: byteColumn + 5 } } },
    });
    const insertAt = Buffer.byteLength(line3.slice(0, line3.indexOf('`;')), 'utf8') + 1;
    expect(first!.suggestions).toEqual([{ range: { start: { line: 3, column: insertAt }, end: { line: 3, column: insertAt } }, text: ' AND deleted_at IS NULL' }]);
    expect(second!.location.range.start).toEqual({ line: 4, column: A_TS.split('\n')[3]!.indexOf('users') + 1 });
  });

  it('annotations: one workflow command per finding, with escaped properties and message', async () => {
    const { code, stdout } = await review(dir, '--all', '--format', 'annotations', 'src/a.ts');
    expect(code).toBe(1);
    const lines = stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    const at = A_TS.split('\n')[2]!.indexOf('users') + 1;
    expect(lines[0]).toBe(
      `::error file=src/a.ts,line=3,endLine=3,col=${at},endColumn=${at + 5},title=soft-delete/require-soft-delete-filter::` +
        '`users` is read without `deleted_at IS NULL`: soft-deleted rows leak into this result.%0A%0ASuggestion: Add `deleted_at IS NULL`.%0A%0A' +
        filterUrl,
    );
  });

  it('codequality: GitLab issues with the fingerprints SARIF carries', async () => {
    const sarif = await sarifOf(dir, 'src/a.ts');
    const { code, stdout } = await review(dir, '--all', '--format', 'codequality', 'src/a.ts');
    expect(code).toBe(1);
    const issues = JSON.parse(stdout) as Array<Record<string, unknown>>;
    expect(issues).toEqual(
      sarif.runs[0]!.results.map((r) => ({
        description: r.message.text,
        check_name: r.ruleId,
        fingerprint: r.partialFingerprints!['softDeleteFinding/v1'],
        severity: 'major',
        location: { path: 'src/a.ts', lines: { begin: r.locations[0]!.physicalLocation.region.startLine, end: r.locations[0]!.physicalLocation.region.endLine } },
      })),
    );
  });
});

describe('workflow-command escaping', () => {
  it('escapes %, CR and LF in messages, and also : and , in properties', () => {
    expect(escapeData('100% done\r\nnext: a, b')).toBe('100%25 done%0D%0Anext: a, b');
    expect(escapeProperty('dir:a,b/c%d\n')).toBe('dir%3Aa%2Cb/c%25d%0A');
  });

  it('a multi-line finding has no columns; a warning is ::warning; a parse error is titled as such', () => {
    const base: Finding = { path: 'a, b.ts', line: 2, column: 3, endLine: 4, endColumn: 5, ruleId: 'x/y', message: 'm', suggestions: [], severity: 'warning' };
    expect(toAnnotations([base])).toBe('::warning file=a%2C b.ts,line=2,endLine=4,title=x/y::m\n');
    expect(toAnnotations([{ ...base, ruleId: null, severity: 'error', message: 'Parsing error: x' }])).toBe(
      '::error file=a%2C b.ts,line=2,endLine=2,title=parse error%3A file not checked::Parsing error: x\n',
    );
    expect(toAnnotations([])).toBe('');
  });
});

// ---------------------------------------------------------------------------------------------------------------
// As ESLint formatters: `eslint -f ./node_modules/eslint-plugin-soft-delete/formatters/<name>.js`.

const root = fileURLToPath(new URL('..', import.meta.url));
const built = existsSync(join(root, 'dist/src/formatters/sarif.js'));

/** A project whose node_modules/eslint-plugin-soft-delete is this repository (as an installed package would be). */
function eslintProject(): string {
  const dir = gitRepository({
    'migrations/001.sql': MIGRATION,
    'src/a.js': "import { sql } from './db.js';\n\nexport const all = () => sql`SELECT * FROM users`;\n",
    'eslint.config.js': "import softDelete from 'eslint-plugin-soft-delete';\n\nexport default [...softDelete.configs.recommended];\n",
  });
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(root, join(dir, 'node_modules', 'eslint-plugin-soft-delete'), 'dir');
  return dir;
}

describe('the eslint -f formatters', () => {
  it('the SARIF formatter keeps every rule and takes descriptions from the rules meta', async () => {
    const dir = gitRepository({ 'migrations/001.sql': MIGRATION, 'src/a.js': "import { sql } from './db.js';\nexport const q = sql`SELECT * FROM users`;\nfoo;\n" });
    const eslint = new ESLint({
      cwd: dir,
      overrideConfigFile: true,
      overrideConfig: [...plugin.configs.recommended, { files: ['**/*.js'], rules: { 'no-undef': 'error' }, languageOptions: { globals: {} } }],
    });
    const results = await eslint.lintFiles(['.']);
    const log = JSON.parse(sarifFormatter(results, { cwd: dir, rulesMeta: eslint.getRulesMetaForResults(results) })) as SarifLog;
    expectValidSarif(log);
    const run = log.runs[0]!;
    expect(run.tool.driver.name).toBe('ESLint');
    expect(run.results.map((r) => `${r.ruleId} ${r.locations[0]!.physicalLocation.artifactLocation.uri}:${r.locations[0]!.physicalLocation.region.startLine}`)).toEqual([
      'soft-delete/require-partial-unique-index migrations/001.sql:1',
      'soft-delete/require-soft-delete-filter src/a.js:2',
      'no-undef src/a.js:3',
    ]);
    expect(run.tool.driver.rules.find((r) => r.id === 'no-undef')).toMatchObject({ helpUri: 'https://eslint.org/docs/latest/rules/no-undef' });
    expect(run.results[1]!.relatedLocations?.[0]?.physicalLocation.artifactLocation.uri).toBe('migrations/001.sql');
    expect(run.results[2]!.relatedLocations).toBeUndefined();
  });

  it.runIf(built)('eslint -f ./node_modules/eslint-plugin-soft-delete/formatters/sarif.js (the real CLI) prints valid SARIF', () => {
    const dir = eslintProject();
    const bin = join(root, 'node_modules/eslint/bin/eslint.js');
    const result = spawnSync(process.execPath, [bin, '-f', './node_modules/eslint-plugin-soft-delete/formatters/sarif.js', '.'], { cwd: dir, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(1);
    const log = JSON.parse(result.stdout) as SarifLog;
    expectValidSarif(log);
    expect(log.runs[0]!.results.map((r) => r.ruleId)).toEqual(['soft-delete/require-partial-unique-index', 'soft-delete/require-soft-delete-filter']);
    expect(log.runs[0]!.results[1]!.fixes).toHaveLength(1);
  }, 60_000);

  it.runIf(built)('rdjson, annotations and codequality load through ESLint by path', async () => {
    const dir = eslintProject();
    const eslint = new ESLint({ cwd: dir });
    const results = await eslint.lintFiles(['.']);
    const format = async (name: string) => (await eslint.loadFormatter(`./node_modules/eslint-plugin-soft-delete/formatters/${name}.js`)).format(results);

    const rd = JSON.parse(await format('rdjson')) as { source: { name: string }; diagnostics: Array<{ code: { value: string }; suggestions?: unknown[] }> };
    expect(rd.source.name).toBe('eslint');
    expect(rd.diagnostics.map((d) => [d.code.value, d.suggestions?.length ?? 0])).toEqual([
      ['soft-delete/require-partial-unique-index', 1],
      ['soft-delete/require-soft-delete-filter', 1],
    ]);
    const annotations = (await format('annotations')).trimEnd().split('\n');
    expect(annotations.map((l) => l.slice(0, l.indexOf(',line=')))).toEqual(['::error file=migrations/001.sql', '::error file=src/a.js']);
    const quality = JSON.parse(await format('codequality')) as Array<{ check_name: string; location: { path: string } }>;
    expect(quality.map((q) => `${q.check_name} ${q.location.path}`)).toEqual([
      'soft-delete/require-partial-unique-index migrations/001.sql',
      'soft-delete/require-soft-delete-filter src/a.js',
    ]);
  }, 60_000);

  it.runIf(built)('npm pack ships the formatters (entry points and built files) and exports them', () => {
    const packed = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' });
    expect(packed.status).toBe(0);
    const files = new Set((JSON.parse(packed.stdout) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path));
    for (const name of ['sarif', 'rdjson', 'annotations', 'codequality']) {
      expect(files).toContain(`formatters/${name}.js`);
      expect(files).toContain(`dist/src/formatters/${name}.js`);
      expect(files).toContain(`dist/src/formatters/${name}.d.ts`);
    }
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
    expect(pkg.exports['./formatters/*']).toEqual({ types: './dist/src/formatters/*.d.ts', default: './dist/src/formatters/*.js' });
  }, 60_000);
});
