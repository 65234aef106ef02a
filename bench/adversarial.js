/**
 * CPU cost of every pass over user text on adversarial inputs (not a test: tests never assert on time).
 *
 *   npm run build && node bench/adversarial.js            each pass × each input at 25 KB and 100 KB
 *   node bench/adversarial.js --dist=../old/dist/src      another build
 *
 * Prints the CPU milliseconds at 100 KB and the growth from 25 KB to 100 KB: about 4× is linear, about 16× is
 * quadratic (the blow-ups this hunts: `^\s*\\` with the `m` flag on blank lines took 9–17 s on 80 KB). The inputs are
 * bench/adversarial-inputs.js, the ones test/cpu-budget.test.ts runs every pass over; the regexes themselves are proved linear statically by
 * test/regex-complexity.test.ts.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ADVERSARIAL_PASSES, adversarialInputs } from './adversarial-inputs.js';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const distOption = process.argv.find((a) => a.startsWith('--dist='))?.slice('--dist='.length);
const dist = distOption ? path.resolve(distOption) : path.join(root, 'dist', 'src');
if (!existsSync(path.join(dist, 'index.js'))) {
  console.error('bench: dist/ is missing; run `npm run build` first.');
  process.exit(1);
}
const load = (file) => import(pathToFileURL(path.join(dist, file)).href);
const { schemaFromSql } = await load('schema/apply.js');
await (await load('sql/parser.js')).parserLoaded();
const passes = await Promise.all(
  ADVERSARIAL_PASSES.map(async ({ name, module, input, only }) => {
    const run = (await load(module))[name];
    return [name, (text) => run(input ? input(text) : text), only ?? Object.keys(adversarialInputs(1))];
  }),
);

function cpuMs(run) {
  const before = process.cpuUsage();
  run();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

const small = adversarialInputs(25_000);
const large = adversarialInputs(100_000);
const rows = [];
for (const [name, pass, labels] of passes) {
  for (const label of labels) {
    const a = cpuMs(() => pass(small[label]));
    const b = cpuMs(() => pass(large[label]));
    rows.push({ pass: name, input: label, ms: b, growth: a > 1 ? b / a : null });
    process.stderr.write(`${name} / ${label}: ${b.toFixed(1)} ms${a > 1 ? ` (×${(b / a).toFixed(1)} from 25 KB)` : ''}\n`);
  }
}
const tables = 20_000;
const ddl = Array.from({ length: tables }, (_, i) => `CREATE TABLE t${i} (id int, email text UNIQUE);`).join('\n');
const ddlQuarter = ddl.split('\n').slice(0, tables / 4).join('\n');
const quarter = cpuMs(() => schemaFromSql(ddlQuarter));
const whole = cpuMs(() => schemaFromSql(ddl));
rows.push({ pass: 'schemaFromSql', input: `${tables} tables (unique index names)`, ms: whole, growth: whole / quarter });

const worst = [...rows].sort((x, y) => y.ms - x.ms).slice(0, 10);
console.log('\nSlowest (CPU ms at 100 KB; growth from 25 KB, ~4 linear, ~16 quadratic):');
for (const r of worst) console.log(`  ${r.ms.toFixed(1).padStart(9)} ms  ${r.growth === null ? '     –' : `×${r.growth.toFixed(1)}`.padStart(6)}  ${r.pass} / ${r.input}`);
const steep = rows.filter((r) => r.growth !== null && r.ms > 50 && r.growth > 8);
console.log(steep.length ? `\nGrowing faster than linear:\n${steep.map((r) => `  ${r.pass} / ${r.input}: ×${r.growth.toFixed(1)}`).join('\n')}` : '\nNo pass grows faster than linear.');
