// `buildlens why` on real rebuilds of the local engine: each case builds BEFORE, changes one thing,
// builds AFTER, and checks the cause `why` gives for the steps that ran — and that no build-arg value
// is ever printed. Every case has its own token in its Dockerfile or context, so that no step is
// shared with a concurrent build on the same engine; FROM vertexes are never asserted on.
import { chmodSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { describeDocker } from './docker.js';

const BUILD_TIMEOUT = 300_000;
const cli = join(process.cwd(), 'bin', 'buildlens.js');

interface Cause { kind: string; files?: { changes: Array<{ path: string; change: string }>; total: number }; args?: string[]; instruction?: { line: number; before: string | null; after: string | null }; image?: { line: number; before: { imageId: string | null } | null; after: { imageId: string | null } }; parent?: { line: number; cause: Cause }; evidence?: string[] }
interface Why { executed: number; explained: Array<{ line: number | null; instruction: string; cause: Cause }>; notes: string[] }

const root = (c: Cause): Cause => (c.kind === 'parent-rebuilt' && c.parent ? root(c.parent.cause) : c);

describeDocker('buildlens why on real rebuilds', () => {
  let dir = '';
  let cache = '';
  let token = '';
  const images: string[] = [];
  const env = (extra: Record<string, string> = {}) => ({ ...process.env, BUILDLENS_CACHE_DIR: cache, CI: 'true', ...extra });
  const out = (file: string) => join(cache, file);
  /** A build through buildlens; reports go outside the context (a file there would change `COPY . .`). */
  const build = async (name: string, extra: string[] = [], envExtra: Record<string, string> = {}) => {
    const iid = out(`${name}.iid`);
    const r = await execa('node', [cli, 'build', '--view', 'quiet', '--report', out(`${name}.json`), '--', '--network=none', '--iidfile', iid, ...extra, '.'], { env: env(envExtra), reject: false, cwd: dir });
    expect(r.exitCode).toBe(0);
    if (existsSync(iid)) images.push(readFileSync(iid, 'utf8').trim());
    return r;
  };
  const why = async (before = 'before', after = 'after'): Promise<{ why: Why; table: string; markdown: string }> => {
    const args = [out(`${before}.json`), out(`${after}.json`)];
    const [json, table, markdown] = await Promise.all(['json', 'table', 'markdown'].map((f) => execa('node', [cli, 'why', ...args, '--format', f], { env: env(), reject: false })));
    for (const r of [json!, table!, markdown!]) expect(r.exitCode).toBe(0);
    return { why: JSON.parse(json!.stdout) as Why, table: table!.stdout, markdown: markdown!.stdout };
  };
  const step = (w: Why, prefix: string) => {
    const s = w.explained.find((e) => e.instruction.startsWith(prefix));
    if (!s) throw new Error(`no explained step starts with ${prefix}: ${JSON.stringify(w.explained.map((e) => e.instruction))}`);
    return s;
  };
  const busybox = (lines: string[]) => writeFileSync(join(dir, 'Dockerfile'), ['FROM localbase/busybox', ...lines, ''].join('\n'));

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'buildlens-why-'));
    cache = mkdtempSync(join(tmpdir(), 'buildlens-why-cache-'));
    token = `why-${randomBytes(6).toString('hex')}`;
  });
  afterEach(async () => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(cache, { recursive: true, force: true });
    // Only this test's own images (by ID): other agents share the engine.
    if (images.length > 0) await execa('docker', ['rmi', '--no-prune', ...images.splice(0)], { reject: false });
  });

  /** The node sample, made unique by a token file its `COPY . .` copies. */
  const nodeApp = () => {
    cpSync(join(process.cwd(), 'samples', 'node-app'), dir, { recursive: true });
    writeFileSync(join(dir, 'token.txt'), token + '\n');
    // Sources as a checkout leaves them: older than the digest cache's racy window.
    const old = new Date(Date.now() - 60_000);
    for (const f of ['package.json', 'package-lock.json', 'src/server.js', 'token.txt', 'Dockerfile']) utimesSync(join(dir, f), old, old);
  };

  it('a source file edited: COPY . . ran because src/server.js changed, and npm ci through it', async () => {
    nodeApp();
    await build('before');
    writeFileSync(join(dir, 'src', 'server.js'), readFileSync(join(dir, 'src', 'server.js'), 'utf8') + '// edited\n');
    await build('after');
    const { why: w, table, markdown } = await why();
    const copy = step(w, 'COPY . .');
    expect(copy.cause).toEqual({ kind: 'files-changed', files: { changes: [{ path: 'src/server.js', change: 'content' }], total: 1 } });
    const ci = step(w, 'RUN npm ci');
    expect(ci.cause.kind).toBe('parent-rebuilt');
    expect(root(ci.cause).files!.changes[0]!.path).toBe('src/server.js');
    for (const e of w.explained) expect(root(e.cause).kind).toBe('files-changed');
    expect(table).toMatch(/RUN npm ci .*parent-rebuilt/);
    expect(markdown.split('\n')[0]).toMatch(/root cause: `src\/server\.js` changed\.$/);
  }, BUILD_TIMEOUT);

  it('a lockfile edited: npm ci ran because package-lock.json changed, and build says so in its summary', async () => {
    nodeApp();
    await build('before');
    writeFileSync(join(dir, 'package-lock.json'), readFileSync(join(dir, 'package-lock.json'), 'utf8').replace('}', `, "edited": "${token}" }`));
    const after = await build('after', [], {});
    const { why: w } = await why();
    expect(step(w, 'COPY . .').cause.files!.changes).toEqual([{ path: 'package-lock.json', change: 'content' }]);
    expect(root(step(w, 'RUN npm ci').cause).kind).toBe('files-changed');
    // The summary needs the table format (the default) and the history.
    const summary = await execa('node', [cli, 'build', '--view', 'quiet', '--', '--network=none', '.'], { env: env(), reject: false, cwd: dir });
    expect(summary.exitCode).toBe(0);
    expect(summary.stderr).not.toMatch(/Why they ran/); // unchanged since `after`
    expect(after.stderr).toMatch(/Why they ran/);
    expect(after.stderr).toMatch(/ {2}`RUN npm ci` \(\d+\.\d s\) ran because `package-lock\.json` changed$/m);
  }, BUILD_TIMEOUT);

  it('a mode changed only re-runs the COPY (mode is in the key); a touch alone re-runs nothing', async () => {
    writeFileSync(join(dir, 'app.sh'), `echo ${token}\n`);
    busybox(['COPY app.sh /app.sh', `RUN sh /app.sh && echo ${token}-run`]);
    await build('before');
    const t = new Date();
    utimesSync(join(dir, 'app.sh'), t, t);
    await build('touched');
    const touched = await why('before', 'touched');
    expect(touched.why.executed).toBe(0);
    expect(touched.table).toMatch(/nothing to explain/);
    chmodSync(join(dir, 'app.sh'), 0o755);
    await build('after');
    const { why: w } = await why('touched', 'after');
    expect(step(w, 'COPY app.sh').cause).toEqual({ kind: 'files-changed', files: { changes: [{ path: 'app.sh', change: 'mode' }], total: 1 } });
    expect(step(w, 'RUN sh /app.sh').cause.kind).toBe('parent-rebuilt');
  }, BUILD_TIMEOUT);

  it('a build-arg in scope changed is named, never its value; one out of scope re-runs nothing', async () => {
    busybox(['ARG LEVEL', `RUN echo ${token}`, `RUN echo ${token}-second`]);
    const one = `value-one-${token}`;
    const two = `value-two-${token}`;
    await build('before', ['--build-arg', `LEVEL=${one}`, '--build-arg', `OTHER=${one}`]);
    const same = await build('same', ['--build-arg', `LEVEL=${one}`, '--build-arg', `OTHER=${two}`]);
    const outOfScope = await why('before', 'same');
    expect(outOfScope.why.executed).toBe(0);
    const after = await build('after', ['--build-arg', `LEVEL=${two}`, '--build-arg', `OTHER=${two}`]);
    const { why: w, table, markdown } = await why('same', 'after');
    expect(step(w, `RUN echo ${token}`).cause).toEqual({ kind: 'build-arg-changed', args: ['LEVEL'] });
    expect(step(w, `RUN echo ${token}-second`).cause.kind).toBe('parent-rebuilt');
    const printed = [JSON.stringify(w), table, markdown, after.stdout, after.stderr, same.stderr, outOfScope.table, JSON.stringify(JSON.parse(readFileSync(out('after.json'), 'utf8')).fingerprints)];
    for (const text of printed) {
      expect(text).not.toContain(one);
      expect(text).not.toContain(two);
    }
  }, BUILD_TIMEOUT);

  it('a Dockerfile line changed: instruction-changed with its line, old and new text', async () => {
    busybox([`RUN echo ${token}-a`, `RUN echo ${token}-tail`]);
    await build('before');
    busybox([`RUN echo ${token}-b`, `RUN echo ${token}-tail`]);
    await build('after');
    const { why: w } = await why();
    expect(step(w, `RUN echo ${token}-b`).cause).toEqual({ kind: 'instruction-changed', instruction: { line: 2, before: `RUN echo ${token}-a`, after: `RUN echo ${token}-b` } });
    expect(step(w, `RUN echo ${token}-tail`).cause).toMatchObject({ kind: 'parent-rebuilt', parent: { line: 2 } });
  }, BUILD_TIMEOUT);

  it('the base tag re-pointed to another image: base-image-changed, old and new image IDs', async () => {
    const tag = `buildlens-why-test:${token}`;
    const id = async (ref: string) => (await execa('docker', ['image', 'inspect', '--format', '{{.Id}}', ref])).stdout.trim();
    await execa('docker', ['tag', 'localbase/busybox', tag]);
    try {
      writeFileSync(join(dir, 'Dockerfile'), `FROM ${tag}\nRUN echo ${token}\n`);
      await build('before');
      await execa('docker', ['tag', 'localbase/toolchains', tag]);
      await build('after');
      const { why: w } = await why();
      const cause = step(w, `RUN echo ${token}`).cause;
      expect(cause.kind).toBe('base-image-changed');
      expect(cause.image!.line).toBe(1);
      expect(cause.image!.before!.imageId).toBe(await id('localbase/busybox'));
      expect(cause.image!.after.imageId).toBe(await id('localbase/toolchains'));
    } finally {
      await execa('docker', ['rmi', '--no-prune', tag], { reject: false });
    }
  }, BUILD_TIMEOUT);

  it('--no-cache: the inputs match, yet every step ran: cache-unavailable, no-cache', async () => {
    busybox([`RUN echo ${token}`, `RUN echo ${token}-second`]);
    await build('before');
    await build('after', ['--no-cache']);
    const { why: w, table } = await why();
    expect(step(w, `RUN echo ${token}`).cause).toEqual({ kind: 'cache-unavailable', evidence: ['no-cache'] });
    expect(root(step(w, `RUN echo ${token}-second`).cause)).toEqual({ kind: 'cache-unavailable', evidence: ['no-cache'] });
    expect(table).toMatch(/the build ran with --no-cache/);
  }, BUILD_TIMEOUT);

  it('docker builder prune between builds (only this test\'s records): cache-unavailable, pruned or evicted', async () => {
    busybox([`RUN echo ${token} > /a`, `RUN echo ${token}-second > /b`]);
    await build('before');
    // The image holds its layers: remove it (it is this test's own), then prune the records of its steps alone.
    await execa('docker', ['rmi', '--no-prune', ...images.splice(0)], { reject: false });
    const du = (await execa('docker', ['buildx', 'du', '--verbose'])).stdout;
    const ids = du.split(/\n\s*\n/).filter((b) => b.includes(token)).map((b) => /^ID:\s+(\S+)/m.exec(b)?.[1]).filter((x): x is string => !!x);
    expect(ids.length).toBeGreaterThan(0);
    for (const id of ids) await execa('docker', ['builder', 'prune', '-f', '--filter', `id=${id}`]);
    await build('after');
    const { why: w, table } = await why();
    expect(w.executed).toBeGreaterThan(0);
    for (const e of w.explained) expect(root(e.cause)).toEqual({ kind: 'cache-unavailable', evidence: ['pruned-or-evicted'] });
    expect(table).toMatch(/pruned or evicted/);
  }, BUILD_TIMEOUT);

  it('an unchanged rebuild: nothing to explain, and why with no arguments reads the history', async () => {
    busybox([`RUN echo ${token}`]);
    await build('before');
    const again = await build('after');
    expect(again.stderr).not.toMatch(/Why they ran/);
    const { why: w, table } = await why();
    expect(w.executed).toBe(0);
    expect(table).toMatch(/^buildlens why: nothing to explain/);
    const history = await execa('node', [cli, 'why'], { env: env(), reject: false });
    expect(history.exitCode).toBe(0);
    expect(history.stdout).toMatch(/^buildlens why: nothing to explain/);
  }, BUILD_TIMEOUT);
});
