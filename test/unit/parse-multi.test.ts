// Logs that hold several builds or several targets: builds run one after another (plain and
// legacy), docker compose v1 (`Building web` + legacy or plain output), compose v2 before 2.37
// (`[web 2/4]`), compose 2.37+ / `docker buildx bake` (re-rendered plain, target prefixes only with
// several targets), and multi-platform builds (`[linux/arm64 builder 3/5]`).
// Recorded logs (test/fixtures/recorded, buildx 0.13.1 on the local engine):
//   three-builds.plain.log   `docker buildx build --progress=plain` three times (cold, cached, failing), with the `$ …` command lines
//   three-builds.legacy.log  `DOCKER_BUILDKIT=0 docker build` three times (cold, cached, failing)
//   bake-two-targets.plain.log  `docker buildx bake --progress=plain --no-cache` of targets web and api
//   bake-one-target.plain.log   `docker buildx bake --progress=plain web`
//   bake-one-fails.plain.log    `docker buildx bake --progress=plain --no-cache` of targets ok and bad (bad fails)
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LogParser, parseLog, parseLogs } from '../../src/core/parse/detect.js';
import { parseStepName } from '../../src/core/parse/step-name.js';
import { userSteps, type Build, type Step } from '../../src/core/model.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
const read = (path: string): string => readFileSync(join(fixtures, path), 'utf8');
const all = (path: string): Build[] => parseLogs(read(path));
const one = (path: string): Build => {
  const builds = all(path);
  expect(builds).toHaveLength(1);
  return builds[0]!;
};

function step(build: Build, id: string): Step {
  const s = build.steps.find((x) => x.id === id);
  if (!s) throw new Error(`no step ${id}; have ${build.steps.map((x) => x.id).join(' ')}`);
  return s;
}
const targets = (b: Build): Array<string | null> => [...new Set(b.steps.map((s) => s.target))];

describe('several builds in one plain log (recorded)', () => {
  const builds = all('recorded/three-builds.plain.log');

  it('returns one build per invocation, each from its own #0 line', () => {
    expect(builds).toHaveLength(3);
    expect(builds.map((b) => b.steps.length)).toEqual([9, 9, 5]);
    expect(builds.map((b) => b.steps[0]!.name)).toEqual([
      '[internal] load build definition from Dockerfile.web',
      '[internal] load build definition from Dockerfile.web',
      '[internal] load build definition from Dockerfile.bad',
    ]);
    expect(builds.every((b) => b.builder.name === 'default' && b.builder.driver === 'docker')).toBe(true);
  });

  it('keeps each build to its own facts: cold, cached, failed', () => {
    const [cold, cached, failed] = builds as [Build, Build, Build];
    expect(userSteps(cold).map((s) => s.status)).toEqual(['cached', 'done', 'done', 'done']);
    expect(step(cold, '6').durationMs).toBe(1100);
    expect(userSteps(cached).map((s) => s.status)).toEqual(['done', 'cached', 'cached', 'cached']);
    expect([cold.error, cached.error, cold.incomplete, cached.incomplete]).toEqual([null, null, false, false]);
    expect(step(failed, '5').status).toBe('error');
    expect(step(failed, '5').output).toEqual(['about to fail']);
    expect(failed.error).toBe('failed to solve: process "/bin/sh -c echo \\"about to fail\\" && exit 5" did not complete successfully: exit code: 5');
    expect(failed.errorExcerpt[1]).toBe(' > [2/2] RUN --network=none echo "about to fail" && exit 5:');
    // The failed build's excerpt does not leak into the builds before it.
    expect([cold.errorExcerpt, cached.errorExcerpt]).toEqual([[], []]);
  });

  it('end() gives the last build; endAll() can follow it; chunked input gives the same builds', () => {
    const text = read('recorded/three-builds.plain.log');
    const p = new LogParser();
    for (let i = 0; i < text.length; i += 7) p.write(text.slice(i, i + 7));
    const last = p.end();
    const every = p.endAll();
    expect(every).toHaveLength(3);
    expect(every[2]).toBe(last);
    expect(every.map((b) => b.steps.map((s) => [s.id, s.status]))).toEqual(builds.map((b) => b.steps.map((s) => [s.id, s.status])));
    expect(parseLog(text).error).toBe(last.error);
  });

  it('a one-build log gives one build', () => {
    expect(all('recorded/node-app.plain.cold.log')).toHaveLength(1);
    expect(all('recorded/fail.plain.log')).toHaveLength(1);
    expect(all('recorded/node-app.rawjson.cold.log')).toHaveLength(1);
    expect(all('recorded/node-app.legacy.cold.log')).toHaveLength(1);
  });
});

describe('several builds in one legacy log (recorded)', () => {
  const builds = all('recorded/three-builds.legacy.log');

  it('starts a build at each DEPRECATED notice / `Step 1/N`', () => {
    expect(builds).toHaveLength(3);
    expect(builds.map((b) => b.steps.length)).toEqual([4, 4, 5]);
    expect(builds.map((b) => b.contextBytes)).toEqual([4096, 4096, 4096]);
  });

  it('keeps each build to its own facts', () => {
    const [cold, cached, failed] = builds as [Build, Build, Build];
    expect(cold.steps.map((s) => s.status)).toEqual(['done', 'done', 'done', 'done']);
    expect(cached.steps.map((s) => s.status)).toEqual(['done', 'cached', 'cached', 'cached']);
    expect(failed.steps.map((s) => s.status)).toEqual(['done', 'done', 'done', 'done', 'error']);
    expect(failed.steps.map((s) => s.stage)).toEqual(['b', 'b', 'stage-1', 'stage-1', 'stage-1']);
    expect(failed.error).toBe("The command '/bin/sh -c cat /t && exit 4' returned a non-zero code: 4");
    expect([cold.error, cached.error, cold.incomplete, cached.incomplete, failed.incomplete]).toEqual([null, null, false, false, false]);
    expect(cold.steps[1]!.output).toEqual(['one']);
  });
});

describe('docker buildx bake (recorded)', () => {
  it('two targets: every step carries its target; `[web 2/4]` is the target web, not a stage', () => {
    const b = one('recorded/bake-two-targets.plain.log');
    expect(step(b, '1').target).toBeNull(); // [internal] load local bake definitions
    const web = step(b, '10');
    expect([web.name, web.target, web.stage, web.index, web.total, web.status, web.durationMs]).toEqual(['[web 2/4] RUN --network=none echo web-build && sleep 1', 'web', null, 2, 4, 'done', 1100]);
    const api = step(b, '9');
    expect([api.target, api.stage, api.index, api.total]).toEqual(['api', 'builder', 2, 2]);
    expect(step(b, '16').target).toBe('web'); // [web] exporting to image
    expect(step(b, '13').target).toBe('api');
    expect(userSteps(b).every((s) => s.target === 'web' || s.target === 'api')).toBe(true);
    expect(userSteps(b).filter((s) => s.target === 'web')).toHaveLength(4);
    expect(userSteps(b).filter((s) => s.target === 'api')).toHaveLength(4);
  });

  it('a vertex shared by two targets, printed under each, is a step per target', () => {
    const b = one('recorded/bake-two-targets.plain.log');
    const webFrom = step(b, '7');
    const apiFrom = step(b, '7@api');
    expect([webFrom.name, webFrom.target, webFrom.status]).toEqual(['[web 1/4] FROM docker.io/localbase/busybox:latest', 'web', 'cached']);
    expect([apiFrom.name, apiFrom.target, apiFrom.status]).toEqual(['[api 1/4] FROM docker.io/localbase/busybox:latest', 'api', 'cached']);
    expect(new Set(b.steps.map((s) => s.id)).size).toBe(b.steps.length);
    expect(b.incomplete).toBe(false);
  });

  it('one target: no prefix, so no target', () => {
    const b = one('recorded/bake-one-target.plain.log');
    expect(targets(b)).toEqual([null]);
    expect(userSteps(b).map((s) => s.stage)).toEqual([null, null, null, null]);
    expect(userSteps(b).map((s) => s.status)).toEqual(['done', 'cached', 'cached', 'cached']);
  });

  it('one target fails: its step is in error, the other target finished', () => {
    const b = one('recorded/bake-one-fails.plain.log');
    const bad = step(b, '8');
    expect([bad.target, bad.status, bad.output]).toEqual(['bad', 'error', ['building bad']]);
    expect([step(b, '9').target, step(b, '9').status]).toEqual(['ok', 'done']);
    expect(b.error).toMatch(/^failed to solve: process .* exit code: 3$/);
  });
});

describe('docker compose', () => {
  it('v1 with the legacy builder: a build per `Building <service>`, the failure line read', () => {
    const builds = all('compose/compose-v1-legacy.log');
    expect(builds).toHaveLength(2);
    const [web, api] = builds as [Build, Build];
    expect(targets(web)).toEqual(['web']);
    expect(targets(api)).toEqual(['api']);
    expect(web.steps.map((s) => s.status)).toEqual(['done', 'done', 'done']);
    expect([web.error, web.incomplete]).toEqual([null, false]);
    expect(api.steps.map((s) => s.status)).toEqual(['done', 'cached', 'error']);
    expect(api.steps[2]!.error).toBe("The command '/bin/sh -c make test' returned a non-zero code: 2");
    expect(api.steps[2]!.output).toEqual(["make: *** No rule to make target 'test'.  Stop."]);
    expect(api.error).toBe("Service 'api' failed to build: The command '/bin/sh -c make test' returned a non-zero code: 2");
    expect(api.incomplete).toBe(false);
  });

  it('v1 with BuildKit: `Building <service>` between plain builds', () => {
    const builds = all('compose/compose-v1-buildkit.log');
    expect(builds).toHaveLength(2);
    expect(builds.map(targets)).toEqual([['web'], ['worker']]);
    expect(builds.map((b) => userSteps(b).map((s) => s.status))).toEqual([['cached', 'done'], ['cached', 'cached']]);
    expect(builds.map((b) => b.steps.length)).toEqual([6, 6]);
  });

  it('v2 before 2.37: services in the brackets, compose events ignored, one build', () => {
    const b = one('compose/compose-v2-plain.log');
    expect(b.builder.name).toBe('default');
    const npm = step(b, '14');
    expect([npm.target, npm.stage, npm.instruction, npm.status, npm.durationMs]).toEqual(['web', null, 'RUN npm ci', 'done', 4300]);
    const go = step(b, '15');
    expect([go.target, go.stage, go.status]).toEqual(['api', 'builder', 'error']);
    expect(go.output).toEqual(['# example.com/api', './main.go:14:2: undefined: handler']);
    expect(userSteps(b).filter((s) => s.target === 'web').map((s) => s.index)).toEqual([1, 2, 3, 4]);
    expect(userSteps(b).filter((s) => s.target === 'api').map((s) => s.index)).toEqual([1, 2, 3]);
    expect(b.contextBytes).toBe(13_920);
    expect(b.error).toBe('failed to solve: process "/bin/sh -c go build -o /out/api ." did not complete successfully: exit code: 1');
  });

  it('2.37+ (bake re-rendered, no #0): a second run restarting at #1 is a second build', () => {
    const builds = all('compose/compose-v237-bake.log');
    expect(builds).toHaveLength(2);
    const [both, webOnly] = builds as [Build, Build];
    expect(both.steps[0]!.name).toBe('[internal] load local bake definitions');
    expect(webOnly.steps[0]!.name).toBe('[internal] load local bake definitions');
    expect(userSteps(both).map((s) => [s.id, s.target])).toEqual([['7', 'web'], ['7@worker', 'worker'], ['9', 'worker'], ['10', 'web'], ['11', 'web']]);
    // With one service there is no prefix: the target is unknown.
    expect(targets(webOnly)).toEqual([null]);
    expect(userSteps(webOnly).map((s) => [s.id, s.status, s.durationMs])).toEqual([['5', 'cached', 0], ['7', 'done', 100], ['8', 'done', 300]]);
    expect([both.contextBytes, webOnly.contextBytes]).toEqual([512, 530]);
  });

  it('a bare word is a stage unless the same log shows it as a target', () => {
    const text = ['#1 [builder 1/2] FROM x', '#1 CACHED', '', '#2 [builder 2/2] RUN y', '#2 DONE 1.0s', ''].join('\n');
    expect(parseLog(text).steps.map((s) => [s.target, s.stage])).toEqual([[null, 'builder'], [null, 'builder']]);
    const withTarget = [
      '#1 [web internal] load build definition from Dockerfile', '#1 DONE 0.0s', '',
      '#2 [web 1/2] FROM x', '#2 CACHED', '',
      '#3 [builder 2/2] RUN y', '#3 DONE 1.0s', '',
    ].join('\n');
    expect(parseLog(withTarget).steps.slice(1).map((s) => [s.target, s.stage])).toEqual([['web', null], [null, 'builder']]);
    expect(parseStepName('[web] exporting to image').target).toBe('web');
    expect(parseStepName('[auth] library/alpine:pull token for registry-1.docker.io').target).toBeNull();
  });
});

describe('multi-platform builds', () => {
  it('the same step for each platform is a step per platform', () => {
    const b = one('compose/multi-platform-plain.log');
    const runs = userSteps(b).filter((s) => s.instruction === 'RUN uname -m > /arch');
    expect(runs.map((s) => [s.id, s.platform, s.status])).toEqual([['7', 'linux/amd64', 'done'], ['8', 'linux/386', 'error']]);
    expect(userSteps(b).map((s) => s.platform)).toEqual(['linux/386', 'linux/amd64', 'linux/amd64', 'linux/386']);
    expect(step(b, '2').platform).toBe('linux/386');
    expect(step(b, '8').error).toBe('process "/bin/sh -c uname -m > /arch" did not complete successfully: exit code: 126');
  });

  it('bake with two targets: target, platform and stage together; a cross-compiling stage', () => {
    const b = one('compose/bake-multi-platform.log');
    const cross = step(b, '10');
    expect([cross.target, cross.platform, cross.stage, cross.index, cross.total, cross.durationMs]).toEqual(['app', 'linux/amd64->arm64', 'builder', 3, 3, 17_900]);
    const copies = userSteps(b).filter((s) => s.instruction === 'COPY --from=builder /out/app /usr/local/bin/app');
    expect(copies.map((s) => [s.target, s.platform, s.stage, s.durationMs])).toEqual([['app', 'linux/amd64', 'stage-1', 100], ['app', 'linux/arm64', 'stage-1', 200]]);
    expect(step(b, '3').platform).toBe('linux/amd64');
    expect(step(b, '3').target).toBe('app');
    const docs = userSteps(b).filter((s) => s.target === 'docs');
    expect(docs.map((s) => [s.id, s.platform, s.stage, s.status])).toEqual([['18', null, null, 'cached'], ['19', null, null, 'done']]);
    expect(userSteps(b)).toHaveLength(10);
    expect(b.incomplete).toBe(false);
  });
});
