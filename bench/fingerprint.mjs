// What the fingerprints of `buildlens build` cost on a large context: a generated tree of 12,000
// files (`COPY . .`, so every file is digested), fingerprinted cold (no digest cache: every file is
// read and hashed) and warm (the digest cache of the previous run: files whose size, mtime and inode
// did not change are not read). Runs the real code from dist/ (npm run build first):
//   node bench/fingerprint.mjs [files=12000] [runs=7]
// The file part alone (scan + digests) and the whole collection (Dockerfile, salt, docker image
// inspect of the FROM when an engine answers) are timed; the median of the runs is printed.
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const files = Number(process.argv[2] ?? 12000);
const runs = Number(process.argv[3] ?? 7);
const { digestContext, collectFingerprints } = await import(new URL('../dist/src/io/fingerprint.js', import.meta.url).href);

const root = mkdtempSync(join(tmpdir(), 'buildlens-fp-bench-'));
const ctx = join(root, 'ctx');
mkdirSync(ctx);
// 12,000 files of 200 B to 8 kB in 3 levels of directories, as a source tree; old mtimes, as a checkout has.
const old = new Date(Date.now() - 3_600_000);
let bytes = 0;
for (let i = 0; i < files; i++) {
  const d = join(ctx, `pkg${i % 40}`, `mod${Math.floor(i / 40) % 30}`);
  if (i < 1200) mkdirSync(d, { recursive: true });
  const size = 200 + ((i * 7919) % 8000);
  const p = join(d, `file${i}.js`);
  writeFileSync(p, `// ${i}\n`.padEnd(size, 'x'));
  utimesSync(p, old, old);
  bytes += size;
}
writeFileSync(join(ctx, 'Dockerfile'), 'FROM localbase/busybox\nWORKDIR /app\nCOPY . .\nRUN echo built\n');
writeFileSync(join(ctx, '.dockerignore'), 'node_modules\n');

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const time = async (f) => {
  const t0 = process.hrtime.bigint();
  const r = await f();
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, r };
};

const rows = [];
for (const part of ['files', 'all']) {
  const cold = [];
  const warm = [];
  let stats = null;
  for (let i = 0; i < runs; i++) {
    const cache = mkdtempSync(join(root, 'cache-'));
    const env = { ...process.env, BUILDLENS_CACHE_DIR: cache };
    const run = () => (part === 'files'
      ? digestContext(ctx, join(ctx, 'Dockerfile'), ['.'], cache)
      : collectFingerprints({ contextAbs: ctx, dockerfileAbs: join(ctx, 'Dockerfile'), target: null, platform: null, buildArgs: [{ name: 'V', value: '1' }], flags: { noCache: false, noCacheFilter: [], cacheFrom: [], pull: false }, env, cacheRoot: cache, inspectNow: true }));
    const c = await time(run);
    const w = await time(run);
    cold.push(c.ms);
    warm.push(w.ms);
    stats = { cold: (c.r.stats ?? c.r), warm: (w.r.stats ?? w.r) };
    rmSync(cache, { recursive: true, force: true });
  }
  rows.push({ part, cold: median(cold), warm: median(warm), stats });
}
rmSync(root, { recursive: true, force: true });

console.log(`${files} files, ${(bytes / 1e6).toFixed(1)} MB; median of ${runs} runs (ms)`);
console.log('part                         cold    warm   hashed cold/warm');
for (const r of rows) {
  const h = `${r.stats.cold.hashed}/${r.stats.warm.hashed}`;
  console.log(`${(r.part === 'files' ? 'scan + digests' : 'whole collection').padEnd(26)} ${r.cold.toFixed(0).padStart(6)}  ${r.warm.toFixed(0).padStart(6)}   ${h}`);
}
