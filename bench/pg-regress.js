/**
 * The PostgreSQL regression corpus through the plugin (not part of `npm test`; it downloads a package):
 *
 *   npm run build && node bench/pg-regress.js              every file, a CPU budget of 10 s per file
 *   node bench/pg-regress.js --budget=2000 --only=join     a smaller budget (ms), files whose name contains "join"
 *
 * The corpus is PostgreSQL's own `src/test/regress/sql/*.sql` (166 files of the 9.x/10 era: every statement kind,
 * odd lexical corners, psql meta-commands, `COPY … FROM stdin` data), as the npm package `pg-query-parser@0.3.0`
 * ships it among its test fixtures. It is fetched at run time with `npm pack` into a temporary directory (never
 * committed) and removed afterwards. Each file is linted as a `.sql` file with every rule of `configs.strict`, the
 * whole corpus serving as the schema history (each table with one of a few common regression column names counts as
 * soft-deletable, and reads in migrations are checked, so reads are analysed, not skipped); then each of its
 * statements is linted alone (the corpus holds deliberate syntax errors, and in a `.sql` file one is a parse error
 * for the whole file); then the file is read on its own as a migration. Internal errors rethrow
 * (SOFT_DELETE_STRICT=1). Exit status 1 when a file throws or runs over the budget.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Linter } from 'eslint';

const PACKAGE = 'pg-query-parser@0.3.0';
const CORPUS = path.join('package', 'test', 'fixtures', 'upstream');

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const option = (name, fallback) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const budget = Number(option('budget', '10000'));
const only = option('only', '');
const dist = path.join(root, 'dist', 'src');
if (!existsSync(path.join(dist, 'index.js'))) {
  console.error('pg-regress: dist/ is missing; run `npm run build` first.');
  process.exit(1);
}
process.env.SOFT_DELETE_STRICT = '1';
const load = (file) => import(pathToFileURL(path.join(dist, file)).href);
const plugin = (await load('index.js')).default;
const { schemaFromSql } = await load('schema/apply.js');
const { parserLoaded, tokenize } = await load('sql/parser.js');
await parserLoaded();

/** The text's statements: split after each `;` outside parentheses (the scanner's tokens). */
function statementsOf(text) {
  const pieces = [];
  let depth = 0;
  let from = 0;
  for (const t of tokenize(text)) {
    if (t.text === '(') depth++;
    else if (t.text === ')') depth = Math.max(0, depth - 1);
    else if (t.text === ';' && depth === 0) {
      pieces.push(text.slice(from, t.end));
      from = t.end;
    }
  }
  if (text.slice(from).trim()) pieces.push(text.slice(from));
  return pieces;
}

const temp = mkdtempSync(path.join(os.tmpdir(), 'soft-delete-pg-regress-'));
try {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const tarball = execFileSync(npm, ['pack', PACKAGE, '--pack-destination', temp, '--silent'], { encoding: 'utf8' }).trim().split('\n').pop();
  execFileSync('tar', ['xzf', path.join(temp, tarball), '-C', temp, CORPUS.split(path.sep).join('/')]);
  const dir = path.join(temp, CORPUS);
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.sql') && f.includes(only))
    .sort();
  console.log(`pg-regress: ${files.length} files of ${PACKAGE}, CPU budget ${budget} ms per file`);

  const config = [
    ...plugin.configs.strict,
    {
      // reads in migrations checked too; the schema's status (many statements of the corpus fail on purpose) is not news
      rules: { 'soft-delete/require-soft-delete-filter': ['error', { checkMigrations: true }], 'soft-delete/schema-status': 'off' },
      settings: {
        'soft-delete': {
          root: dir,
          schema: ['*.sql'],
          // common column names of the regression tables: their tables count as soft-deletable
          columns: ['deleted_at', 'unique1', 'f1', 'a', 'x', 'id', 'name'],
        },
      },
    },
  ];
  const linter = new Linter({ configType: 'flat', cwd: dir });
  const cpu = (run) => {
    const before = process.cpuUsage();
    const result = run();
    const used = process.cpuUsage(before);
    return { result, ms: (used.user + used.system) / 1000 };
  };
  const byRule = new Map();
  const thrown = [];
  const slow = [];
  const timings = [];
  let fatal = 0;
  let statements = 0;
  let rejected = 0;
  let schemaProblems = 0;
  for (const file of files) {
    const text = readFileSync(path.join(dir, file), 'utf8');
    try {
      const lint = cpu(() => linter.verify(text, config, path.join(dir, file)));
      const pieces = cpu(() => statementsOf(text).map((piece) => linter.verify(piece, config, path.join(dir, file))));
      const schema = cpu(() => schemaFromSql(text, file));
      const ms = lint.ms + pieces.ms + schema.ms;
      timings.push({ file, ms });
      if (ms > budget) slow.push({ file, ms });
      schemaProblems += schema.result.problems.length;
      if (lint.result.some((m) => m.fatal)) fatal++;
      statements += pieces.result.length;
      for (const messages of pieces.result) {
        if (messages.some((m) => m.fatal)) rejected++;
        for (const m of messages) {
          if (m.fatal) continue;
          byRule.set(m.ruleId ?? 'other', (byRule.get(m.ruleId ?? 'other') ?? 0) + 1);
        }
      }
    } catch (error) {
      thrown.push({ file, error: error instanceof Error ? error.stack ?? error.message : String(error) });
    }
    process.stderr.write('.');
  }
  process.stderr.write('\n');
  const total = timings.reduce((sum, t) => sum + t.ms, 0);
  console.log(`files: ${files.length}, CPU: ${(total / 1000).toFixed(1)} s in all`);
  console.log(`slowest: ${[...timings].sort((a, b) => b.ms - a.ms).slice(0, 5).map((t) => `${t.file} ${t.ms.toFixed(0)} ms`).join(', ')}`);
  console.log(`statements linted alone: ${statements}, of which PostgreSQL's parser rejects ${rejected} (a parse error, as in PostgreSQL)`);
  console.log(`messages on the statements: ${[...byRule].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}`);
  console.log(`whole files with a parse error: ${fatal}; schema statements the migration reader could not read: ${schemaProblems}`);
  console.log(`threw: ${thrown.length}; over the budget: ${slow.length}`);
  for (const t of thrown) console.log(`  ${t.file}: ${t.error}`);
  for (const s of slow) console.log(`  ${s.file}: ${s.ms.toFixed(0)} ms`);
  process.exitCode = thrown.length > 0 || slow.length > 0 ? 1 : 0;
} finally {
  rmSync(temp, { recursive: true, force: true });
}
