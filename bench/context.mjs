// Measures `buildlens context` on a generated tree, side by side with `find DIR -type f` and
// `du -sb DIR` in the same run. Run after `npm run build`:
//   node bench/context.mjs [files=100000] [runs=5]
// The tree (in /tmp, reused between runs of the same size): 80 % of the files under node_modules,
// plus .git, dist and src. Two layouts are timed:
//   - ignored: a .dockerignore excluding node_modules, .git and dist — buildlens must prune them and
//     be no slower than `find -type f` over the whole tree;
//   - no ignore file: every file sized — within 1.5x of `du -sb`.
// Beside them, the floors in bench/floor/: what the least Node program doing only the walk costs.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../bin/buildlens.js', import.meta.url));
const floor = (name) => fileURLToPath(new URL(`./floor/${name}`, import.meta.url));
const total = Number(process.argv[2] ?? 100000);
const runs = Number(process.argv[3] ?? 5);
const base = `/tmp/buildlens-bench-context-${total}`;

/** A deterministic tree: dirs of at most 50 files, 3 levels deep, sizes 50 B – 8 kB. */
function generate(root) {
  if (existsSync(join(root, '.done'))) return;
  rmSync(root, { recursive: true, force: true });
  const share = { node_modules: 0.8, '.git': 0.06, dist: 0.04, src: 0.1 };
  let seed = 42;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const buf = Buffer.alloc(8192, 'x');
  for (const [top, part] of Object.entries(share)) {
    const n = Math.round(total * part);
    for (let i = 0; i < n; i++) {
      const dir = join(root, top, `p${Math.floor(i / 2500)}`, `d${Math.floor(i / 50) % 50}`);
      if (i % 50 === 0) mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `f${i}.js`), buf.subarray(0, 50 + Math.floor(rand() * 8000)));
    }
  }
  writeFileSync(join(root, 'Dockerfile'), 'FROM localbase/busybox\nCOPY . /app\n');
  writeFileSync(join(root, 'package.json'), '{"name":"bench"}\n');
  writeFileSync(join(root, '.done'), '');
}

function time(cmd, args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 30 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0 && r.status !== 1) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function bench(label, commands) {
  const results = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
  for (let i = 0; i < runs + 1; i++) {
    for (const [name, [cmd, args]] of Object.entries(commands)) {
      const ms = time(cmd, args);
      if (i > 0) results[name].push(ms); // the first round warms the page cache
    }
  }
  const med = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, median(v)]));
  console.log(`\n${label} (median of ${runs} runs, ${total} files)`);
  for (const [k, v] of Object.entries(med)) console.log(`  ${k.padEnd(28)} ${v.toFixed(0).padStart(7)} ms`);
  return med;
}

generate(base);
console.log(`tree: ${base}`);

const ignore = join(base, '.dockerignore');
writeFileSync(ignore, 'node_modules\n.git\ndist\n');
const a = bench('with .dockerignore (node_modules, .git, dist)', {
  'buildlens context --format json': [process.execPath, [bin, 'context', base, '--format', 'json']],
  'find -type f (whole tree)': ['find', [base, '-type', 'f']],
  'floor: node starting': [process.execPath, [floor('node-start.mjs')]],
  'floor: node walking kept files': [process.execPath, [floor('walk-kept.mjs'), base]],
  'floor: node summing pruned find': [process.execPath, [floor('find-sum.mjs'), base, 'pruned']],
});
rmSync(ignore);
const b = bench('no .dockerignore (every file sized)', {
  'buildlens context --format json': [process.execPath, [bin, 'context', base, '--format', 'json']],
  'du -sb': ['du', ['-sb', base]],
  'floor: node summing find': [process.execPath, [floor('find-sum.mjs'), base]],
  'floor: node summing 2 finds': [process.execPath, [floor('find-sum.mjs'), base, '2']],
});
const ratioA = a['buildlens context --format json'] / a['find -type f (whole tree)'];
const ratioB = b['buildlens context --format json'] / b['du -sb'];
console.log(`\nignored tree: buildlens / find = ${ratioA.toFixed(2)} (target <= 1.0) ${ratioA <= 1 ? 'OK' : 'OVER'}`);
console.log(`full tree:    buildlens / du -sb = ${ratioB.toFixed(2)} (target <= 1.5) ${ratioB <= 1.5 ? 'OK' : 'OVER'}`);
// The floors: what a Node program pays at the least, doing none of the command's work but the walk.
const floorA = a['floor: node walking kept files'] / a['find -type f (whole tree)'];
const floorA2 = a['floor: node summing pruned find'] / a['find -type f (whole tree)'];
const floorB = b['floor: node summing find'] / b['du -sb'];
const floorB2 = b['floor: node summing 2 finds'] / b['du -sb'];
console.log(`floors:       node walking kept files / find = ${floorA.toFixed(2)} (pruned find: ${floorA2.toFixed(2)}); node summing find / du -sb = ${floorB.toFixed(2)} (2 finds: ${floorB2.toFixed(2)}); node starting / find = ${(a['floor: node starting'] / a['find -type f (whole tree)']).toFixed(2)}`);
