/**
 * Speed benchmarks (not timed tests): `npm run bench` builds, then runs this file against `dist/`.
 *
 *   node bench/run.js            the full run (~1–2 min on 2 cores); prints a markdown table
 *   node bench/run.js --quick    smaller corpora, to check the runner itself
 *   node bench/run.js --json     the figures as JSON as well
 *
 * Corpora are generated into a fresh directory under os.tmpdir() and removed afterwards (--keep keeps them).
 * See bench/README.md for what each figure means and the targets.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { generateStatements, writeProject } from './corpus.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(here, '..', 'dist', 'src');
if (!existsSync(path.join(dist, 'index.js'))) {
  console.error('bench: dist/ is missing; run `npm run build` first (or `npm run bench`).');
  process.exit(1);
}
const load = (file) => import(pathToFileURL(path.join(dist, file)).href);

const SETTINGS = { 'soft-delete': { schema: ['migrations/**/*.sql'] } };

/** The ESLint setup a project would write: the recommended config, TypeScript parser, the schema glob. */
async function makeEslint(cwd) {
  const [{ ESLint }, tsParser, plugin] = await Promise.all([
    import('eslint'),
    import('@typescript-eslint/parser'),
    load('index.js'),
  ]);
  return new ESLint({
    cwd,
    overrideConfigFile: true,
    overrideConfig: [
      ...plugin.default.configs.recommended,
      { files: ['**/*.ts'], languageOptions: { parser: tsParser.default ?? tsParser } },
      { settings: SETTINGS },
    ],
  });
}

const countProblems = (results) => results.reduce((n, r) => n + r.messages.length, 0);
const fatal = (results) => results.flatMap((r) => r.messages.filter((m) => m.fatal || !m.ruleId).map((m) => `${r.filePath}: ${m.message}`));

// ---------------------------------------------------------------------------------------------------------------
// Child mode: a fresh process lints the project once (the cold CLI run).

if (process.argv[2] === '--child-lint-cold') {
  const cwd = process.argv[3];
  const t0 = performance.now();
  const eslint = await makeEslint(cwd);
  const t1 = performance.now();
  const results = await eslint.lintFiles(['src/**/*.ts']);
  const t2 = performance.now();
  process.stdout.write(JSON.stringify({ importMs: t1 - t0, lintMs: t2 - t1, files: results.length, problems: countProblems(results) }));
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------------------------

const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');
const SIZES = quick
  ? { tables: 60, migrations: 90, files: 30, statements: 400, keystrokes: 40 }
  : { tables: 200, migrations: 300, files: 200, statements: 3000, keystrokes: 300 };

const median = (xs) => quantile(xs, 0.5);
function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  const i = (s.length - 1) * q;
  const lo = Math.floor(i);
  return s[lo] + (s[Math.ceil(i)] - s[lo]) * (i - lo);
}
const fmt = (x, digits = 1) => (Math.abs(x) >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(digits));

const rows = [];
function row(benchmark, measure, value, unit, target) {
  rows.push({ benchmark, measure, value, unit, target: target?.text ?? '', ok: target ? target.ok(value) : null });
}
const atLeast = (n, unit) => ({ text: `≥ ${n.toLocaleString('en-US')} ${unit}`, ok: (v) => v >= n });
const atMost = (n, unit) => ({ text: `< ${n} ${unit}`, ok: (v) => v < n });

const project = writeProject({ tables: SIZES.tables, migrations: SIZES.migrations, files: SIZES.files });
const cleanup = () => {
  if (!args.has('--keep')) rmSync(project.dir, { recursive: true, force: true });
};
process.on('exit', cleanup);

const [{ lowerFragments }, { ReadAnalyzer }, schemaLoad, { normalizeSettings }, { wholeFileFragment }, { parseSql }] = await Promise.all([
  load('engine.js'),
  load('analysis/reads.js'),
  load('schema/load.js'),
  load('settings.js'),
  load('sql/fragment.js'),
  load('sql/parser.js'),
]);
const { loadSchema, clearSchemaCache, setSchemaClock, SCHEMA_RECHECK_MS } = schemaLoad;
const settings = normalizeSettings(SETTINGS['soft-delete']);

// (c) schema load ------------------------------------------------------------------------------------------------
{
  const times = [];
  let model;
  for (let i = 0; i < (quick ? 3 : 7); i++) {
    clearSchemaCache();
    const t = performance.now();
    model = loadSchema(project.dir, settings);
    times.push(performance.now() - t);
  }
  if (model.files.length !== SIZES.migrations || model.problems.length) {
    throw new Error(`bench: schema load read ${model.files.length} files with ${model.problems.length} problems`);
  }
  const n = SIZES.migrations;
  row('(c) schema load', `cold, ${n} migrations, first in process`, times[0], 'ms', atMost(500, 'ms'));
  row('(c) schema load', `cold, ${n} migrations, median of ${times.length - 1}`, median(times.slice(1)), 'ms', atMost(200, 'ms'));

  // Cache hit: within SCHEMA_RECHECK_MS of the last check, nothing is listed or stat'ed.
  let now = Date.now() + 1e9; // a simulated clock, ahead of the real one the cache entry was stamped with
  setSchemaClock(() => now);
  loadSchema(project.dir, settings);
  const hits = 20000;
  let t = performance.now();
  for (let i = 0; i < hits; i++) loadSchema(project.dir, settings);
  row('(c) schema load', 'cached, within the re-check interval (per call)', ((performance.now() - t) / hits) * 1000, 'µs', atMost(10, 'µs'));

  // Stamp re-check: the interval has passed, nothing changed: list the files again and stat each one.
  const recheck = [];
  for (let i = 0; i < (quick ? 20 : 100); i++) {
    now += SCHEMA_RECHECK_MS + 1;
    t = performance.now();
    const again = loadSchema(project.dir, settings);
    recheck.push(performance.now() - t);
    if (again !== model && i === 0 && again.files.length !== n) throw new Error('bench: re-check rebuilt the schema');
  }
  row('(c) schema load', `cached, stamp re-check of ${n} files (p50)`, median(recheck), 'ms', atMost(1, 'ms'));
  row('(c) schema load', `cached, stamp re-check of ${n} files (p95)`, quantile(recheck, 0.95), 'ms', atMost(5, 'ms'));
  setSchemaClock();
}

// (a) parse + lower + check throughput ----------------------------------------------------------------------------
{
  clearSchemaCache();
  const schema = loadSchema(project.dir, settings);
  const context = { schema, settings };
  const warmup = generateStatements(project.schema.tables, Math.min(1000, SIZES.statements), 101);
  // A fresh corpus per pass: the parse cache (an LRU of 500 texts) never sees a text twice.
  const passes = [202, 203, 204].map((seed) => generateStatements(project.schema.tables, SIZES.statements, seed));
  const reparse = [302, 303, 304].map((seed) => generateStatements(project.schema.tables, SIZES.statements, seed));
  const corpus = passes[0];
  const chars = corpus.reduce((n, s) => n + s.length, 0);

  let findings = 0;
  const check = (statements) => {
    const analyzer = new ReadAnalyzer(context);
    let errors = 0;
    findings = 0;
    // One fragment per statement, as the extractor yields one per template literal / query call.
    for (const text of statements) {
      const { statements: lowered, parseErrors } = lowerFragments([wholeFileFragment(text)]);
      errors += parseErrors.length;
      for (const s of lowered) {
        for (const q of s.reads) findings += analyzer.checkQuery(q).length;
        for (const d of s.definitions) if (d.query) findings += analyzer.checkDefinition(d.query, d.kind === 'view').findings.length;
      }
    }
    if (errors) throw new Error(`bench: ${errors} generated statements did not parse`);
  };
  check(warmup);
  const fullTimes = [];
  for (const statements of passes) {
    const t = performance.now();
    check(statements);
    fullTimes.push(performance.now() - t);
  }
  const parseTimes = [];
  for (const statements of reparse) {
    const t = performance.now();
    for (const text of statements) parseSql(text);
    parseTimes.push(performance.now() - t);
  }
  const full = median(fullTimes);
  const parse = median(parseTimes);
  const per = (ms) => corpus.length / (ms / 1000);
  row('(a) statements', `parse+lower+check, ${corpus.length} statements (avg ${Math.round(chars / corpus.length)} chars, ${findings} findings)`, per(full), 'statements/s', atLeast(5000, 'statements/s'));
  row('(a) statements', 'of which parse + token scan (libpg-query, adapter)', per(parse), 'statements/s', null);
  row('(a) statements', 'of which lower + check', per(full - parse), 'statements/s', null);
}

// (b) ESLint over a TS project --------------------------------------------------------------------------------------
{
  const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--child-lint-cold', project.dir], { encoding: 'utf8' });
  const cold = JSON.parse(out);
  const n = SIZES.files;
  clearSchemaCache();
  const eslint = await makeEslint(project.dir);
  const first = await eslint.lintFiles(['src/**/*.ts']);
  const problems = fatal(first);
  if (problems.length) throw new Error(`bench: fatal lint messages:\n${problems.slice(0, 5).join('\n')}`);
  if (first.length !== n || countProblems(first) !== cold.problems) throw new Error('bench: cold and warm runs disagree');
  const warm = [];
  for (let i = 0; i < 3; i++) {
    const fresh = await makeEslint(project.dir); // a new ESLint instance: no ESLint-level caching, schema cached
    const t = performance.now();
    await fresh.lintFiles(['src/**/*.ts']);
    warm.push(performance.now() - t);
  }
  row('(b) ESLint project', `cold: fresh process, ${n} files (${cold.problems} problems)`, n / (cold.lintMs / 1000), 'files/s', atLeast(50, 'files/s'));
  row('(b) ESLint project', 'cold: wall time of that run', cold.lintMs, 'ms', null);
  row('(b) ESLint project', 'cold: importing ESLint, the parser and the plugin (libpg-query WASM)', cold.importMs, 'ms', atMost(1500, 'ms'));
  row('(b) ESLint project', `warm: same process, median of ${warm.length}`, n / (median(warm) / 1000), 'files/s', atLeast(100, 'files/s'));

  // Baseline: the same project with the plugin's rules off (what ESLint + the TS parser cost alone).
  const [{ ESLint }, tsParser] = await Promise.all([import('eslint'), import('@typescript-eslint/parser')]);
  const bare = new ESLint({
    cwd: project.dir,
    overrideConfigFile: true,
    overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tsParser.default ?? tsParser } }],
  });
  await bare.lintFiles(['src/**/*.ts']);
  const baseline = [];
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    await bare.lintFiles(['src/**/*.ts']);
    baseline.push(performance.now() - t);
  }
  row('(b) ESLint project', 'baseline: ESLint + TS parser, no rules (warm)', n / (median(baseline) / 1000), 'files/s', null);
  row('(b) ESLint project', 'warm time with the plugin ÷ baseline time', median(warm) / median(baseline), '×', atMost(2, '×'));
}

// (d) editor keystrokes ---------------------------------------------------------------------------------------------
{
  const eslint = await makeEslint(project.dir);
  const filePath = path.join(project.dir, 'editor', 'screen.ts');
  const lines = project.editorText.split('\n').length - 1;
  // The user types into a string literal of one query; every other query of the file is unchanged.
  const marker = 'WHERE p.id <> 0';
  const base = project.editorText.replace(/const LABEL = /, `const DRAFT = sql\`SELECT p.id FROM users p WHERE p.id <> 0 AND p.deleted_at IS NULL\`;\nconst LABEL = `);
  const typed = 'AND p.created_at > now() AND p.id <> 42 ';
  let simulated = Date.now() + 2e9;
  setSchemaClock(() => simulated); // a keystroke every 150 ms: the schema's stamps are re-checked every ~7th lint
  const times = [];
  let rechecks = 0;
  const total = SIZES.keystrokes + 20;
  for (let i = 0; i < total; i++) {
    const before = Math.floor(simulated / 1000);
    simulated += 150;
    if (Math.floor(simulated / 1000) !== before) rechecks++;
    const text = base.replace(marker, `${marker} ${typed.slice(0, (i % typed.length) + 1)}`);
    const t = performance.now();
    const [result] = await eslint.lintText(text, { filePath });
    const ms = performance.now() - t;
    if (result.messages.some((m) => m.fatal)) throw new Error(`bench: editor file failed to parse: ${result.messages[0].message}`);
    if (i >= 20) times.push(ms); // the first lints warm up the JIT
  }
  setSchemaClock();

  // Baseline: the same keystrokes through ESLint + the TS parser with no rules.
  const [{ ESLint }, tsParser] = await Promise.all([import('eslint'), import('@typescript-eslint/parser')]);
  const bare = new ESLint({
    cwd: project.dir,
    overrideConfigFile: true,
    overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tsParser.default ?? tsParser } }],
  });
  const bareTimes = [];
  for (let i = 0; i < total; i++) {
    const text = base.replace(marker, `${marker} ${typed.slice(0, (i % typed.length) + 1)}`);
    const t = performance.now();
    await bare.lintText(text, { filePath });
    if (i >= 20) bareTimes.push(performance.now() - t);
  }
  row('(d) editor re-lint', `one ${lines}-line file, schema cached (p50)`, median(times), 'ms', null);
  row('(d) editor re-lint', `p95 (${times.length} keystrokes, ~${Math.round((rechecks / total) * 100)}% with a stamp re-check)`, quantile(times, 0.95), 'ms', atMost(50, 'ms'));
  row('(d) editor re-lint', 'max', Math.max(...times), 'ms', null);
  row('(d) editor re-lint', 'baseline: ESLint + TS parser, no rules (p50)', median(bareTimes), 'ms', null);
  row('(d) editor re-lint', "the plugin's share (p50 − baseline p50)", median(times) - median(bareTimes), 'ms', atMost(10, 'ms'));
}

// Report ----------------------------------------------------------------------------------------------------------
const cpus = os.cpus();
console.log(`\nsoft-delete benchmarks — ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ` +
  `${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${os.platform()} ${os.arch()}${quick ? ' (--quick)' : ''}\n`);
console.log('| Benchmark | Measure | Result | Target | |');
console.log('|---|---|---:|---|---|');
for (const r of rows) {
  const mark = r.ok === null ? '' : r.ok ? 'ok' : '**missed**';
  console.log(`| ${r.benchmark} | ${r.measure} | ${fmt(r.value, r.unit === 'µs' || r.unit === '×' ? 2 : 1)} ${r.unit} | ${r.target} | ${mark} |`);
}
if (args.has('--json')) console.log(JSON.stringify(rows, null, 2));
if (args.has('--keep')) console.log(`\ncorpora kept in ${project.dir}`);
