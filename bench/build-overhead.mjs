// The overhead of `buildlens build` over the same `docker buildx build`, side by side in one run, on
// the sample projects: fully cached and cold (--no-cache). Target: ≤ 5 % + 300 ms wall. Also reports
// buildlens's own CPU time (user + sys of the node process, docker excluded). Run after `npm run build`
// with a Docker engine up:
//   node bench/build-overhead.mjs [runs]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin', 'buildlens.js');
const runs = Number(process.argv[2] ?? 3);
const samples = ['node-app', 'python-app', 'go-service', 'parallel-stages'];
const cache = mkdtempSync(join(tmpdir(), 'buildlens-bench-'));

/** Run a command; resolve to its wall time and, for node, its own CPU time (from /usr/bin/time-less rusage via a wrapper). */
function timed(cmd, args, env = {}) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'ignore'] });
    child.on('error', reject);
    child.on('exit', (code) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (code !== 0) reject(new Error(`${cmd} ${args.join(' ')} exited ${code}`));
      else resolve(ms);
    });
  });
}

/** buildlens's own CPU time: run it under a node wrapper that prints process.cpuUsage() at exit. */
function buildlensCpu(args) {
  return new Promise((resolve, reject) => {
    const wrapper = `process.on('exit', () => { const u = process.cpuUsage(); process.stderr.write('\\nCPU ' + ((u.user + u.system) / 1000).toFixed(0) + '\\n'); }); process.argv = [process.argv[0], ${JSON.stringify(bin)}, ...process.argv.slice(1)]; await import(${JSON.stringify('file://' + bin)});`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', wrapper, ...args], {
      env: { ...process.env, XDG_CACHE_HOME: cache, CI: 'true' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (c) => { err += c; });
    child.on('error', reject);
    child.on('exit', () => {
      const m = /CPU (\d+)\n$/.exec(err);
      resolve(m ? Number(m[1]) : NaN);
    });
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rows = [];
for (const sample of samples) {
  const dir = join(root, 'samples', sample);
  for (const mode of ['cached', 'cold']) {
    const extra = mode === 'cold' ? ['--no-cache'] : [];
    const docker = [];
    const lens = [];
    const cpu = [];
    // Warm once so that "cached" is cached.
    await timed('docker', ['buildx', 'build', '--progress=plain', '--network=none', dir]);
    for (let i = 0; i < runs; i++) {
      // Alternate the order so neither side always runs on a warmer engine.
      const a = () => timed('docker', ['buildx', 'build', '--progress=plain', '--network=none', ...extra, dir]);
      const b = () => timed(process.execPath, [bin, 'build', '--view', 'plain', '--network=none', ...extra, dir], { XDG_CACHE_HOME: cache, CI: 'true' });
      if (i % 2 === 0) {
        docker.push(await a());
        lens.push(await b());
      } else {
        lens.push(await b());
        docker.push(await a());
      }
      cpu.push(await buildlensCpu(['build', '--view', 'plain', '--network=none', ...extra, dir]));
    }
    const d = median(docker);
    const l = median(lens);
    const budget = d * 1.05 + 300;
    rows.push({ sample, mode, docker: d, buildlens: l, overhead: l - d, budget, cpu: median(cpu), ok: l <= budget });
  }
}
rmSync(cache, { recursive: true, force: true });

console.log(`median of ${runs} runs each (ms); target: buildlens ≤ docker × 1.05 + 300 ms`);
console.log('sample            mode     docker  buildlens  overhead  budget  buildlens CPU  ok');
for (const r of rows) {
  console.log(`${r.sample.padEnd(17)} ${r.mode.padEnd(7)} ${r.docker.toFixed(0).padStart(7)} ${r.buildlens.toFixed(0).padStart(10)} ${r.overhead.toFixed(0).padStart(9)} ${r.budget.toFixed(0).padStart(7)} ${String(r.cpu).padStart(14)}  ${r.ok ? 'yes' : 'NO'}`);
}
process.exitCode = rows.every((r) => r.ok) ? 0 : 1;
