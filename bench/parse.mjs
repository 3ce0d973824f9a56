// Parse speed and peak memory of `buildlens report FILE --format json` on big generated logs
// (targets: >= 200 MB/s and peak RSS <= 150 MB on a 200 MB plain log and on a 200 MB rawjson log).
// Run after `npm run build` (the CLI runs from dist/):
//   node bench/parse.mjs [MB] [--runs N] [--formats plain,rawjson,rawjson-indented] [--dir DIR] [--fail]
// Logs are generated once by bench/gen-log.mjs into DIR (default: $TMPDIR/buildlens-bench) and kept
// there for the next run. Each run spawns the real CLI with stdout to /dev/null; the best wall time of
// N runs gives MB/s, peak RSS comes from `/usr/bin/time -f %M` (or, without it, from
// process.resourceUsage().maxRSS read in an exit hook). A naive baseline (readline + one regex per
// line, bench/baseline-readline.mjs) runs on the same files for scale.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const bin = here('../bin/buildlens.js');
const gen = here('./gen-log.mjs');
const baseline = here('./baseline-readline.mjs');

const TARGET_MBPS = 200;
const TARGET_RSS_MB = 150;

// --- arguments
const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : dflt;
};
const mb = Number(argv.find((a, i) => /^\d+(\.\d+)?$/.test(a) && !argv[i - 1]?.startsWith('--')) ?? 200);
const runs = Number(opt('--runs', 3));
const formats = String(opt('--formats', 'plain,rawjson,rawjson-indented')).split(',');
const dir = opt('--dir', join(tmpdir(), 'buildlens-bench'));
const fail = argv.includes('--fail');

if (!existsSync(here('../dist/src/cli/main.js'))) {
  console.error('bench/parse.mjs: dist/ is missing: run `npm run build` first.');
  process.exit(2);
}
mkdirSync(dir, { recursive: true });

// --- peak RSS: /usr/bin/time when present, else an exit hook in the measured process
const hasTime = spawnSync('/usr/bin/time', ['-f', '%M', 'true'], { stdio: 'ignore' }).status === 0;
const RSS_HOOK = 'data:text/javascript,' + encodeURIComponent(
  "process.on('exit', () => process.stderr.write('\\nBENCH_MAXRSS_KB=' + process.resourceUsage().maxRSS + '\\n'));",
);
const rssFile = join(dir, 'rss.txt');

/** Run `node ...args` with stdout to /dev/null; returns wall ms, peak RSS in MB and the exit status. */
function measure(args) {
  const cmd = hasTime ? '/usr/bin/time' : process.execPath;
  const full = hasTime ? ['-f', '%M', '-o', rssFile, process.execPath, ...args] : ['--import', RSS_HOOK, ...args];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, full, { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 << 20 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const stderr = r.stderr.toString();
  let kb;
  if (hasTime) kb = Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop());
  else kb = Number(/BENCH_MAXRSS_KB=(\d+)/.exec(stderr)?.[1]);
  return { ms, rssMb: kb / 1024, status: r.status, stderr };
}

function best(args, okStatus = [0]) {
  let out = null;
  for (let i = 0; i < runs; i++) {
    const m = measure(args);
    if (!okStatus.includes(m.status)) throw new Error(`node ${args.join(' ')} exited ${m.status}: ${m.stderr.slice(0, 2000)}`);
    if (!out || m.ms < out.ms) out = { ...m, rssMb: Math.max(m.rssMb, out?.rssMb ?? 0) };
    else out.rssMb = Math.max(out.rssMb, m.rssMb);
  }
  return out;
}

function ensureLog(format) {
  const file = join(dir, `${format}-${mb}MB${fail ? '-fail' : ''}.log`);
  if (existsSync(file) && statSync(file).size > 0) return file;
  process.stderr.write(`generating ${file} ...\n`);
  const fd = openSync(file + '.tmp', 'w');
  const r = spawnSync(process.execPath, [gen, format, String(mb), ...(fail ? ['--fail'] : [])], { stdio: ['ignore', fd, 'inherit'] });
  closeSync(fd);
  if (r.status !== 0) {
    rmSync(file + '.tmp', { force: true });
    throw new Error(`gen-log.mjs ${format} failed`);
  }
  spawnSync('mv', [file + '.tmp', file]);
  return file;
}

// --- run
const startup = best(['-e', '0']);
console.log(`node ${process.version}, ${runs} run(s) each, best wall time; peak RSS via ${hasTime ? '/usr/bin/time -f %M' : 'process.resourceUsage().maxRSS'}; bare node start ${startup.ms.toFixed(0)} ms`);
console.log('');
const rows = [];
const checks = [];
let allOk = true;
for (const format of formats) {
  const file = ensureLog(format);
  const bytes = statSync(file).size;
  const sizeMb = bytes / 1e6;
  // Exit status 1 is a report with findings or a failed build: still a full parse.
  const cli = best([bin, 'report', file, '--format', 'json'], [0, 1]);
  // One more run, not timed, to check the report says what the generator wrote.
  const check = spawnSync(process.execPath, [bin, 'report', file, '--format', 'json'], { maxBuffer: 256 << 20 });
  const report = JSON.parse(check.stdout.toString());
  const t = report.totals;
  const sane = report.source.format === (format === 'plain' ? 'plain' : 'rawjson') && t.steps > 0 && t.incomplete === 0 && !report.incomplete && (fail ? t.errors === 1 : report.error === null);
  if (!sane) allOk = false;
  checks.push(`${format}: ${report.steps.length} steps (${t.steps} user: ${t.executed} executed, ${t.cached} cached, ${t.errors} failed, ${t.canceled} canceled), error ${report.error === null ? 'none' : 'yes'}${sane ? '' : '  <-- NOT what gen-log wrote'}`);
  const base = best([baseline, file]);
  const mbps = sizeMb / (cli.ms / 1000);
  const ok = mbps >= TARGET_MBPS && cli.rssMb <= TARGET_RSS_MB;
  if (format !== 'rawjson-indented') allOk &&= ok; // the targets name plain and one-object-per-line rawjson
  rows.push([
    format,
    `${sizeMb.toFixed(1)} MB`,
    `${(cli.ms / 1000).toFixed(2)} s`,
    `${mbps.toFixed(0)} MB/s`,
    `${cli.rssMb.toFixed(0)} MB`,
    `${(sizeMb / (base.ms / 1000)).toFixed(0)} MB/s`,
    `${base.rssMb.toFixed(0)} MB`,
    ok ? 'ok' : 'MISSED',
  ]);
}
const head = ['log', 'size', 'buildlens', 'MB/s', 'peak RSS', 'baseline', 'baseline RSS', `>= ${TARGET_MBPS} MB/s, <= ${TARGET_RSS_MB} MB`];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
console.log(line(head));
for (const r of rows) console.log(line(r));
console.log('');
for (const c of checks) console.log(c);
console.log('');
console.log(allOk ? 'OK: targets met' : 'MISSED: see the rows marked MISSED (profile with `node --cpu-prof bin/buildlens.js report FILE --format json`)');
process.exitCode = allOk ? 0 : 1;
