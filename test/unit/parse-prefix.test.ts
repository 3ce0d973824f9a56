import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LineCleaner, lookalikeOf, stripAnsi, type PrefixKind } from '../../src/core/parse/prefix.js';
import { LogParser, parseLog } from '../../src/core/parse/detect.js';
import { ParseError } from '../../src/core/parse/index.js';
import type { Build, Step } from '../../src/core/model.js';

const FIXTURES = join(process.cwd(), 'test/fixtures/ci');
const REAL_LOGS = join(process.cwd(), '../shared/real-logs');
const fixture = (name: string): Build => parseLog(readFileSync(join(FIXTURES, name), 'utf8'));

function clean(lines: string[]): { lines: Array<[string, number | undefined]>; kind: PrefixKind | null } {
  const out: Array<[string, number | undefined]> = [];
  const c = new LineCleaner((text, at) => out.push([text, at]));
  for (const l of lines) c.line(l);
  c.end();
  return { lines: out, kind: c.kind };
}
const texts = (lines: string[]): string[] => clean(lines).lines.map(([t]) => t);

function step(build: Build, name: string): Step {
  const s = build.steps.find((x) => x.name === name);
  if (!s) throw new Error(`no step ${name} in ${build.steps.map((x) => x.name).join(', ')}`);
  return s;
}

function refusal(text: string): string {
  try {
    parseLog(text);
  } catch (err) {
    if (err instanceof ParseError) return err.message;
    throw err;
  }
  throw new Error('the log was accepted');
}

describe('LineCleaner: one prefix kind per log, decided from the first lines', () => {
  it('strips GitHub Actions stamps and the BOM, drops workflow commands, and keeps the time', () => {
    const { lines, kind } = clean([
      '\uFEFF2024-05-01T12:00:00.1234567Z ##[group]Run docker build .',
      '2024-05-01T12:00:00.2000000Z [command]/usr/bin/docker build .',
      '2024-05-01T12:00:00.3000000Z ##[endgroup]',
      '2024-05-01T12:00:01.5000000Z #1 [internal] load build definition from Dockerfile',
      '2024-05-01T12:00:01.6Z ',
    ]);
    expect(kind).toBe('iso');
    expect(lines).toEqual([
      ['#1 [internal] load build definition from Dockerfile', Date.UTC(2024, 4, 1, 12, 0, 1, 500)],
      ['', Date.UTC(2024, 4, 1, 12, 0, 1, 600)],
    ]);
  });

  it('joins a GitLab `+` continuation to the line before and drops section markers and echoed commands', () => {
    const { lines, kind } = clean([
      '2024-05-14T11:19:20.000000Z 00O \u001b[0Ksection_start:1715685560:step_script\r\u001b[0K\u001b[0K\u001b[36;1mExecuting "step_script"\u001b[0;m',
      '2024-05-14T11:19:20.100000Z 00O \u001b[32;1m$ docker build .\u001b[0;m',
      '2024-05-14T11:19:21.000000Z 01E #3 [2/2] RUN ./configure --enable-',
      '2024-05-14T11:19:21.500000Z 01E+everything',
      '2024-05-14T11:19:22.000000Z 01E #3 DONE 1.0s',
      '2024-05-14T11:19:23.000000Z 00O \u001b[0Ksection_end:1715685563:step_script\r\u001b[0K',
    ]);
    expect(kind).toBe('gitlab');
    expect(lines).toEqual([
      ['#3 [2/2] RUN ./configure --enable-everything', Date.UTC(2024, 4, 14, 11, 19, 21)],
      ['#3 DONE 1.0s', Date.UTC(2024, 4, 14, 11, 19, 22)],
    ]);
  });

  it('removes a Dev Containers stamp wherever it lands, and times the next line with a stamp in mid-line', () => {
    const { lines, kind } = clean([
      '2024-02-16 02:29:15.118Z: #5 sha256:e79a 91.23MB / 101.43MB 4.5s2024-02-16 02:29:15.397Z: ',
      '#5 sha256:69c9 271.58MB / 281.51MB 4.5s',
      '2024-02-16 02:29:50.453Z: #5 extracting sha256:f3916341e0207' + '2024-02-16 02:29:50.455Z: ' + ' done',
    ]);
    expect(kind).toBe('devcontainers');
    expect(lines).toEqual([
      ['#5 sha256:e79a 91.23MB / 101.43MB 4.5s', Date.UTC(2024, 1, 16, 2, 29, 15, 118)],
      ['#5 sha256:69c9 271.58MB / 281.51MB 4.5s', Date.UTC(2024, 1, 16, 2, 29, 15, 397)],
      ['#5 extracting sha256:f3916341e0207 done', Date.UTC(2024, 1, 16, 2, 29, 50, 453)],
    ]);
  });

  it('reads Jenkins stamps after an unstamped preamble, and time-of-day stamps across midnight', () => {
    const iso = clean(['Started by user admin', '[Pipeline] sh', '[2019-10-07T12:12:30.924Z] + docker build .']);
    expect(iso.kind).toBe('jenkins');
    expect(iso.lines).toEqual([
      ['Started by user admin', undefined],
      ['[Pipeline] sh', undefined],
      ['+ docker build .', Date.UTC(2019, 9, 7, 12, 12, 30, 924)],
    ]);
    const time = clean(['23:59:58 Step 1/2 : FROM busybox', '23:59:59 Step 2/2 : RUN make', '00:00:04 make: done']);
    expect(time.kind).toBe('jenkins-time');
    expect(time.lines.map(([t]) => t)).toEqual(['Step 1/2 : FROM busybox', 'Step 2/2 : RUN make', 'make: done']);
    const [a, b, c] = time.lines.map(([, at]) => at!);
    expect([b! - a!, c! - b!]).toEqual([1000, 5000]);
  });

  it('strips ANSI codes, also ESC rendered as `·[` by a log viewer', () => {
    expect(texts(['#3 0.1 \u00b7[32mok\u00b7[0m built', '#3 0.2 \u001b[31mfail\u001b[0m', '#3 0.3 a·[b'])).toEqual([
      '#3 0.1 ok built',
      '#3 0.2 fail',
      '#3 0.3 a·[b',
    ]);
    expect(stripAnsi('\u00b7[48;2;128;197;204m[INFO]\u00b7[0m')).toBe('[INFO]');
  });

  it('leaves look-alike text alone in a log without a prefix', () => {
    const lines = [
      '#0 building with "default" instance using docker driver',
      '12:00:01 server started',
      '12:00:02 server stopped',
      '2024-05-01T12:00:03.0000000Z all good',
      '[2019-10-07T12:12:30.924Z] not jenkins',
      '##[group]not a workflow command',
      '[command]not a workflow command',
    ];
    const { lines: out, kind } = clean(lines);
    expect(kind).toBe('none');
    expect(out.map(([t]) => t)).toEqual(lines);
  });

  it('needs two time-of-day stamps in a row before it strips one', () => {
    expect(texts(['12:00:01 starting the build', '#0 building with "default" instance using docker driver'])).toEqual([
      '12:00:01 starting the build',
      '#0 building with "default" instance using docker driver',
    ]);
  });

  it("passes the caller's arrival time through when the log has no prefix", () => {
    const out: Array<[string, number | undefined]> = [];
    const c = new LineCleaner((t, at) => out.push([t, at]));
    c.line('#1 [internal] load build definition from Dockerfile', 1000);
    c.line('#1 DONE 0.1s', 1100);
    expect(out).toEqual([['#1 [internal] load build definition from Dockerfile', 1000], ['#1 DONE 0.1s', 1100]]);
  });
});

describe('CI logs parsed through LogParser', () => {
  it('times the steps of a GitHub-Actions-prefixed legacy build from the stamps', () => {
    const b = fixture('github-actions-legacy.log');
    expect(b.format).toBe('legacy');
    expect(step(b, '[2/3] RUN echo compiling && sleep 6').durationMs).toBe(6000);
    expect(step(b, '[3/3] COPY . /app').durationMs).toBe(200);
    expect(b.startedAt).toBe('2024-05-01T12:00:00.110Z');
    expect(b.durationMs).toBe(7350);
    expect(b.contextBytes).toBe(4096);
    expect(b.steps.some((s) => s.name.includes('##[') || s.output.some((o) => o.includes('[command]')))).toBe(false);
  });

  it('reads an Azure log with CRLF endings and gives the wall time', () => {
    const b = fixture('azure-plain.log');
    expect(b.format).toBe('plain');
    expect(b.steps.map((s) => s.name)).toEqual([
      '[internal] load build definition from Dockerfile',
      '[1/2] FROM docker.io/localbase/busybox:latest',
      '[2/2] RUN ./build.sh',
      'exporting to image',
    ]);
    expect(step(b, '[2/2] RUN ./build.sh').output).toEqual(['build ok']);
    expect([b.startedAt, b.durationMs]).toEqual(['2024-06-03T08:15:00.010Z', 5590]);
  });

  it('joins a GitLab line the runner split, inside a step name and a log line', () => {
    const b = fixture('gitlab-plain.log');
    const configure = step(b, '[2/2] RUN ./configure --enable-everything && make');
    expect(configure.output).toEqual(['checking for gcc... gcc']);
    expect([configure.status, configure.durationMs, configure.startMs]).toEqual(['done', 2500, 1900]);
    expect(b.startedAt).toBe('2024-05-14T11:19:20.000Z');
  });

  it('reads Jenkins ISO stamps after an unstamped preamble and times legacy steps', () => {
    const b = fixture('jenkins-legacy.log');
    expect(b.format).toBe('legacy');
    expect(step(b, '[2/2] RUN make test').durationMs).toBe(10000);
    expect(b.startedAt).toBe('2019-10-07T12:12:30.924Z');
  });

  it('times steps across midnight from time-of-day stamps, without inventing a date', () => {
    const b = fixture('jenkins-time-midnight-legacy.log');
    expect(step(b, '[2/2] RUN make').durationMs).toBe(6000);
    expect(b.durationMs).toBe(8000);
    expect(b.startedAt).toBeNull();
  });

  it('removes Dev Containers stamps in mid-line, even glued to a digest', () => {
    const b = fixture('devcontainers-plain.log');
    const from = b.steps[1]!;
    expect(from.name).toBe('[dev_container_auto_added_stage_label 1/2] FROM docker.io/library/debian@sha256:f391634df6e0b31c772d57f6a200603662bdf37718971cf28c6c11e4391e0207');
    expect(b.steps[2]!.output).toEqual([
      'Get:1 http://deb.debian.org/debian bookworm InRelease [151 kB]',
      'Get:2 http://deb.debian.org/debian bookworm-updates InRelease [55.4 kB]',
    ]);
    expect([b.startedAt, b.durationMs]).toEqual(['2024-02-16T02:29:10.000Z', 10000]);
  });

  it('strips `·[0m` codes from step names and output', () => {
    const b = fixture('ansi-dot-plain.log');
    expect(b.steps.map((s) => s.name)).toContain('[1/2] FROM docker.io/localbase/busybox:latest');
    expect(step(b, '[2/2] RUN make').output).toEqual(['ok compiled 3 files', 'warning: unused variable']);
    expect(b.builder.name).toBe('ci');
  });

  it('keeps build output that starts like a prefix when the log has none', () => {
    const b = fixture('no-prefix-lookalike-lines.legacy.log');
    expect(step(b, '[2/2] RUN ./server --selftest').output).toEqual([
      '12:00:01 selftest started',
      '12:00:02 selftest passed',
      '2024-05-01T12:00:03.0000000Z all good',
      '[2019-10-07T12:12:30.924Z] not a jenkins prefix',
      '2024-02-16 02:29:15.118Z: not a dev containers stamp',
    ]);
    expect(b.startedAt).toBeNull();
  });

  it('holds a GitLab line back until the input ends, even when it comes in chunks', () => {
    const p = new LogParser();
    p.write('2024-05-14T11:19:21.000000Z 01E #1 [internal] load build ');
    p.write('definition from Dockerfile\n2024-05-14T11:19:21.100000Z 01E #1 DONE 0.1s\n');
    p.write('2024-05-14T11:19:21.200000Z 01E #2 [1/1] FROM docker.io/library/alp\n2024-05-14T11:19:21.300000Z 01E+ine\n');
    const b = p.end();
    expect(b.steps.map((s) => s.name)).toEqual(['[internal] load build definition from Dockerfile', '[1/1] FROM docker.io/library/alpine']);
  });
});

describe('look-alikes that are not build logs', () => {
  const desktop = [
    '[internal] load build definition from Dockerfile',
    '\ttransferring 3266/0 0.006',
    '[internal] load metadata for docker.io/library/ubuntu:noble',
    '[internal] load build context',
    '\ttransferring 74336/0 0.109',
    '[stage-0  1/11] FROM docker.io/library/ubuntu:noble',
    '',
  ].join('\n');
  const jenkins = [
    '[Docker] INFO: BuildResponseItem[stream= ---> d031200b6d71',
    ',status=<null>,progressDetail=<null>,progress=<null>,id=<null>,error=<null>,aux=<null>]',
    '',
    '[Docker] INFO:  ---> Using cache',
    '',
  ].join('\n');

  it("refuses Docker Desktop's build record with a sentence that says what it is", () => {
    const message = refusal(desktop);
    expect(message).toMatch(/not a build log/);
    expect(message).toMatch(/Docker Desktop's build record/);
  });

  it("refuses a Jenkins plugin's API dump", () => {
    expect(refusal(jenkins)).toMatch(/not a build log: it looks like a Jenkins plugin's dump of Docker API messages/);
  });

  it('does not call a real build log a look-alike', () => {
    expect(lookalikeOf('#1 [internal] load build definition from Dockerfile')).toBeNull();
    expect(lookalikeOf('[Pipeline] sh')).toBeNull();
    // Build lines win even where look-alike lines come first.
    const b = parseLog(`${desktop}#1 [internal] load build definition from Dockerfile\n#1 DONE 0.0s\n`);
    expect(b.format).toBe('plain');
  });

  const real = (name: string): string => readFileSync(join(REAL_LOGS, name), 'utf8');
  (existsSync(REAL_LOGS) ? it : it.skip)('refuses the real look-alikes and accepts the real CI-prefixed logs', () => {
    expect(refusal(real('18-lookalike-docker-desktop-build-record.txt'))).toMatch(/Docker Desktop's build record/);
    expect(refusal(real('29-lookalike-jenkins-plugin-api-stream-tostring.txt'))).toMatch(/Jenkins plugin/);
    for (const name of [
      '09-gha-old-buildkit-4sigdigit-log-timestamp.txt',
      '10-gha-timestamps-layer-pull-extracting.txt',
      '11-gha-workflow-commands-booting-buildkit.txt',
      '12-devcontainer-prefix-glued-midline.txt',
      '21-devcontainer-extracting-done-and-stage-label.txt',
    ]) {
      const b = parseLog(real(name));
      expect([name, b.format, b.startedAt === null]).toEqual([name, 'plain', false]);
      expect(b.steps.length).toBeGreaterThan(0);
      expect(b.steps.every((s) => !/\d{4}-\d\d-\d\d[T ]\d\d:/.test(s.name))).toBe(true);
    }
    const codebuild = parseLog(real('33-codebuild-ansi-rendered-as-dot-building-with.txt'));
    expect(codebuild.format).toBe('plain');
    expect(codebuild.builder.driver).toBe('docker-container');
  });
});
