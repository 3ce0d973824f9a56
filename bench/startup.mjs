// Measures how fast `buildlens --help` starts (target: under 150 ms). Run after `npm run build`:
//   node bench/startup.mjs [runs]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../bin/buildlens.js', import.meta.url));
const runs = Number(process.argv[2] ?? 20);
const times = [];
for (let i = 0; i < runs + 2; i++) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`buildlens --help exited ${r.status}: ${r.stderr}`);
  if (i >= 2) times.push(ms); // the first two warm the file cache
}
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];
const bare = spawnSync(process.execPath, ['-e', '0']);
void bare;
const t0 = process.hrtime.bigint();
spawnSync(process.execPath, ['-e', '0']);
const nodeMs = Number(process.hrtime.bigint() - t0) / 1e6;
console.log(`buildlens --help: median ${median.toFixed(1)} ms, min ${times[0].toFixed(1)} ms, max ${times[times.length - 1].toFixed(1)} ms over ${runs} runs (bare node start: ${nodeMs.toFixed(1)} ms)`);
console.log(median < 150 ? 'OK: under 150 ms' : 'OVER the 150 ms target');
