// `buildlens build` on GitHub Actions, on real builds of the local engine: the markdown report goes to
// $GITHUB_STEP_SUMMARY (appended, secrets masked, hostile output inert), findings become workflow
// commands on stderr; and the scripts of action.yml run for real (npx and gh replaced by stand-ins:
// npx runs this checkout's CLI, gh records what it would send).
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { execa } from 'execa';
import { parse as parseYaml } from 'yaml';
import { describeDocker } from './docker.js';
import { assertInert } from '../markdown-inert.js';

const BUILD_TIMEOUT = 300_000;
const root = process.cwd();
const cli = join(root, 'bin', 'buildlens.js');
const SECRET = 's3cr3t-value-4d1f9';

interface ActionStep { id?: string; run?: string; env?: Record<string, string> }

describeDocker('buildlens on GitHub Actions, real builds', () => {
  let dir = '';
  const tag = `buildlens-publish-${randomUUID().slice(0, 8)}`;
  const baseEnv = () => ({ ...process.env, CI: 'true', GITHUB_ACTIONS: 'true', BUILDLENS_NO_HISTORY: '1', NO_COLOR: '1' });

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'buildlens-publish-'));
    cpSync(join(root, 'samples', 'node-app'), join(dir, 'app'), { recursive: true });
    for (const f of ['build.plain.log', 'build.rawjson.log']) rmSync(join(dir, 'app', f), { force: true });
    mkdirSync(join(dir, 'bad'));
    writeFileSync(join(dir, 'bad', 'Dockerfile'), [
      'FROM localbase/busybox',
      'ARG NPM_TOKEN',
      'RUN echo "token is $NPM_TOKEN" && echo "<script>alert(1)</script> @someone #1 [x](https://evil.example) | \\`\\`\\`" && exit 3',
      '',
    ].join('\n'));
  });
  afterAll(async () => {
    await execa('docker', ['image', 'rm', '-f', `${tag}:ok`, `${tag}:action`], { reject: false });
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('appends the markdown report to $GITHUB_STEP_SUMMARY and prints annotations on stderr', async () => {
    const summary = join(dir, 'summary-ok.md');
    writeFileSync(summary, '# An earlier step wrote this\n');
    const r = await execa('node', [cli, 'build', '--annotations', '--view', 'quiet', '--network=none', '-t', `${tag}:ok`, 'app'], {
      cwd: dir, reject: false, env: { ...baseEnv(), GITHUB_STEP_SUMMARY: summary, GITHUB_WORKSPACE: dir },
    });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('');
    const md = readFileSync(summary, 'utf8');
    expect(md.startsWith('# An earlier step wrote this\n**Build ')).toBe(true);
    expect(md).toMatch(/\d+\/9 steps cached/);
    expect(md).toContain('### Findings');
    expect(md).toContain('`copy-before-install` at `app/Dockerfile:5`');
    // The fix as a unified diff of the Dockerfile, folded.
    expect(md).toMatch(/<summary>Proposed change<\/summary>\n\n\s*```diff\n\s*--- a\/app\/Dockerfile\n\s*\+\+\+ b\/app\/Dockerfile\n/);
    expect(md).toContain('+COPY package.json package-lock.json ./');
    expect(md.length).toBeLessThan(65_536);
    // Annotations: on stderr, file relative to the workspace.
    expect(r.stderr).toMatch(/^::warning file=app\/Dockerfile,line=5,title=buildlens copy-before-install::`COPY \. \.` copies the whole build context/m);
  }, BUILD_TIMEOUT);

  it('a failed build: the summary says so, the secret is masked, the hostile output stays in code', async () => {
    const summary = join(dir, 'summary-bad.md');
    const r = await execa('node', [cli, 'build', '--annotations', '--view', 'quiet', '--network=none', '--no-cache', '--build-arg', `NPM_TOKEN=${SECRET}`, 'bad'], {
      cwd: dir, reject: false, env: { ...baseEnv(), GITHUB_STEP_SUMMARY: summary },
    });
    expect(r.exitCode).not.toBe(0);
    const md = readFileSync(summary, 'utf8');
    expect(md.split('\n')[0]).toMatch(/^\*\*Build failed\*\* at `/);
    expect(md).toContain('token is *****');
    expect(md).not.toContain(SECRET);
    expect(r.stderr).not.toContain(SECRET);
    // The failure is an error annotation on the failing instruction, the secret masked there too.
    expect(r.stderr).toMatch(/^::error file=bad\/Dockerfile,line=3,title=buildlens%3A the build failed::process "\/bin\/sh -c echo \\"token is \$NPM_TOKEN\\"/m);
    // The hostile text is shown, but only inside code.
    expect(md).toContain('<script>alert(1)</script> @someone #1');
    assertInert(md);
  }, BUILD_TIMEOUT);

  describe('action.yml, its scripts run for real', () => {
    const action = parseYaml(readFileSync(join(root, 'action.yml'), 'utf8')) as { runs: { steps: ActionStep[] } };
    const buildStep = action.runs.steps.find((s) => s.id === 'build')!;
    const commentStep = action.runs.steps.find((s) => s.run?.includes('gh api'))!;
    let shims = '';
    let runnerTemp = '';
    const ghLog = () => join(shims, 'gh.log');

    beforeAll(() => {
      shims = join(dir, 'shims');
      runnerTemp = join(dir, 'runner-temp');
      mkdirSync(shims);
      mkdirSync(runnerTemp);
      // npx --yes buildlens@VERSION ARGS… → this checkout's CLI with ARGS.
      writeFileSync(join(shims, 'npx'), `#!/bin/sh\nshift 2\nexec node ${JSON.stringify(cli)} "$@"\n`);
      // gh: the comment list answers $GH_EXISTING, pulls/N answers $GH_HEAD; every call is logged with its stdin.
      writeFileSync(join(shims, 'gh'), [
        '#!/bin/bash',
        'case "$*" in',
        '  *--paginate*) [ -n "${GH_EXISTING:-}" ] && echo "$GH_EXISTING"; exit 0 ;;',
        '  *"/pulls/"*) echo "${GH_HEAD:-}"; exit 0 ;;',
        'esac',
        `{ echo "ARGS: $*"; cat; echo; } >>${JSON.stringify(join(dir, 'shims', 'gh.log'))}`,
        '',
      ].join('\n'));
      chmodSync(join(shims, 'npx'), 0o755);
      chmodSync(join(shims, 'gh'), 0o755);
    });

    // As GitHub runs a `shell: bash` step: bash --noprofile --norc -eo pipefail.
    const runStep = (step: ActionStep, env: Record<string, string>) =>
      execa('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run!], { cwd: dir, reject: false, env: { ...baseEnv(), PATH: `${shims}:${process.env.PATH}`, RUNNER_TEMP: runnerTemp, ...env } });

    it('build mode: builds, fills the summary, writes the marked comment and the artifact', async () => {
      const output = join(dir, 'gh-output');
      const summary = join(dir, 'summary-action.md');
      writeFileSync(output, '');
      const r = await runStep(buildStep, {
        GITHUB_OUTPUT: output, GITHUB_STEP_SUMMARY: summary, GITHUB_WORKSPACE: dir,
        BUILDLENS_ARGS: `--network=none -t "${tag}:action" app`, BUILDLENS_VERSION: 'latest', BUILDLENS_REPORT: 'action-report.json',
        BUILDLENS_BASELINE: '', BUILDLENS_FAIL_ON: 'none', BUILDLENS_ANNOTATIONS: 'true', BUILDLENS_PR_NUMBER: '42',
      });
      expect(r.exitCode).toBe(0);
      const outputs = readFileSync(output, 'utf8');
      expect(outputs).toContain('exit-code=0\n');
      const comment = readFileSync(join(runnerTemp, 'buildlens', 'buildlens-comment.md'), 'utf8');
      expect(comment.startsWith('<!-- buildlens -->\n**Build ')).toBe(true);
      expect(readFileSync(summary, 'utf8')).toBe(comment.replace('<!-- buildlens -->\n', '') + '');
      // The artifact of the last build-mode run (the failed build, pull request 43).
      const artifact = join(runnerTemp, 'buildlens', 'artifact');
      expect(JSON.parse(readFileSync(join(artifact, 'buildlens-report.json'), 'utf8')).schemaVersion).toBe(1);
      expect(readFileSync(join(artifact, 'pr-number'), 'utf8')).toBe('42\n');
      expect(r.stderr).toMatch(/^::warning file=app\/Dockerfile,line=5,title=buildlens copy-before-install::/m);
    }, BUILD_TIMEOUT);

    it('build mode on a failed build: the exit code is kept (GitHub runs bash with -e) and the comment says it failed', async () => {
      const output = join(dir, 'gh-output-bad');
      writeFileSync(output, '');
      const r = await runStep(buildStep, {
        GITHUB_OUTPUT: output, GITHUB_STEP_SUMMARY: join(dir, 'summary-action-bad.md'), GITHUB_WORKSPACE: dir,
        BUILDLENS_ARGS: '--network=none bad', BUILDLENS_VERSION: 'latest', BUILDLENS_REPORT: 'action-bad.json',
        BUILDLENS_BASELINE: '', BUILDLENS_FAIL_ON: 'none', BUILDLENS_ANNOTATIONS: 'false', BUILDLENS_PR_NUMBER: '43',
      });
      expect(r.exitCode).toBe(0);
      expect(readFileSync(output, 'utf8')).toMatch(/^exit-code=[1-9]\d*$/m);
      const comment = readFileSync(join(runnerTemp, 'buildlens', 'buildlens-comment.md'), 'utf8');
      expect(comment.startsWith('<!-- buildlens -->\n**Build failed** at ')).toBe(true);
    }, BUILD_TIMEOUT);

    it('comment mode: edits the marked comment in place, else creates one; refuses a forged number or head', async () => {
      // The artifact of the last build-mode run (the failed build, pull request 43).
      const artifact = join(runnerTemp, 'buildlens', 'artifact');
      const env = { GH_TOKEN: 'x', BUILDLENS_MODE: 'comment', BUILDLENS_COMMENT_FILE: join(artifact, 'buildlens-comment.md'), BUILDLENS_BUILT_COMMENT: '', BUILDLENS_PR_INPUT: '', BUILDLENS_PR_EVENT: '', BUILDLENS_HEAD_SHA: '', REPOSITORY: 'o/r' };
      rmSync(ghLog(), { force: true });
      let r = await runStep(commentStep, { ...env, GH_EXISTING: '777' });
      expect(r.exitCode).toBe(0);
      let log = readFileSync(ghLog(), 'utf8');
      expect(log).toContain('ARGS: api --method PATCH repos/o/r/issues/comments/777 --input -');
      const body = JSON.parse(log.split('\n')[1]!) as { body: string };
      expect(body.body.startsWith('<!-- buildlens -->\n**Build ')).toBe(true);

      rmSync(ghLog(), { force: true });
      r = await runStep(commentStep, { ...env, GH_EXISTING: '' });
      expect(r.exitCode).toBe(0);
      log = readFileSync(ghLog(), 'utf8');
      expect(log).toContain('ARGS: api --method POST repos/o/r/issues/43/comments --input -');

      // A number that is not digits, or a pull request whose head is not the built commit: no call.
      rmSync(ghLog(), { force: true });
      r = await runStep(commentStep, { ...env, BUILDLENS_PR_INPUT: '42; touch pwned' });
      expect(r.exitCode).toBe(0);
      expect(r.stderr).toContain('no pull request number');
      r = await runStep(commentStep, { ...env, BUILDLENS_HEAD_SHA: 'abc', GH_HEAD: 'def' });
      expect(r.exitCode).toBe(0);
      expect(r.stderr).toContain('not at the built commit');
      expect(existsSync(ghLog())).toBe(false);
      expect(existsSync(join(dir, 'pwned'))).toBe(false);
    }, BUILD_TIMEOUT);
  });
});
