/**
 * Speed benchmarks (not timed tests): `npm run bench` builds, then runs this file against `dist/`.
 *
 *   node bench/run.js                 every target, full size (several minutes on 2 shared cores)
 *   node bench/run.js --quick         a tenth of the size and fewer rounds, to check the runner itself
 *   node bench/run.js --scale=0.25    any other size (1 = the sizes the targets are stated for)
 *   node bench/run.js --only=warm,editor   some targets: cli, warm, statement, schema, editor (hosting: no-op rules)
 *   node bench/run.js --rounds=5      rounds of each interleaved comparison
 *   node bench/run.js --json          the figures as JSON as well;  --keep  keeps the generated projects
 *   node bench/run.js --dist=../old/dist/src   measure another build (before/after comparisons)
 *
 * Every target is a RATIO of interleaved runs (the plugin's run and its baseline alternate, round after round,
 * in one process or one session of child processes), in CPU time and wall time, with the median and the spread
 * over the rounds: on a shared machine absolute times move by tens of percent, ratios much less. In-process runs
 * start from a collected heap; the warm and editor targets also run no-op rules, to tell what ESLint charges for
 * hosting any rules from the plugin's own work.
 * See bench/README.md for what each figure means, the targets and the latest results.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';
import { generateStatements, generateStructureSql, writeProject, writeRealisticProject } from './corpus.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(here, '..');
// --dist=<dir>: measure another build (e.g. an older commit's `dist/src`), with this runner and these corpora.
const distOption = process.argv.find((a) => a.startsWith('--dist='))?.slice('--dist='.length);
const dist = distOption ? path.resolve(distOption) : path.join(root, 'dist', 'src');
if (!existsSync(path.join(dist, 'index.js'))) {
  console.error('bench: dist/ is missing; run `npm run build` first (or `npm run bench`).');
  process.exit(1);
}
const distUrl = (file) => pathToFileURL(path.join(dist, file)).href;
const load = (file) => import(distUrl(file));
const require = createRequire(import.meta.url);
/** typescript-eslint is an optional extra baseline: `npm i --no-save typescript-eslint` to include it. */
const tseslintPath = (() => {
  try {
    return require.resolve('typescript-eslint');
  } catch {
    return null;
  }
})();

// ---------------------------------------------------------------------------------------------------------------
// Child mode: a fresh process loads one schema (the first load of a CLI run).

if (process.argv[2] === '--child-schema') {
  const cwd = process.argv[3];
  const t0 = performance.now();
  const [{ loadSchema }, { normalizeSettings }] = await Promise.all([load('schema/load.js'), load('settings.js')]);
  const init = await load('sql/parser.js');
  if (typeof init.initParser === 'function') await init.initParser();
  const t1 = performance.now();
  const c = process.cpuUsage();
  const model = loadSchema(cwd, normalizeSettings(undefined));
  const t2 = performance.now();
  const u = process.cpuUsage(c);
  process.stdout.write(
    JSON.stringify({ importMs: t1 - t0, loadMs: t2 - t1, loadCpuMs: (u.user + u.system) / 1000, relations: model.relations.size, problems: model.problems.length }),
  );
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------------------------

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(`--${name}`);
const option = (name) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const quick = flag('quick');
const scale = Number(option('scale') ?? (quick ? 0.1 : 1));
const only = new Set((option('only') ?? 'cli,warm,statement,schema,editor').split(','));
const ROUNDS = Number(option('rounds') ?? (quick ? 2 : 5));
const SIZES = {
  files: Math.max(40, Math.round(2000 * scale)),
  denseFiles: Math.max(30, Math.round(200 * scale)),
  statements: quick ? 150 : 300,
  statementRounds: quick ? 4 : 12,
  structure: 3000,
  keystrokes: quick ? 30 : 200,
};

const median = (xs) => quantile(xs, 0.5);
function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  const i = (s.length - 1) * q;
  const lo = Math.floor(i);
  return s[lo] + (s[Math.ceil(i)] - s[lo]) * (i - lo);
}

/**
 * A full garbage collection before each timed run (V8's `gc`, exposed at run time): each run then pays for the
 * garbage it makes itself, not for what the run before it left (which, with two configurations alternating, lands
 * on one or the other by chance and was the largest source of spread between rounds).
 */
v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc');

/** CPU (user + system, every thread of this process, so GC included) and wall time of `fn`, in ms. */
async function timed(fn) {
  collectGarbage();
  const c = process.cpuUsage();
  const t = performance.now();
  await fn();
  const wall = performance.now() - t;
  const u = process.cpuUsage(c);
  return { cpu: (u.user + u.system) / 1000, wall };
}

/**
 * Runs every variant once per round and returns the samples per variant. The order changes each round: rotated
 * every other round and run backwards on the odd ones, so no variant always goes first, and none always runs right
 * after the same neighbour (which would make it pay for that neighbour's leftover garbage collection every time).
 * `measure(name, round)` returns `{ cpu, wall }`.
 */
async function interleave(names, rounds, measure) {
  const samples = Object.fromEntries(names.map((n) => [n, { cpu: [], wall: [] }]));
  for (let round = 0; round < rounds; round++) {
    const rotated = names.map((_, k) => names[(k + (round >> 1)) % names.length]);
    const order = round % 2 ? rotated.reverse() : rotated;
    for (const name of order) {
      const { cpu, wall } = await measure(name, round);
      samples[name].cpu.push(cpu);
      samples[name].wall.push(wall);
    }
  }
  return samples;
}

const rows = [];
/** Each figure is also printed as soon as it is measured (stderr), so a long run shows progress. */
const progress = (row) => console.error(`bench: ${row.target} | ${row.corpus} | ${row.measure}: ${row.cpu ? `CPU ${row.cpu.median.toFixed(2)} (${row.cpu.min.toFixed(2)}–${row.cpu.max.toFixed(2)}), wall ${row.wall.median.toFixed(2)}` : `${row.value.toFixed(2)} ${row.unit}`}`);
/** A ratio row: per-round ratios of `a` over `b` (same round), median and spread, CPU and wall. */
function ratioRow(target, corpus, measure, a, b, goal, extra = {}) {
  const per = (kind) => a[kind].map((x, i) => x / b[kind][i]);
  const cpu = per('cpu');
  const wall = per('wall');
  rows.push({
    target, corpus, measure, unit: '×',
    cpu: { median: median(cpu), min: Math.min(...cpu), max: Math.max(...cpu) },
    wall: { median: median(wall), min: Math.min(...wall), max: Math.max(...wall) },
    plugin: median(a.cpu), baseline: median(b.cpu), rounds: cpu.length,
    goal: goal?.text ?? '', ok: goal ? goal.ok(median(cpu)) : null, ...extra,
  });
  progress(rows[rows.length - 1]);
}
/** A plain value row (absolute times, shares). */
function valueRow(target, corpus, measure, value, unit, goal, spread) {
  rows.push({ target, corpus, measure, unit, value, spread, goal: goal?.text ?? '', ok: goal ? goal.ok(value) : null });
  progress(rows[rows.length - 1]);
}
const atMost = (n, unit) => ({ text: `≤ ${n}${unit}`, ok: (v) => v <= n });
const below = (n, unit) => ({ text: `< ${n}${unit}`, ok: (v) => v < n });

// Corpora --------------------------------------------------------------------------------------------------------

const realistic = writeRealisticProject({ files: SIZES.files });
const dense = writeProject({ tables: 200, migrations: 300, files: SIZES.denseFiles });
const structureDir = path.join(os.tmpdir(), `soft-delete-structure-${process.pid}`);
const structure = generateStructureSql({ statements: SIZES.structure });
mkdirSync(path.join(structureDir, 'db'), { recursive: true });
// Projects have a node_modules (where the plugin keeps its on-disk schema cache).
for (const dir of [realistic.dir, dense.dir, structureDir]) mkdirSync(path.join(dir, 'node_modules'), { recursive: true });
writeFileSync(path.join(structureDir, 'db', 'structure.sql'), structure.text);
const cleanup = () => {
  if (flag('keep')) return;
  for (const dir of [realistic.dir, dense.dir, structureDir]) rmSync(dir, { recursive: true, force: true });
};
process.on('exit', cleanup);

/** The realistic project finds its schema by discovery (no settings), as the Quick start sets it up. */
const CORPORA = [
  { name: 'realistic', dir: realistic.dir, settings: undefined, files: SIZES.files, what: `${SIZES.files} files, ${realistic.sqlFiles} with ${realistic.queries} queries` },
  { name: 'SQL-dense', dir: dense.dir, settings: { schema: ['migrations/**/*.sql'] }, files: SIZES.denseFiles, what: `${SIZES.denseFiles} files, ~9 queries each` },
];

const [{ ESLint }, tsParserModule, pluginModule, tseslintModule] = await Promise.all([
  import('eslint'),
  import('@typescript-eslint/parser'),
  load('index.js'),
  tseslintPath ? import(pathToFileURL(tseslintPath).href) : Promise.resolve(null),
]);
const tsParser = tsParserModule.default ?? tsParserModule;
const plugin = pluginModule.default;
const tseslint = tseslintModule?.default ?? null;

/**
 * As many rules as the plugin's `recommended` enables, each doing nothing but listen on `Program` (as the plugin's
 * rules do): what ESLint charges for hosting any rules, whatever they do. (`severity` "off": configured, not run.)
 */
function noopRules(n, listeners = () => ({ Program() {} }), severity = 'error') {
  const rules = Object.fromEntries(Array.from({ length: n }, (_, i) => [`r${i}`, { meta: { type: 'problem', schema: [] }, create: () => listeners() }]));
  const enabled = Object.fromEntries(Object.keys(rules).map((r) => [`noop/${r}`, severity]));
  return [{ files: ['**/*.ts'], plugins: { noop: { rules } }, rules: enabled }];
}
const recommendedCount = () => Object.keys(plugin.configs.recommended.find((c) => c.rules)?.rules ?? {}).length;

/** The configurations compared: no rules, no-op rules, the plugin, and (when installed) typescript-eslint's recommended. */
function configs(settings) {
  const none = [{ files: ['**/*.ts'], languageOptions: { parser: tsParser } }];
  const withSettings = settings ? [{ settings: { 'soft-delete': settings } }] : [];
  const out = { none, noop: [...none, ...noopRules(recommendedCount())], plugin: [...none, ...plugin.configs.recommended, ...withSettings] };
  if (tseslint) {
    out.tseslint = [...tseslint.configs.recommended];
    out['tseslint+plugin'] = [...tseslint.configs.recommended, ...plugin.configs.recommended, ...withSettings];
  }
  return out;
}
const eslintFor = (cwd, config) => new ESLint({ cwd, overrideConfigFile: true, overrideConfig: config });
const countProblems = (results) => results.reduce((n, r) => n + r.messages.length, 0);
const fatal = (results) => results.flatMap((r) => r.messages.filter((m) => m.fatal || !m.ruleId).map((m) => `${r.filePath}: ${m.message}`));

// 1. The eslint CLI, cold ----------------------------------------------------------------------------------------

if (only.has('cli')) {
  const eslintBin = path.join(path.dirname(require.resolve('eslint/package.json')), 'bin', 'eslint.js');
  const reporter = pathToFileURL(path.join(here, 'cpu-report.js')).href;
  for (const corpus of CORPORA) {
    // Config files as a project would write them, importing the parser and the plugin by absolute URL.
    const parserUrl = pathToFileURL(require.resolve('@typescript-eslint/parser')).href;
    const settings = corpus.settings ? `, { settings: { 'soft-delete': ${JSON.stringify(corpus.settings)} } }` : '';
    const base = `import parser from '${parserUrl}';\nimport softDelete from '${distUrl('index.js')}';\n`;
    const files = {
      none: `${base}export default [{ files: ['**/*.ts'], languageOptions: { parser } }];\n`,
      plugin: `${base}export default [{ files: ['**/*.ts'], languageOptions: { parser } }, ...softDelete.configs.recommended${settings}];\n`,
    };
    if (tseslintPath) {
      const t = `import tseslint from '${pathToFileURL(tseslintPath).href}';\n`;
      files.tseslint = `${base}${t}export default [...tseslint.configs.recommended];\n`;
      files['tseslint+plugin'] = `${base}${t}export default [...tseslint.configs.recommended, ...softDelete.configs.recommended${settings}];\n`;
    }
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(corpus.dir, `eslint.${name}.config.mjs`), text);
    const cpuFile = path.join(corpus.dir, 'cpu.json');
    const problems = {};
    // The plugin twice: as it runs (its on-disk schema cache left by the previous run) and with that cache off.
    const names = [...Object.keys(files), 'plugin-nocache'];
    const samples = await interleave(names, ROUNDS, (name) => {
      const t = performance.now();
      const config = name === 'plugin-nocache' ? 'plugin' : name;
      const run = spawnSync(process.execPath, ['--import', reporter, eslintBin, '--config', `eslint.${config}.config.mjs`, 'src'], {
        cwd: corpus.dir,
        env: { ...process.env, SOFT_DELETE_BENCH_CPU: cpuFile, ...(name === 'plugin-nocache' ? { SOFT_DELETE_SCHEMA_CACHE: '0' } : {}) },
        encoding: 'utf8',
        maxBuffer: 1 << 28,
      });
      const wall = performance.now() - t;
      if (run.status !== 0 && run.status !== 1) throw new Error(`bench: eslint (${name}) exited ${run.status}: ${run.stderr.slice(0, 2000)}`);
      problems[name] = (run.stdout.match(/^\s+\d+:\d+\s/gm) ?? []).length;
      return { cpu: JSON.parse(readFileSync(cpuFile, 'utf8')).cpuMs, wall };
    });
    const what = `eslint CLI, cold (${corpus.what}; ${problems.plugin} problems)`;
    ratioRow('cold CLI', corpus.name, `${what}: plugin ÷ no rules`, samples.plugin, samples.none, atMost(1.1, '×'));
    ratioRow('cold CLI', corpus.name, 'the same, on-disk schema cache off (a first run, or CI without a cache): plugin ÷ no rules', samples['plugin-nocache'], samples.none, atMost(1.1, '×'));
    if (samples.tseslint) {
      ratioRow('cold CLI', corpus.name, 'eslint CLI, cold: typescript-eslint recommended + plugin ÷ typescript-eslint recommended', samples['tseslint+plugin'], samples.tseslint, atMost(1.1, '×'));
    }
  }
}

// 2. Warm: lintFiles again in the same process ---------------------------------------------------------------------

/**
 * What hosting rules costs under ESLint, whatever they do: a plugin of no-op rules listening on `Program` only (as
 * the plugin's rules do) — one rule, as many as `recommended` enables, as many as `strict` enables — or on four node
 * types each; and as many rules configured but turned off.
 */
function noopConfigs() {
  const count = recommendedCount();
  const strict = new Set(plugin.configs.strict.flatMap((c) => Object.keys(c.rules ?? {}))).size;
  const config = (listeners, n = count, severity = 'error') => [{ files: ['**/*.ts'], languageOptions: { parser: tsParser } }, ...noopRules(n, listeners, severity)];
  // a function per rule instance, as real rules have (ESLint wraps a listener shared by two rules)
  return {
    count,
    strict,
    'noop-one': config(() => ({ Program() {} }), 1),
    'noop-program': config(() => ({ Program() {} })),
    'noop-strict': config(() => ({ Program() {} }), strict),
    'noop-nodes': config(() => ({ Identifier() {}, CallExpression() {}, TaggedTemplateExpression() {}, Literal() {} })),
    'noop-off': config(() => ({ Program() {} }), count, 'off'),
  };
}

if (only.has('warm') || only.has('hosting')) {
  for (const corpus of only.has('warm') ? CORPORA : CORPORA.slice(0, 1)) {
    const noops = only.has('hosting') && corpus === CORPORA[0] ? noopConfigs() : null;
    const variants = { ...(only.has('warm') ? configs(corpus.settings) : { none: configs(corpus.settings).none }) };
    if (noops) for (const name of ['noop-one', 'noop-program', 'noop-strict', 'noop-nodes', 'noop-off']) variants[name] = noops[name];
    const instances = {};
    let problems = 0;
    for (const [name, config] of Object.entries(variants)) {
      instances[name] = eslintFor(corpus.dir, config);
      const first = await instances[name].lintFiles(['src/**/*.ts']); // the first run: schema load, JIT warm-up
      const bad = fatal(first);
      if (bad.length) throw new Error(`bench: fatal lint messages (${name}):\n${bad.slice(0, 5).join('\n')}`);
      if (first.length !== corpus.files) throw new Error(`bench: ${name} linted ${first.length} files, expected ${corpus.files}`);
      if (name === 'plugin') problems = countProblems(first);
    }
    const samples = await interleave(Object.keys(instances), ROUNDS, (name) => timed(() => instances[name].lintFiles(['src/**/*.ts'])));
    if (noops) {
      ratioRow('rule hosting', corpus.name, 'lintFiles again: 1 no-op rule, a Program listener ÷ no rules', samples['noop-one'], samples.none, null);
      ratioRow('rule hosting', corpus.name, `lintFiles again: ${noops.count} no-op rules, a Program listener each ÷ no rules`, samples['noop-program'], samples.none, null);
      ratioRow('rule hosting', corpus.name, `lintFiles again: ${noops.strict} no-op rules (as many as strict), a Program listener each ÷ no rules`, samples['noop-strict'], samples.none, null);
      ratioRow('rule hosting', corpus.name, `lintFiles again: ${noops.count} no-op rules, four node-type listeners each ÷ no rules`, samples['noop-nodes'], samples.none, null);
      ratioRow('rule hosting', corpus.name, `lintFiles again: ${noops.count} no-op rules configured "off" ÷ no rules`, samples['noop-off'], samples.none, null);
    }
    if (!samples.plugin) continue;
    ratioRow('warm lintFiles', corpus.name, `lintFiles again, same instance (${corpus.what}; ${problems} problems): plugin ÷ no rules`, samples.plugin, samples.none, atMost(1.1, '×'));
    ratioRow('warm lintFiles', corpus.name, `the same: ${recommendedCount()} no-op rules (a Program listener each) ÷ no rules: what ESLint charges for hosting rules at all`, samples.noop, samples.none, null);
    ratioRow('warm lintFiles', corpus.name, 'the same: plugin ÷ those no-op rules: the plugin\'s own work', samples.plugin, samples.noop, null);
    if (samples.tseslint) {
      ratioRow('warm lintFiles', corpus.name, 'lintFiles again: typescript-eslint recommended + plugin ÷ typescript-eslint recommended', samples['tseslint+plugin'], samples.tseslint, atMost(1.1, '×'));
    }
    if (corpus !== CORPORA[0]) continue;
    // The realistic project's two kinds of files apart: data-access modules, and the ordinary code around them.
    const subsets = [
      ['without SQL', 'src/*/{types,utils,routes,services}/*.ts'],
      ['with SQL', 'src/*/repositories/*.ts'],
    ];
    for (const [label, glob] of subsets) {
      const names = ['none', 'noop', 'plugin'];
      let count = 0;
      for (const name of names) count = (await instances[name].lintFiles([glob])).length;
      const sub = await interleave(names, ROUNDS, (name) => timed(() => instances[name].lintFiles([glob])));
      ratioRow('warm lintFiles', corpus.name, `only the ${count} files ${label}: no-op rules ÷ no rules`, sub.noop, sub.none, null);
      ratioRow('warm lintFiles', corpus.name, `only the ${count} files ${label}: plugin ÷ no-op rules`, sub.plugin, sub.noop, null);
    }
  }
}

// 3. Per statement: the whole pipeline ÷ the parser ------------------------------------------------------------------

if (only.has('statement')) {
  const [{ lowerFragments }, { ReadAnalyzer }, { loadSchema }, { normalizeSettings }, { wholeFileFragment }, { parseSql }, libpg] = await Promise.all([
    load('engine.js'),
    load('analysis/reads.js'),
    load('schema/load.js'),
    load('settings.js'),
    load('sql/fragment.js'),
    load('sql/parser.js'),
    import('libpg-query'),
  ]);
  const settings = normalizeSettings(CORPORA[1].settings);
  const context = { schema: loadSchema(dense.dir, settings), settings };
  let findings = 0;
  /** What the rules run for each SQL string: parse (cached), lower, check reads and definitions. */
  const pipeline = (statements) => {
    const analyzer = new ReadAnalyzer(context);
    let errors = 0;
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
  const batchOf = (round) => generateStatements(dense.schema.tables, SIZES.statements, 1000 + round);
  pipeline(batchOf(-1)); // warm-up
  // A fresh batch per round (the pipeline's parse cache never hits); each variant runs the same batch.
  const batches = [];
  const samples = await interleave(['pipeline', 'parseSync', 'parseSql'], SIZES.statementRounds, (name, round) => {
    const batch = (batches[round] ??= batchOf(round));
    return timed(() => {
      if (name === 'pipeline') pipeline(batch);
      else if (name === 'parseSync') for (const text of batch) libpg.parseSync(text);
      else for (const text of batch) parseSql(text);
    });
  });
  const n = SIZES.statements;
  const us = (ms) => ((ms / n) * 1000).toFixed(0);
  const chars = Math.round(batches[0].reduce((k, s) => k + s.length, 0) / n);
  ratioRow('per statement', 'SQL-dense', `parse + lower + check ÷ parseSync (${n} statements × ${SIZES.statementRounds} rounds, avg ${chars} chars; ${us(median(samples.pipeline.cpu))} vs ${us(median(samples.parseSync.cpu))} µs)`, samples.pipeline, samples.parseSync, atMost(1.5, '×'));
  ratioRow('per statement', 'SQL-dense', `of which the parser adapter (parseSql: parse + location remapping) ÷ parseSync (${us(median(samples.parseSql.cpu))} µs)`, samples.parseSql, samples.parseSync, null);
}

// 4. Schema: the first load in a process ------------------------------------------------------------------------------

if (only.has('schema')) {
  const child = (dir) =>
    JSON.parse(execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--child-schema', dir, ...(distOption ? [`--dist=${dist}`] : [])], { encoding: 'utf8' }));
  const spread = (xs) => `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`;
  const col = (list, key) => list.map((r) => r[key]);
  // Per project, in fresh processes, round after round: no on-disk copy; the copy the previous process left; the
  // copy after one schema file changed (a statement appended: a developer adds to a migration or a dump).
  const schemaRuns = (dir, changedFile) => {
    const cacheDir = path.join(dir, 'node_modules', '.cache');
    const runs = { cold: [], cached: [], changed: [] };
    for (let round = 0; round < (quick ? 2 : ROUNDS); round++) {
      rmSync(cacheDir, { recursive: true, force: true });
      runs.cold.push(child(dir)); // no on-disk cache
      runs.cached.push(child(dir)); // the cache the previous run left (if the loader keeps one)
      appendFileSync(changedFile, `\nCREATE TABLE bench_touched_${round} (id bigint PRIMARY KEY, deleted_at timestamptz);\n`);
      runs.changed.push(child(dir)); // the cache, one file changed since
    }
    return { runs, cacheDir };
  };
  const loadRow = (corpus, measure, list) =>
    valueRow('schema first load', corpus, `${measure} (CPU; wall ${median(col(list, 'loadMs')).toFixed(0)} ms)`, median(col(list, 'loadCpuMs')), 'ms', atMost(100, ' ms'), spread(col(list, 'loadCpuMs')));

  const structureFile = path.join(structureDir, 'db', 'structure.sql');
  const structureText = readFileSync(structureFile, 'utf8');
  const { runs, cacheDir } = schemaRuns(structureDir, structureFile);
  writeFileSync(structureFile, structureText);
  const first = runs.cold[0];
  if (first.problems || first.relations < structure.tables) throw new Error(`bench: structure.sql loaded ${first.relations} relations, ${first.problems} problems`);
  loadRow('structure.sql', `first load in a fresh process, ${structure.statements}-statement structure.sql, found by discovery`, runs.cold);
  loadRow('structure.sql', existsSync(cacheDir) ? 'the same, on-disk cache present (a second CLI run)' : 'the same, second run (the loader keeps no on-disk cache)', runs.cached);
  loadRow('structure.sql', 'the same, on-disk cache present, structure.sql changed since (one file changed: it is read again)', runs.changed);
  valueRow('schema first load', 'structure.sql', 'importing the engine and initialising libpg-query (WASM compile), same processes (wall)', median(col(runs.cold, 'importMs')), 'ms', null, spread(col(runs.cold, 'importMs')));

  // The realistic project's 320 migrations (discovery), one of them changed between the copy and the load.
  const migrations = readdirSync(path.join(realistic.dir, 'migrations')).sort();
  const touched = path.join(realistic.dir, 'migrations', migrations[Math.floor(migrations.length / 2)]);
  const touchedText = readFileSync(touched, 'utf8');
  const real = schemaRuns(realistic.dir, touched);
  writeFileSync(touched, touchedText);
  rmSync(real.cacheDir, { recursive: true, force: true });
  const what = `${migrations.length} migrations`;
  loadRow('realistic', `first load in a fresh process, ${what}, found by discovery`, real.runs.cold);
  loadRow('realistic', 'the same, on-disk cache present (a second CLI run)', real.runs.cached);
  loadRow('realistic', 'the same, on-disk cache present, one migration changed since', real.runs.changed);

  // The stamp re-check of a discovered schema, paid once per SCHEMA_RECHECK_MS while linting or typing.
  const { loadSchema, setSchemaClock, SCHEMA_RECHECK_MS } = await load('schema/load.js');
  const { normalizeSettings } = await load('settings.js');
  const settings = normalizeSettings(undefined);
  let now = Date.now() + 3e9;
  setSchemaClock(() => now);
  loadSchema(realistic.dir, settings);
  const rechecks = [];
  for (let i = 0; i < (quick ? 20 : 60); i++) {
    now += SCHEMA_RECHECK_MS + 1;
    rechecks.push((await timed(() => loadSchema(realistic.dir, settings))).wall);
  }
  setSchemaClock();
  valueRow('schema re-check', 'realistic', `stamp re-check, discovery over a ${SIZES.files}-file src/ (p50; paid once per ${SCHEMA_RECHECK_MS} ms)`, median(rechecks), 'ms', null, `p95 ${quantile(rechecks, 0.95).toFixed(2)}`);
}

// 5. Editor: re-linting one 500-line file per keystroke ------------------------------------------------------------------

if (only.has('editor')) {
  const { setSchemaClock } = await load('schema/load.js');
  const variants = configs(undefined);
  const cases = [
    { label: 'without SQL', text: realistic.editor.withoutSql, file: 'without-sql.ts', goal: 5 },
    { label: 'with SQL', text: realistic.editor.withSql, file: 'with-sql.ts', goal: 10 },
  ];
  for (const c of cases) {
    const filePath = path.join(realistic.dir, 'editor', c.file);
    const lines = c.text.split('\n').length - 1;
    // The user types into a string literal added near the top; every other line is unchanged.
    const typed = 'AND p.created_at > now() AND p.id <> 42 -- what is left '; // no quote: it sits in a '…' literal
    const at = c.text.indexOf('\n\n') + 1;
    const textAt = (i) => `${c.text.slice(0, at)}const NOTE = '${typed.slice(0, (i % typed.length) + 1)}';\n${c.text.slice(at)}`;
    const instances = { plugin: eslintFor(realistic.dir, variants.plugin), none: eslintFor(realistic.dir, variants.none), noop: eslintFor(realistic.dir, variants.noop) };
    let simulated = Date.now() + 4e9;
    setSchemaClock(() => simulated); // a keystroke every 150 ms: the schema's stamps are re-checked every ~7th lint
    let findings = 0;
    for (let i = 0; i < 20; i++) {
      for (const e of Object.values(instances)) await e.lintText(textAt(i), { filePath }); // JIT warm-up
    }
    const samples = await interleave(['plugin', 'none', 'noop'], SIZES.keystrokes, async (name, i) => {
      if (name === 'plugin') simulated += 150;
      let result;
      const t = await timed(async () => {
        [result] = await instances[name].lintText(textAt(i), { filePath });
      });
      if (result.messages.some((m) => m.fatal)) throw new Error(`bench: editor file failed to parse: ${result.messages[0].message}`);
      if (name === 'plugin') findings = result.messages.length;
      return t;
    });
    setSchemaClock();
    const p50 = (kind) => median(samples.plugin[kind]);
    /** The share of `a`'s re-lint that `b`'s does not pay, per keystroke. */
    const shareRow = (a, b, measure, goal) => {
      const share = (kind) => samples[a][kind].map((p, i) => (p - samples[b][kind][i]) / p);
      const cpu = share('cpu');
      const wall = share('wall');
      rows.push({
        target: 'editor re-lint', corpus: 'realistic', measure, unit: '%',
        cpu: { median: median(cpu) * 100, min: quantile(cpu, 0.1) * 100, max: quantile(cpu, 0.9) * 100 },
        wall: { median: median(wall) * 100, min: quantile(wall, 0.1) * 100, max: quantile(wall, 0.9) * 100 },
        rounds: cpu.length, goal: goal === null ? '' : `< ${goal}%`, ok: goal === null ? null : median(cpu) * 100 < goal, spreadIs: 'p10–p90',
      });
      progress(rows[rows.length - 1]);
    };
    shareRow('plugin', 'none', `plugin's share of one re-lint, ${lines}-line file ${c.label} (${findings} findings; ${p50('wall').toFixed(1)} ms p50 with the plugin, ${median(samples.none.wall).toFixed(1)} ms without)`, c.goal);
    shareRow('noop', 'none', `the same file: the share of ${recommendedCount()} no-op rules (what ESLint charges for hosting rules at all)`, null);
    shareRow('plugin', 'noop', `the same file: the plugin's share over those no-op rules (its own work)`, null);
  }
}

// Report ----------------------------------------------------------------------------------------------------------------

const cpus = os.cpus();
console.log(`\nsoft-delete benchmarks — ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, Node ${process.version}, ` +
  `${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${os.platform()} ${os.arch()}, load ${os.loadavg()[0].toFixed(1)}` +
  `${scale !== 1 ? ` (scale ${scale})` : ''}${tseslint ? '' : ' (typescript-eslint not installed: its baselines skipped)'}\n`);
console.log('| Target | Corpus | Measure | CPU (median, spread) | Wall (median, spread) | Goal | |');
console.log('|---|---|---|---:|---:|---|---|');
const f2 = (x) => x.toFixed(2);
for (const r of rows) {
  const mark = r.ok === null ? '' : r.ok ? 'ok' : '**missed**';
  if (r.unit === '×') {
    const cell = (m) => `${f2(m.median)}× (${f2(m.min)}–${f2(m.max)})`;
    console.log(`| ${r.target} | ${r.corpus} | ${r.measure} | ${cell(r.cpu)} | ${cell(r.wall)} | ${r.goal} | ${mark} |`);
  } else if (r.unit === '%') {
    const cell = (m) => `${m.median.toFixed(1)}% (${m.min.toFixed(0)}–${m.max.toFixed(0)})`;
    console.log(`| ${r.target} | ${r.corpus} | ${r.measure} | ${cell(r.cpu)} | ${cell(r.wall)} ${r.spreadIs} | ${r.goal} | ${mark} |`);
  } else {
    console.log(`| ${r.target} | ${r.corpus} | ${r.measure} | | ${r.value.toFixed(r.value < 10 ? 2 : 0)} ${r.unit} (${r.spread}) | ${r.goal} | ${mark} |`);
  }
}
if (flag('json')) console.log(JSON.stringify(rows, null, 2));
if (flag('keep')) console.log(`\ncorpora kept in ${realistic.dir}, ${dense.dir}, ${structureDir}`);
