// Writes a big, realistic `docker build` log to stdout, for the parse benchmarks (bench/parse.mjs).
//   node bench/gen-log.mjs <plain|rawjson|rawjson-indented> <MB> [--fail] [--seed N] > big.log
// The shapes follow the recorded logs in test/fixtures/recorded/ (buildx 0.13 plain, rawjson one
// object per line as buildx >= 0.15 writes it, and pretty-printed as buildx 0.12-0.14 writes it):
// a multi-stage build with a `#0 building with` line, internal load steps, a build context, FROM
// steps pulling layers (status lines with growing sizes, extracting), cached steps, two stages
// building in parallel so their blocks interleave (`#N ...` and the header printed again), long
// output (apt, npm and compiler lines, some of them kilobytes long, some with \r redraws and TABs),
// then the export; with --fail the last RUN fails, its sibling is canceled and the error excerpt
// and `ERROR: failed to solve` follow. Deterministic for a given seed.

const USAGE = 'usage: node bench/gen-log.mjs <plain|rawjson|rawjson-indented> <MB> [--fail] [--seed N]';

// ---------------------------------------------------------------------------------------------
// Arguments

const args = process.argv.slice(2);
const format = args[0];
const mb = Number(args[1]);
if (!['plain', 'rawjson', 'rawjson-indented'].includes(format ?? '') || !(mb > 0)) {
  process.stderr.write(USAGE + '\n');
  process.exit(2);
}
const fail = args.includes('--fail');
const seedAt = args.indexOf('--seed');
let seed = seedAt >= 0 ? Number(args[seedAt + 1]) >>> 0 : 20261128;
const targetBytes = Math.round(mb * 1e6);

// ---------------------------------------------------------------------------------------------
// Deterministic randomness (mulberry32)

function rand() {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
const pick = (xs) => xs[Math.floor(rand() * xs.length)];
const hex = (n) => {
  let s = '';
  while (s.length < n) s += Math.floor(rand() * 0x100000000).toString(16).padStart(8, '0');
  return s.slice(0, n);
};

// ---------------------------------------------------------------------------------------------
// Output with back-pressure, in ~1 MB writes

process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0); // `| head`
  throw err;
});
let buf = [];
let bufLen = 0;
let written = 0;
async function out(s) {
  buf.push(s);
  bufLen += s.length;
  written += Buffer.byteLength(s);
  if (bufLen >= 1 << 20) await flush();
}
async function flush() {
  if (bufLen === 0) return;
  const chunk = buf.join('');
  buf = [];
  bufLen = 0;
  if (!process.stdout.write(chunk)) await new Promise((r) => process.stdout.once('drain', r));
}

// ---------------------------------------------------------------------------------------------
// Step output: what RUN steps print

const PKGS = ['libc6', 'libssl3', 'ca-certificates', 'curl', 'git', 'make', 'gcc-12', 'g++-12', 'libstdc++6', 'python3', 'zlib1g-dev', 'libffi-dev', 'pkg-config', 'openssh-client', 'tzdata'];
const NPM = ['@babel/core', 'typescript', 'webpack', 'eslint', 'react-dom', 'lodash', 'esbuild', 'postcss', 'jest', 'rollup'];
const SRC = ['src/server/http.c', 'src/util/strbuf.c', 'lib/parse/json.cc', 'lib/net/socket.cc', 'vendor/zstd/lib/compress/zstd_lazy.c', 'src/db/btree.c'];

function outputLine(kind) {
  switch (kind) {
    case 'apt': {
      const r = rand();
      if (r < 0.35) return `Get:${int(1, 400)} http://deb.debian.org/debian bookworm/main amd64 ${pick(PKGS)} amd64 ${int(1, 9)}.${int(0, 40)}-${int(1, 9)} [${int(10, 9000)} kB]`;
      if (r < 0.6) return `Unpacking ${pick(PKGS)}:amd64 (${int(1, 9)}.${int(0, 40)}-${int(1, 9)}) ...`;
      if (r < 0.85) return `Setting up ${pick(PKGS)} (${int(1, 9)}.${int(0, 40)}-${int(1, 9)}) ...`;
      if (r < 0.97) return `Preparing to unpack .../${int(0, 99)}-${pick(PKGS)}_${int(1, 9)}.${int(0, 40)}_amd64.deb ...`;
      return `\r(Reading database ... ${int(5, 95)}%\r(Reading database ... ${int(4000, 30000)} files and directories currently installed.)`;
    }
    case 'npm': {
      const r = rand();
      if (r < 0.5) return `npm http fetch GET 200 https://registry.npmjs.org/${pick(NPM)}/-/${pick(NPM)}-${int(1, 20)}.${int(0, 30)}.${int(0, 9)}.tgz ${int(2, 900)}ms (cache miss)`;
      if (r < 0.8) return `npm WARN deprecated ${pick(NPM)}@${int(1, 9)}.${int(0, 9)}.${int(0, 9)}: This package is no longer supported.`;
      if (r < 0.98) return `\t${pick(NPM)}@${int(1, 20)}.${int(0, 30)}.${int(0, 9)}\tnode_modules/${pick(NPM)}`;
      return `added ${int(100, 2000)} packages, and audited ${int(100, 2000)} packages in ${int(2, 90)}s`;
    }
    default: {
      const r = rand();
      if (r < 0.08) {
        // A compiler invocation: kilobytes on one line.
        const flags = [];
        const n = int(40, 160);
        for (let i = 0; i < n; i++) flags.push(pick(['-O2', '-g', '-Wall', '-Wextra', '-fPIC', `-I/src/include/${hex(6)}`, `-DHAVE_${hex(4).toUpperCase()}=1`, '-MMD', '-MP']));
        return `g++ ${flags.join(' ')} -c ${pick(SRC)} -o build/${hex(8)}.o`;
      }
      if (r < 0.75) return `[${String(int(1, 100)).padStart(3)}%] Building CXX object CMakeFiles/app.dir/${pick(SRC)}.o`;
      if (r < 0.95) return `${pick(SRC)}:${int(1, 3000)}:${int(1, 80)}: warning: unused variable '${hex(6)}' [-Wunused-variable]`;
      return '';
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The build plan: stages, steps and how much each one prints

const stageNames = ['deps', 'build', 'test', 'assets', 'docs', 'tools'];
const kinds = ['apt', 'npm', 'cc'];

/** One user step: `[stage i/n] INSTR`. */
function planBuild() {
  // Average output per RUN step ~1.5 MB, so a 200 MB log has ~130 RUN steps in ~15 stages.
  const runSteps = Math.max(2, Math.round(targetBytes / 1.5e6));
  const perStage = 9;
  const nStages = Math.max(1, Math.ceil(runSteps / perStage));
  const stages = [];
  let outputLeft = targetBytes;
  let runsLeft = runSteps;
  for (let s = 0; s < nStages; s++) {
    const name = s === nStages - 1 ? 'final' : `${stageNames[s % stageNames.length]}${s >= stageNames.length ? `-${Math.floor(s / stageNames.length)}` : ''}`;
    const base = s === 0 || s === nStages - 1 ? 'docker.io/library/debian:bookworm-slim' : `${pick(['docker.io/library/node:20', 'docker.io/library/golang:1.22', 'docker.io/library/debian:bookworm-slim'])}`;
    const steps = [{ instr: `FROM ${base}` }, { instr: 'WORKDIR /src' }];
    if (s > 0) steps.push({ instr: `COPY --from=${stages[s - 1].name} /out /deps` });
    const runs = Math.min(runsLeft, s === nStages - 1 ? runsLeft : perStage);
    runsLeft -= runs;
    steps.push({ instr: 'COPY . .', cached: rand() < 0.3 });
    for (let r = 0; r < runs; r++) {
      const kind = kinds[(s + r) % kinds.length];
      const cmd = kind === 'apt' ? 'apt-get update && apt-get install -y --no-install-recommends build-essential curl git' : kind === 'npm' ? 'npm ci --no-audit --loglevel=http' : `make -j$(nproc) target-${r}`;
      // Share the remaining output among the remaining RUN steps, +-60 %.
      const remainingRuns = runs - r + runsLeft;
      const share = outputLeft / remainingRuns;
      const last = s === nStages - 1 && r === runs - 1;
      const bytes = Math.max(2000, last ? outputLeft : Math.round(share * (0.4 + rand() * 1.2)));
      outputLeft -= bytes;
      steps.push({ instr: `RUN ${cmd}`, kind, bytes, cached: rand() < 0.05 });
    }
    stages.push({ name, base, steps });
  }
  // The +-60 % draws do not add up to the target: scale them so the log comes out at ~MB.
  // Cached steps print nothing.
  const runsAll = stages.flatMap((st) => st.steps.filter((x) => x.kind && !x.cached));
  const planned = runsAll.reduce((sum, x) => sum + x.bytes, 0);
  const overhead = format === 'plain' ? 0.005 : format === 'rawjson' ? 0.03 : 0.085; // headers, statuses, JSON envelopes
  for (const x of runsAll) x.bytes = Math.max(2000, Math.round((x.bytes * targetBytes * (1 - overhead)) / planned));
  return stages;
}

// ---------------------------------------------------------------------------------------------
// Vertices: the common model both writers print

/**
 * Each vertex: { id, digest, name, internal, cached, kind, bytes, durationS, statusLines }. Stages are
 * paired (stage k and k+1 run in parallel) so that their blocks interleave in plain output.
 */
function planVertices(stages) {
  const vertices = [];
  const add = (v) => {
    v.id = vertices.length + 1;
    v.digest = 'sha256:' + hex(64);
    vertices.push(v);
    return v;
  };
  add({ name: '[internal] load build definition from Dockerfile', status: ['transferring dockerfile: 2.31kB'], durationS: 0.0 });
  const bases = [...new Set(stages.map((s) => s.base))];
  for (const b of bases) add({ name: `[internal] load metadata for ${b}`, durationS: 0.4 + rand() });
  add({ name: '[internal] load .dockerignore', status: ['transferring context: 112B'], durationS: 0.0 });
  add({ name: '[internal] load build context', status: ['transferring context: 48.21MB'], durationS: 2.3, context: true });
  for (const st of stages) {
    st.steps.forEach((step, i) => {
      const name = `[${st.name} ${String(i + 1).padStart(String(st.steps.length).length)}/${st.steps.length}] ${step.instr}`;
      const v = add({ name, stage: st.name, instr: step.instr, kind: step.kind, bytes: step.bytes ?? 0, cached: !!step.cached });
      if (step.instr.startsWith('FROM')) {
        v.layers = Array.from({ length: int(2, 5) }, () => ({ digest: 'sha256:' + hex(64), total: int(1, 300) * 1e6 }));
        v.durationS = 3 + rand() * 20;
      } else {
        v.durationS = v.cached ? 0 : step.kind ? 5 + rand() * 300 : rand() * 2;
      }
    });
  }
  return vertices;
}

const size = (n) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)}MB` : n >= 1e3 ? `${(n / 1e3).toFixed(2)}kB` : `${n}B`);
const secs = (s) => (s < 10 ? s.toFixed(3) : s < 100 ? s.toFixed(2) : s.toFixed(1));

// ---------------------------------------------------------------------------------------------
// Plain writer

async function writePlain(stages, vertices) {
  await out('#0 building with "default" instance using docker driver\n\n');
  const byStage = new Map();
  for (const v of vertices) if (v.stage) byStage.set(v.stage, [...(byStage.get(v.stage) ?? []), v]);
  // Internal vertices first.
  for (const v of vertices.filter((x) => !x.stage)) {
    await out(`#${v.id} ${v.name}\n`);
    for (const s of v.status ?? []) await out(`#${v.id} ${s} ${v.durationS.toFixed(1)}s done\n`);
    await out(`#${v.id} DONE ${v.durationS.toFixed(1)}s\n\n`);
  }
  const lastRun = fail ? vertices.filter((v) => v.kind).at(-1) : null;
  let failed = false;
  // Stages in pairs: the blocks of a pair interleave.
  for (let s = 0; s < stages.length && !failed; s += 2) {
    const pair = [byStage.get(stages[s].name), stages[s + 1] ? byStage.get(stages[s + 1].name) : null].filter(Boolean);
    const cursors = pair.map(() => 0);
    let current = null; // the vertex whose block is open
    const printed = new Set();
    while (pair.some((vs, k) => cursors[k] < vs.length) && !failed) {
      const k = pair.length === 2 && cursors[1] < pair[1].length && (cursors[0] >= pair[0].length || rand() < 0.5) ? 1 : 0;
      const v = pair[k][cursors[k]];
      // Open the block (again) when another vertex was printing.
      if (current !== v) {
        if (current) await out(`#${current.id} ...\n\n`);
        await out(`#${v.id} ${v.name}\n`);
        current = v;
      }
      if (!printed.has(v)) {
        printed.add(v);
        v.written = 0;
        v.t = 0;
        if (v.cached) {
          await out(`#${v.id} CACHED\n\n`);
          current = null;
          cursors[k]++;
          continue;
        }
        if (v.layers) {
          for (let t = 1; t <= 4; t++) for (const l of v.layers) await out(`#${v.id} ${l.digest} ${size(Math.round((l.total * t) / 4))} / ${size(l.total)} ${(t * 0.7).toFixed(1)}s${t === 4 ? ' done' : ''}\n`);
          for (const l of v.layers) {
            await out(`#${v.id} extracting ${l.digest}\n`);
            await out(`#${v.id} extracting ${l.digest} ${(0.3 + rand() * 4).toFixed(1)}s done\n`);
          }
        }
      }
      // Print a slice of the output: the whole of a small step, a part of a big one.
      const slice = v.bytes > 0 ? Math.min(v.bytes - v.written, int(20_000, 400_000)) : 0;
      let n = 0;
      while (n < slice) {
        v.t += rand() * 0.05;
        const line = `#${v.id} ${secs(v.t)} ${outputLine(v.kind)}\n`;
        n += line.length;
        await out(line);
      }
      v.written += n;
      if (v.written >= v.bytes) {
        if (v === lastRun) {
          await out(`#${v.id} ${secs(v.t)} make: *** [Makefile:120: all] Error 2\n`);
          await out(`#${v.id} ERROR: process "/bin/sh -c ${v.instr.slice(4).replace(/"/g, '\\"')}" did not complete successfully: exit code: 2\n\n`);
          const sib = pair[1 - k]?.[cursors[1 - k]];
          if (sib && printed.has(sib)) await out(`#${sib.id} CANCELED\n\n`);
          failed = true;
          break;
        }
        await out(`#${v.id} DONE ${Math.max(v.durationS, v.t).toFixed(1)}s\n\n`);
        current = null;
        cursors[k]++;
      }
    }
    if (current && !failed) await out('\n');
  }
  if (failed) {
    const v = lastRun;
    const stage = v.name.slice(1, v.name.indexOf(']'));
    await out('------\n');
    await out(` > [${stage}] ${v.instr}:\n`);
    for (let i = 0; i < 9; i++) await out(`${secs(v.t)} ${outputLine('cc')}\n`);
    await out(`${secs(v.t)} make: *** [Makefile:120: all] Error 2\n`);
    await out('------\n');
    await out('Dockerfile:87\n--------------------\n  86 |     COPY . .\n  87 | >>> ' + v.instr + '\n  88 |     \n--------------------\n');
    await out(`ERROR: failed to solve: process "/bin/sh -c ${v.instr.slice(4).replace(/"/g, '\\"')}" did not complete successfully: exit code: 2\n`);
    return;
  }
  const id = vertices.length + 1;
  await out(`#${id} exporting to image\n#${id} exporting layers\n#${id} exporting layers 12.4s done\n`);
  await out(`#${id} writing image sha256:${hex(64)} done\n#${id} naming to docker.io/library/bench:latest done\n#${id} DONE 12.5s\n`);
}

// ---------------------------------------------------------------------------------------------
// rawjson writer: SolveStatus objects

const T0 = Date.parse('2026-11-28T12:00:00Z');
let clockNs = 0; // nanoseconds since T0
const tick = (ns) => (clockNs += ns);
function stamp() {
  const ms = Math.floor(clockNs / 1e6);
  const iso = new Date(T0 + ms).toISOString(); // ...SS.mmmZ
  return iso.slice(0, -1) + String(clockNs % 1e6).padStart(6, '0') + 'Z';
}

async function emit(obj) {
  await out(format === 'rawjson-indented' ? JSON.stringify(obj, null, 2) + '\n' : JSON.stringify(obj) + '\n');
}

async function writeRawJson(stages, vertices) {
  const lastRun = fail ? vertices.filter((v) => v.kind).at(-1) : null;
  let prev = null;
  for (const v of vertices) {
    const inputs = prev && v.stage && !v.instr.startsWith('FROM') ? [prev.digest] : undefined;
    const base = { digest: v.digest, ...(inputs ? { inputs } : {}), name: v.name };
    await emit({ vertexes: [base] });
    tick(int(50_000, 900_000));
    const started = stamp();
    if (v.cached) {
      await emit({ vertexes: [{ ...base, started, completed: started, cached: true }] });
      prev = v;
      continue;
    }
    await emit({ vertexes: [{ ...base, started }] });
    for (const s of v.status ?? []) {
      // `transferring context: 48.21MB` in plain is { id: 'transferring context:', current: 48210000 } here.
      const id = s.slice(0, s.indexOf(':') + 1);
      const current = Math.round(parseFloat(s.slice(id.length + 1)) * (s.endsWith('MB') ? 1e6 : s.endsWith('kB') ? 1e3 : 1));
      const st = stamp();
      await emit({ statuses: [{ id, vertex: v.digest, name: 'transferring', current: 0, timestamp: st, started: st }] });
      tick(int(1e6, 9e8));
      await emit({ statuses: [{ id, vertex: v.digest, name: 'transferring', current, timestamp: stamp(), started: st, completed: stamp() }] });
    }
    for (const l of v.layers ?? []) {
      const st = stamp();
      for (let t = 1; t <= 4; t++) {
        tick(int(1e8, 9e8));
        await emit({ statuses: [{ id: l.digest, vertex: v.digest, name: 'downloading', current: Math.round((l.total * t) / 4), total: l.total, timestamp: stamp(), started: st, ...(t === 4 ? { completed: stamp() } : {}) }] });
      }
      await emit({ statuses: [{ id: `extracting ${l.digest}`, vertex: v.digest, name: 'extracting', timestamp: stamp(), started: stamp() }] });
      tick(int(1e8, 3e9));
      await emit({ statuses: [{ id: `extracting ${l.digest}`, vertex: v.digest, name: 'extracting', timestamp: stamp(), started: st, completed: stamp() }] });
    }
    // Logs: BuildKit batches a few lines per message; the base64 data makes them ~4/3 larger.
    let n = 0;
    while (n < v.bytes) {
      const lines = [];
      const k = int(1, 12);
      for (let i = 0; i < k; i++) lines.push(outputLine(v.kind));
      const data = Buffer.from(lines.join('\n') + '\n').toString('base64');
      tick(int(1e5, 5e7));
      const msg = { logs: [{ vertex: v.digest, stream: rand() < 0.8 ? 1 : 2, data, timestamp: stamp() }] };
      n += data.length + 140;
      await emit(msg);
    }
    tick(int(1e6, 2e9));
    if (v === lastRun) {
      await emit({ vertexes: [{ ...base, started, completed: stamp(), error: `process "/bin/sh -c ${v.instr.slice(4)}" did not complete successfully: exit code: 2` }] });
      await out('Dockerfile:87\n--------------------\n  86 |     COPY . .\n  87 | >>> ' + v.instr + '\n  88 |     \n--------------------\n');
      await out(`ERROR: failed to solve: process "/bin/sh -c ${v.instr.slice(4).replace(/"/g, '\\"')}" did not complete successfully: exit code: 2\n`);
      return;
    }
    await emit({ vertexes: [{ ...base, started, completed: stamp() }] });
    prev = v;
  }
  const digest = 'sha256:' + hex(64);
  await emit({ vertexes: [{ digest, name: 'exporting to image' }] });
  const started = stamp();
  await emit({ vertexes: [{ digest, name: 'exporting to image', started }] });
  await emit({ statuses: [{ id: 'exporting layers', vertex: digest, name: 'exporting layers', timestamp: stamp(), started, completed: stamp() }] });
  tick(2e9);
  await emit({ vertexes: [{ digest, name: 'exporting to image', started, completed: stamp() }] });
}

// ---------------------------------------------------------------------------------------------

const stages = planBuild();
const vertices = planVertices(stages);
if (format === 'plain') await writePlain(stages, vertices);
else await writeRawJson(stages, vertices);
await flush();
process.stderr.write(`gen-log: ${format}, ${(written / 1e6).toFixed(1)} MB, ${vertices.length} vertices in ${stages.length} stages${fail ? ', failing' : ''}\n`);
