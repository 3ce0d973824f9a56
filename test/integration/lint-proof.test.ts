// Proof, on the real engine, that `buildlens lint --fix` fixes of copy-before-install work: for a
// Node, a Python and a Go sample, (a) the fixed Dockerfile builds; (b) its final filesystem equals
// the original's (both exported with --output type=local, compared by paths and content hashes);
// (c) after a source edit, the rebuild shows the install step CACHED where the original re-ran it;
// (d) the rebuild times before and after the fix, printed side by side. Samples that are already
// right get no copy-before-install. Each sample is built from a temporary copy whose manifests carry
// a nonce, so no test reuses another's (or an earlier run's) cache.
import { cpSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, lstatSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { createHash, randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describeDocker, dockerBuild } from './docker.js';

const TIMEOUT = 240_000;
const root = process.cwd();
const cli = join(root, 'bin', 'buildlens.js');

interface JsonStep { name: string; status: string; line: number | null; sourceText: string | null; instruction: string | null; durationMs: number | null; internal: boolean }
interface JsonReport { steps: JsonStep[]; totals: { durationMs: number | null } }
interface LintJson { findings: Array<{ rule: string; line: number | null; fix: unknown }>; fixable: number }

/** Every path below `dir` with its type and the sha256 of its content (a symlink: its target). */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string) => {
    for (const name of readdirSync(join(dir, rel)).sort()) {
      const p = rel ? `${rel}/${name}` : name;
      const st = lstatSync(join(dir, p));
      if (st.isSymbolicLink()) out.set(p, `link:${readlinkSync(join(dir, p))}`);
      else if (st.isDirectory()) {
        out.set(p, 'dir');
        walk(p);
      } else out.set(p, `file:${createHash('sha256').update(readFileSync(join(dir, p))).digest('hex')}`);
    }
  };
  walk('');
  return out;
}

interface Built { wallMs: number; report: JsonReport }

/** Build `dir` (its Dockerfile) with rawjson progress, export the result to `dest`, and read the build with buildlens. */
async function build(dir: string, dest: string, extra: string[] = []): Promise<Built> {
  const started = Date.now();
  const run = await dockerBuild(dir, 'rawjson', ['--output', `type=local,dest=${dest}`, ...extra]);
  const wallMs = Date.now() - started;
  if (run.exitCode !== 0) throw new Error(`docker build of ${dir} failed:\n${run.output.slice(-3000)}`);
  const r = await execa('node', [cli, 'report', '-', '--format', 'json', '--dockerfile', join(dir, 'Dockerfile')], { input: run.output, reject: false });
  expect(r.exitCode).toBe(0);
  return { wallMs, report: JSON.parse(r.stdout) as JsonReport };
}

function installStep(report: JsonReport, install: string): JsonStep {
  const step = report.steps.find((s) => !s.internal && (s.sourceText ?? s.instruction ?? '').includes(install));
  if (!step) throw new Error(`no step runs \`${install}\` in: ${report.steps.map((s) => s.name).join(' | ')}`);
  return step;
}

async function lint(dir: string, ...args: string[]) {
  return execa('node', [cli, 'lint', join(dir, 'Dockerfile'), '--context', dir, ...args], { reject: false });
}

const figures: string[] = [];

interface Sample {
  name: string;
  source: string;
  /** The install command as written in the RUN. */
  install: string;
  /** Put a nonce into the manifests (so the install is this test's own), in the copy at `dir`. */
  nonce(dir: string, id: string): void;
  /** A source edit that the install does not depend on. */
  edit(dir: string): void;
  /** A stage to export and compare too (the one the fix rewrote, with the installed packages). */
  stage?: string;
}

const SAMPLES: Sample[] = [
  {
    name: 'node (samples/node-app)',
    source: 'samples/node-app',
    install: 'npm ci',
    nonce: (dir, id) => {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
      pkg.description = `lint proof ${id}`;
      writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
    },
    edit: (dir) => appendFileSync(join(dir, 'src', 'server.js'), "console.log('edited');\n"),
    stage: 'build',
  },
  {
    name: 'python (samples/lint/python-fixable)',
    source: 'samples/lint/python-fixable',
    install: 'pip install',
    nonce: (dir, id) => appendFileSync(join(dir, 'requirements-base.txt'), `# lint proof ${id}\n`),
    edit: (dir) => appendFileSync(join(dir, 'app', '__main__.py'), 'print("edited")\n'),
  },
  {
    name: 'go (samples/lint/go-fixable)',
    source: 'samples/lint/go-fixable',
    install: 'go mod download',
    nonce: (dir, id) => appendFileSync(join(dir, 'go.mod'), `// lint proof ${id}\n`),
    edit: (dir) => appendFileSync(join(dir, 'cmd', 'server', 'main.go'), '\n// edited\n'),
  },
];

describeDocker('buildlens lint fixes of copy-before-install, proven on the real engine', () => {
  let work = '';
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'buildlens-lint-proof-'));
  });
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
    if (figures.length > 0) {
      // The figures for the note: rebuild after a source edit, before and after the fix.
      process.stdout.write(`\nRebuild after a source edit (wall time; install step status)\n${figures.join('\n')}\n`);
    }
  });

  for (const sample of SAMPLES) {
    it(`${sample.name}: the fixed Dockerfile builds the same files and keeps the install cached across a source edit`, async () => {
      const id = randomUUID();
      const original = join(work, `${sample.source.replace(/\W+/g, '-')}-original`);
      const fixed = join(work, `${sample.source.replace(/\W+/g, '-')}-fixed`);
      cpSync(join(root, sample.source), original, { recursive: true });
      sample.nonce(original, id);
      cpSync(original, fixed, { recursive: true });

      // The finding and its fix, as a user gets them.
      const found = await lint(original, '--format', 'json', '--fail-on', 'none');
      expect(found.exitCode).toBe(0);
      const report = JSON.parse(found.stdout) as LintJson;
      const finding = report.findings.find((f) => f.rule === 'copy-before-install');
      expect(finding?.fix).toBeTruthy();
      const fixRun = await lint(fixed, '--fix', '--fail-on', 'none');
      expect(fixRun.exitCode).toBe(0);
      expect(fixRun.stderr).toMatch(/rewrote .*copy-before-install/);
      const fixedText = readFileSync(join(fixed, 'Dockerfile'), 'utf8');
      expect(fixedText).not.toBe(readFileSync(join(original, 'Dockerfile'), 'utf8'));
      // The rewritten file has no copy-before-install left.
      const again = JSON.parse((await lint(fixed, '--format', 'json', '--fail-on', 'none')).stdout) as LintJson;
      expect(again.findings.filter((f) => f.rule === 'copy-before-install')).toEqual([]);

      // (a) both build; (b) the same final filesystem.
      const a1 = await build(original, join(work, `${id}-a1`));
      const b1 = await build(fixed, join(work, `${id}-b1`));
      expect(installStep(a1.report, sample.install).status).toBe('done');
      expect(installStep(b1.report, sample.install).status).toBe('done');
      const before = snapshot(join(work, `${id}-a1`));
      const after = snapshot(join(work, `${id}-b1`));
      expect(before.size).toBeGreaterThan(0);
      expect([...after]).toEqual([...before]);
      if (sample.stage) {
        // The stage the fix rewrote, node_modules included. `COPY . .` copies the Dockerfile itself
        // (this sample's .dockerignore keeps it), and that one file differs by design.
        await build(original, join(work, `${id}-a1-stage`), ['--target', sample.stage]);
        await build(fixed, join(work, `${id}-b1-stage`), ['--target', sample.stage]);
        const withoutDockerfile = (m: Map<string, string>) => [...m].filter(([p]) => !p.endsWith('/Dockerfile'));
        const stageBefore = snapshot(join(work, `${id}-a1-stage`));
        expect([...stageBefore.keys()].some((p) => p.includes('node_modules/.sim/installed'))).toBe(true);
        expect(withoutDockerfile(snapshot(join(work, `${id}-b1-stage`)))).toEqual(withoutDockerfile(stageBefore));
      }

      // (c) a source edit: the original re-runs the install, the fixed one takes it from the cache.
      sample.edit(original);
      sample.edit(fixed);
      const a2 = await build(original, join(work, `${id}-a2`));
      const b2 = await build(fixed, join(work, `${id}-b2`));
      const ranBefore = installStep(a2.report, sample.install);
      const ranAfter = installStep(b2.report, sample.install);
      expect(ranBefore.status).toBe('done');
      expect(ranAfter.status).toBe('cached');
      // And the edited builds still agree.
      expect([...snapshot(join(work, `${id}-b2`))]).toEqual([...snapshot(join(work, `${id}-a2`))]);

      // (d) the figures, side by side.
      const secs = (ms: number | null) => (ms === null ? '?' : `${(ms / 1000).toFixed(1)}s`);
      figures.push(`  ${sample.name.padEnd(40)} before the fix ${secs(a2.report.totals.durationMs ?? a2.wallMs)} (${sample.install}: ran, ${secs(ranBefore.durationMs)})   after ${secs(b2.report.totals.durationMs ?? b2.wallMs)} (${sample.install}: CACHED)`);
      // The fix saves at least the install's own time.
      expect((b2.report.totals.durationMs ?? b2.wallMs)).toBeLessThan((a2.report.totals.durationMs ?? a2.wallMs));
    }, TIMEOUT);
  }

  it('samples that are already right (manifests first, cache mounts) get no copy-before-install', async () => {
    for (const dir of ['samples/lint/node-already-right', 'samples/python-app', 'samples/go-service']) {
      const r = await lint(join(root, dir), '--format', 'json', '--fail-on', 'none');
      expect(r.exitCode).toBe(0);
      const report = JSON.parse(r.stdout) as LintJson;
      expect({ dir, rules: report.findings.map((f) => f.rule).filter((rule) => rule === 'copy-before-install') }).toEqual({ dir, rules: [] });
    }
    // And the already-right Node sample builds, with its install cached after a source edit.
    const copy = join(work, 'node-already-right');
    cpSync(join(root, 'samples/lint/node-already-right'), copy, { recursive: true });
    const pkg = JSON.parse(readFileSync(join(copy, 'package.json'), 'utf8')) as Record<string, unknown>;
    pkg.description = `already right ${randomUUID()}`;
    writeFileSync(join(copy, 'package.json'), JSON.stringify(pkg) + '\n');
    await build(copy, join(copy, '..', 'right-1'));
    appendFileSync(join(copy, 'src', 'server.js'), '// edited\n');
    const second = await build(copy, join(copy, '..', 'right-2'));
    expect(installStep(second.report, 'npm ci').status).toBe('cached');
  }, TIMEOUT);
});
