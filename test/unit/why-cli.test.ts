// `buildlens why` through the CLI, in-process: two reports, the history (the last two builds of the
// newest key), --baseline, and the one-sentence errors. The causes themselves: test/unit/why.test.ts;
// on real rebuilds: test/integration/why.test.ts.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from '../../src/cli/exit-codes.js';
import { parseDockerfile } from '../../src/core/dockerfile.js';
import { FINGERPRINTS_VERSION, fileDigest, stepModel, type Fingerprints } from '../../src/core/fingerprint.js';
import { runCliIn } from '../run-cli.js';

const DOCKERFILE = 'FROM localbase/busybox\nCOPY app.sh /\nRUN sh /app.sh\n';

function report(appDigest: string, ran: number[]): string {
  const steps = stepModel(parseDockerfile(DOCKERFILE), { target: null, buildArgs: [], hashArg: () => 'h', digestText: () => 'd' });
  const fingerprints: Fingerprints = {
    version: FINGERPRINTS_VERSION, saltId: 's', hostId: 'h', builder: { name: 'default', driver: 'docker' },
    flags: { noCache: false, noCacheFilter: [], cacheFrom: [], pull: false }, target: null, platform: null,
    files: { 'app.sh': fileDigest(appDigest, 0o644, false) }, steps,
  };
  const reportSteps = steps.map((s, i) => ({
    id: String(i + 1), digest: null, name: s.text, target: null, platform: null, stage: null, index: null, total: null, instruction: s.text,
    line: s.line, sourceText: s.text, status: ran.includes(s.line) ? 'done' : 'cached', durationMs: 1500, startMs: null, endMs: null,
    internal: false, inputs: [], output: [], outputDropped: 0, error: null,
  }));
  return JSON.stringify({ schemaVersion: 1, startedAt: null, steps: reportSteps, totals: {}, findings: [], fingerprints });
}

describe('buildlens why', () => {
  let dir = '';
  let cache = '';
  const run = (argv: string[]) => runCliIn(dir, argv, { env: { BUILDLENS_CACHE_DIR: cache } });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'buildlens-why-cli-'));
    cache = mkdtempSync(join(tmpdir(), 'buildlens-why-cache-'));
    writeFileSync(join(dir, 'a.json'), report('one', []));
    writeFileSync(join(dir, 'b.json'), report('two', [2, 3]));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(cache, { recursive: true, force: true });
  });

  it('explains AFTER against BEFORE in the chosen format, exit 0', async () => {
    const r = await run(['why', 'a.json', 'b.json']);
    expect(r.code).toBe(EXIT.OK);
    expect(r.stdout).toMatch(/^buildlens why: 2 of 3 steps ran/);
    expect(r.stdout).toMatch(/COPY app\.sh \/ .*files-changed\n +`app\.sh` changed/);
    const md = await run(['why', 'a.json', 'b.json', '--format', 'markdown']);
    expect(md.stdout.split('\n')[0]).toBe('**buildlens why**: 2 of 3 steps ran; root cause: `app.sh` changed.');
    const json = await run(['why', '--baseline', 'a.json', 'b.json', '--format=json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ before: { file: 'a.json' }, after: { file: 'b.json' }, executed: 2 });
  });

  it('with no reports: the last two builds of the newest key in the history', async () => {
    const key = join(cache, 'history', 'k1');
    const older = join(cache, 'history', 'k0');
    mkdirSync(key, { recursive: true });
    mkdirSync(older, { recursive: true });
    writeFileSync(join(older, '2026-01-01T00-00-00-000Z-1.json'), report('x', [2, 3]));
    writeFileSync(join(key, '2026-02-01T00-00-00-000Z-1.json'), report('one', []));
    writeFileSync(join(key, '2026-02-02T00-00-00-000Z-1.json'), report('two', [2, 3]));
    const r = await run(['why']);
    expect(r.code).toBe(EXIT.OK);
    expect(r.stdout).toMatch(/^BEFORE the build before it; AFTER the newest build in the history$/m);
    expect(r.stdout).toMatch(/`app\.sh` changed/);
    const json = JSON.parse((await run(['why', '--format', 'json'])).stdout);
    expect(json.before.file).toContain(join('k1', '2026-02-01T00-00-00-000Z-1.json'));
    expect(json.after.file).toContain(join('k1', '2026-02-02T00-00-00-000Z-1.json'));
    // --baseline: BEFORE from elsewhere, AFTER the newest build.
    const b = await run(['why', '--baseline', 'b.json', '--format', 'json']);
    expect(JSON.parse(b.stdout).after.file).toContain('2026-02-02T00-00-00-000Z-1.json');
  });

  it('one sentence and exit 2 when it cannot compare', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['why'], /^buildlens: The history holds no build yet: build with `buildlens build`/],
      [['why', 'a.json'], /takes two reports, BEFORE and AFTER/],
      [['why', 'a.json', 'nope.json'], /The report nope\.json does not exist/],
      [['why', 'a.json', 'b.json', '--format', 'sarif'], /`--format` must be table, json or markdown/],
    ];
    for (const [argv, message] of cases) {
      const r = await run(argv);
      expect(r.code).toBe(EXIT.USAGE);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
    mkdirSync(join(cache, 'history', 'k'), { recursive: true });
    writeFileSync(join(cache, 'history', 'k', '2026-02-01T00-00-00-000Z-1.json'), report('one', []));
    expect((await run(['why'])).stderr).toMatch(/holds only one build .*--baseline FILE/);
  });
});
