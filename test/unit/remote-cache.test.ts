// Remote cache: the import and export vertexes and their statuses in every BuildKit format, and the
// findings on cache use. Real output where the engine gives it (test/fixtures/ci-reports, recorded by
// scripts/record-ci-fixtures.sh; ../shared/real-logs); the docker driver of the local engine cannot
// export a cache, so registry/local exports are read from a real CI log and small logs written to
// BuildKit's grammar.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseLog } from '../../src/core/parse/detect.js';
import { detectCi, dockerDriverRefusal, parseCacheSpec, remoteCacheFindings, summarizeRemoteCache, type RemoteCacheInput } from '../../src/core/remote-cache.js';
import { formatDuration } from '../../src/core/units.js';
import type { Build } from '../../src/core/model.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const fixture = (name: string) => readFileSync(join(repo, 'test', 'fixtures', 'ci-reports', name), 'utf8');
const realLog = resolve(repo, '..', 'shared', 'real-logs', '23-gha-cache-export-writing-layers-link-artifacts.txt');

const LAYER_A = 'a'.repeat(64);
const LAYER_B = 'b'.repeat(64);

/** A registry cache import and export as BuildKit prints them (plain), around one slow step. */
const PLAIN_EXPORT = `#0 building with "ci" instance using docker-container driver

#1 [internal] load build definition from Dockerfile
#1 transferring dockerfile: 120B done
#1 DONE 0.0s

#2 importing cache manifest from ghcr.io/acme/app:cache
#2 inferred cache manifest type: application/vnd.oci.image.index.v1+json done
#2 DONE 1.4s

#3 [1/2] FROM docker.io/library/alpine:3.19
#3 CACHED

#4 [2/2] RUN make
#4 DONE 0.5s

#5 exporting to image
#5 exporting layers done
#5 DONE 0.1s

#6 exporting cache to registry
#6 preparing build cache for export
#6 writing layer sha256:${LAYER_A}
#6 writing layer sha256:${LAYER_A} 1.5s done
#6 writing layer sha256:${LAYER_B} 2.0s done
#6 writing config sha256:${LAYER_B} 0.1s done
#6 preparing build cache for export 3.8s done
#6 DONE 3.8s
`;

function input(build: Build, over: Partial<RemoteCacheInput> = {}): RemoteCacheInput {
  return { build, cache: summarizeRemoteCache(build), ci: null, cacheFrom: null, cacheTo: null, formatDuration, ...over };
}

describe('summarizeRemoteCache', () => {
  it('plain: import and export with their durations, layers written and the export preparation', () => {
    const cache = summarizeRemoteCache(parseLog(PLAIN_EXPORT))!;
    expect(cache.imports).toEqual([{ stepId: '2', source: 'ghcr.io/acme/app:cache', durationMs: 1400, status: 'done' }]);
    expect(cache.exports).toEqual([{ stepId: '6', destination: 'registry', durationMs: 3800, status: 'done', preparingMs: 3800, layersWritten: 2, layersWriteMs: 3500 }]);
    expect(cache.importMs).toBe(1400);
    expect(cache.exportMs).toBe(3800);
    expect(cache.stepsFromCache).toBe(1);
    expect(cache.stepsExecuted).toBe(1);
  });

  it('recorded plain logs: the inline cache export and an import from an image', () => {
    expect(summarizeRemoteCache(parseLog(fixture('ci-app.inline-export.plain.log')))).toMatchObject({ inline: true, imports: [], exports: [] });
    const imported = summarizeRemoteCache(parseLog(fixture('ci-app.cache-from.plain.log')))!;
    expect(imported.imports.map((i) => i.source)).toEqual(['buildlens-ci-fixture-cache']);
    expect(imported.stepsFromCache).toBeGreaterThanOrEqual(4);
  });

  it('recorded rawjson log: the import vertex and the steps it served', () => {
    const build = parseLog(fixture('ci-app.cache-from.rawjson.log'));
    expect(build.format).toBe('rawjson');
    const cache = summarizeRemoteCache(build)!;
    expect(cache.imports).toHaveLength(1);
    expect(cache.imports[0]!.source).toBe('buildlens-ci-fixture-cache');
    expect(cache.stepsFromCache).toBe(build.steps.filter((s) => !s.internal && s.status === 'cached').length);
  });

  it('rawjson statuses (one object per line): the export\'s layers and their times', () => {
    const v = 'sha256:' + '1'.repeat(64);
    const lines = [
      JSON.stringify({ vertexes: [{ digest: 'sha256:' + '2'.repeat(64), name: '[1/1] RUN make', started: '2024-01-01T00:00:00Z', completed: '2024-01-01T00:00:01Z' }] }),
      JSON.stringify({ vertexes: [{ digest: v, name: 'exporting cache to client directory', started: '2024-01-01T00:00:01Z', completed: '2024-01-01T00:00:04Z' }] }),
      JSON.stringify({ statuses: [{ id: 'preparing build cache for export', vertex: v, started: '2024-01-01T00:00:01Z', completed: '2024-01-01T00:00:04Z' }] }),
      JSON.stringify({ statuses: [{ id: `writing layer sha256:${LAYER_A}`, vertex: v, started: '2024-01-01T00:00:02Z', completed: '2024-01-01T00:00:03.5Z' }] }),
    ];
    const cache = summarizeRemoteCache(parseLog(lines.join('\n') + '\n'))!;
    expect(cache.exports).toEqual([expect.objectContaining({ destination: 'client directory', durationMs: 3000, preparingMs: 3000, layersWritten: 1, layersWriteMs: 1500 })]);
  });

  it('tty: the rows under the export', () => {
    const tty = [
      '[+] Building 5.2s (6/6) FINISHED                                docker-container:ci',
      ' => [internal] load build definition from Dockerfile                        0.0s',
      ' => [1/1] RUN make                                                          1.0s',
      ' => exporting cache to registry                                             4.0s',
      ' => => preparing build cache for export                                     4.0s',
      ` => => writing layer sha256:${LAYER_A}                                       2.5s`,
      '',
    ].join('\n');
    const build = parseLog(tty);
    expect(build.format).toBe('tty');
    expect(summarizeRemoteCache(build)!.exports).toEqual([expect.objectContaining({ destination: 'registry', durationMs: 4000, preparingMs: 4000, layersWritten: 1, layersWriteMs: 2500 })]);
  });

  it('a build that shows no cache import or export has none', () => {
    expect(summarizeRemoteCache(parseLog(fixture('ci-app.before-fix.rawjson.log')))).toBeNull();
  });

  (existsSync(realLog) ? it : it.skip)('a real GitHub Actions log: a registry export, its layers counted once despite the pasted link artifacts', () => {
    const cache = summarizeRemoteCache(parseLog(readFileSync(realLog, 'utf8')))!;
    expect(cache.exports).toHaveLength(1);
    expect(cache.exports[0]!.destination).toBe('registry');
    expect(cache.exports[0]!.layersWritten).toBeGreaterThanOrEqual(3);
    expect(cache.exports[0]!.layersWriteMs).toBeGreaterThan(0);
  });
});

describe('remoteCacheFindings', () => {
  const beforeFix = parseLog(fixture('ci-app.before-fix.rawjson.log'));
  const afterFix = parseLog(fixture('ci-app.after-fix.rawjson.log'));

  it('no-cache-from-on-ci: a cold build on a CI runner that imported nothing', () => {
    const [f] = remoteCacheFindings(input(beforeFix, { ci: 'GitHub Actions' }));
    expect(f).toMatchObject({ rule: 'no-cache-from-on-ci', severity: 'warning', file: null, line: null });
    expect(f!.message).toMatch(/^This build ran cold on GitHub Actions, which starts without a build cache, and imported none: 4 steps ran \(\d+\.\ds\)\./);
    expect(f!.costMs).toBeGreaterThan(5000);
  });

  it('no finding off CI, with --cache-from, or when the cache served the install', () => {
    expect(remoteCacheFindings(input(beforeFix))).toEqual([]);
    expect(remoteCacheFindings(input(beforeFix, { ci: 'CI', cacheFrom: ['type=gha'] }))).toEqual([]);
    expect(remoteCacheFindings(input(afterFix, { ci: 'CI' }))).toEqual([]);
  });

  it('cache-mode-min-multi-stage: min by default names the stages that are not cached', () => {
    const [f] = remoteCacheFindings(input(beforeFix, { cacheTo: ['type=registry,ref=ghcr.io/acme/app:cache'] }));
    expect(f).toMatchObject({ rule: 'cache-mode-min-multi-stage' });
    expect(f!.message).toContain('--cache-to type=registry,ref=ghcr.io/acme/app:cache exports in mode=min (the default)');
    expect(f!.message).toContain('the 2 other stages (deps, build)');
    expect(remoteCacheFindings(input(beforeFix, { cacheTo: ['type=registry,ref=x,mode=max'] }))).toEqual([]);
    expect(remoteCacheFindings(input(beforeFix, { cacheTo: ['type=inline'] }))[0]!.message).toContain('inline cannot');
    // One stage: nothing to lose.
    expect(remoteCacheFindings(input(parseLog(PLAIN_EXPORT), { cacheTo: ['type=registry,ref=x'] })).map((x) => x.rule)).not.toContain('cache-mode-min-multi-stage');
  });

  it('cache-export-slower-than-build: 3.8s of export for 0.5s of steps', () => {
    const found = remoteCacheFindings(input(parseLog(PLAIN_EXPORT)));
    expect(found.map((f) => f.rule)).toEqual(['cache-export-slower-than-build']);
    expect(found[0]!.message).toMatch(/^Exporting the cache \(registry\) took 3\.8s, longer than the 0\.5s of steps that ran/);
    expect(found[0]!.costMs).toBe(3300);
  });

  it('cache-to-docker-driver: the refusal the local engine printed', () => {
    const refused = fixture('ci-app.cache-to-local-refused.log');
    const f = dockerDriverRefusal(refused, ['type=local,dest=/tmp/work/cache'], null)!;
    expect(f).toMatchObject({ rule: 'cache-to-docker-driver', severity: 'error' });
    expect(f.message).toContain('docker refused --cache-to type=local,dest=/tmp/work/cache');
    expect(dockerDriverRefusal('ERROR: failed to solve: x', [], null)).toBeNull();
  });
});

describe('detectCi and parseCacheSpec', () => {
  it('names the CI system from the environment', () => {
    expect(detectCi({ GITHUB_ACTIONS: 'true', CI: 'true' })).toBe('GitHub Actions');
    expect(detectCi({ GITLAB_CI: 'true' })).toBe('GitLab CI');
    expect(detectCi({ JENKINS_URL: 'http://j' })).toBe('Jenkins');
    expect(detectCi({ CI: '1' })).toBe('a CI runner (CI is set)');
    expect(detectCi({ CI: 'false' })).toBeNull();
    expect(detectCi({})).toBeNull();
  });

  it('reads --cache-to values', () => {
    expect(parseCacheSpec('type=local,dest=d,mode=max')).toMatchObject({ type: 'local', attrs: { dest: 'd', mode: 'max' } });
    expect(parseCacheSpec('app:cache')).toMatchObject({ type: 'registry', attrs: { ref: 'app:cache' } });
  });
});
