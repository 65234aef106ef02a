/**
 * The property-based suite at fuzzing scale (not part of `npm test`):
 *
 *   npm run fuzz                        10^5 generated inputs per property, a random seed (printed)
 *   node bench/fuzz.js --runs=20000     fewer inputs
 *   node bench/fuzz.js --seed=42        replay a seed a failure printed
 *   node bench/fuzz.js --only=schema    one property (a part of its name)
 *
 * It runs test/properties.test.ts (SQL in .sql files, tagged templates with interpolations and escapes, string
 * arguments; schema histories) with SOFT_DELETE_FUZZ_RUNS / SOFT_DELETE_FUZZ_SEED. A failure prints the shrunk
 * counterexample and the seed. The PostgreSQL regression corpus has its own script: bench/pg-regress.js.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const option = (name, fallback) => {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return arg ? arg.slice(name.length + 3) : fallback;
};
const runs = option('runs', '100000');
const seed = option('seed', String(Math.floor(Math.random() * 2 ** 31)));
const only = option('only', '');
console.log(`fuzz: ${runs} inputs per property, seed ${seed}${only ? `, properties matching "${only}"` : ''}`);

const vitest = path.join(path.dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');
const filter = only ? ['-t', only] : [];
const result = spawnSync(process.execPath, [vitest, 'run', 'test/properties.test.ts', '--testTimeout=0', ...filter], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, SOFT_DELETE_FUZZ_RUNS: runs, SOFT_DELETE_FUZZ_SEED: seed },
});
process.exit(result.status ?? 1);
