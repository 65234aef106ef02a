/**
 * Preloaded (`node --import`) into the child processes the bench times: on exit, writes the process's CPU time
 * (user + system, all threads) to the file named by SOFT_DELETE_BENCH_CPU.
 */
import { writeFileSync } from 'node:fs';

const out = process.env.SOFT_DELETE_BENCH_CPU;
if (out) {
  process.on('exit', () => {
    const u = process.cpuUsage();
    writeFileSync(out, JSON.stringify({ cpuMs: (u.user + u.system) / 1000 }));
  });
}
