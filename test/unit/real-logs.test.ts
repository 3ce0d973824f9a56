// The real-world corpus: build logs people pasted in public issues (../shared/real-logs, one
// `NN-name.txt` per log and a `NN-name.source.txt` saying where it comes from). They are read from
// there, never copied into the repository. Every log must parse (the two look-alikes must be refused
// as not a build log), and each one has a few facts checked by hand against the text of the log.
//
// A fact that fails because a parser feature has not landed yet carries `pending: 'why'`: it is
// listed as a todo named after the fact instead of being run, so the suite stays green while it says
// what is missing. Remove `pending` once the feature lands; REAL_LOGS_RUN_PENDING=1 runs the pending
// ones too, to see which of them pass now.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LogParser, parseLog } from '../../src/core/parse/detect.js';
import { ParseError } from '../../src/core/parse/index.js';
import { userSteps, type Build, type Step } from '../../src/core/model.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CORPUS = resolve(REPO, '..', 'shared', 'real-logs');

/** What a fact reads: the builds of the log (compose, bake and TTY loops print several) and all their steps. */
interface Parsed {
  /** parseLog's answer: the last build of the log. */
  build: Build;
  /** LogParser.endAll() when the parser has it (one build per build in the log), else [build]. */
  builds: Build[];
  /** The steps of every build, in order. */
  steps: Step[];
}

interface Fact {
  /** What was checked by hand, in words: the test name. */
  fact: string;
  get: (p: Parsed) => unknown;
  want: unknown;
  /** Why this fact cannot pass yet (a parser feature still missing): listed as a todo, not run. */
  pending?: string;
}

interface RealLog {
  file: string;
  /** Non-internal steps over all builds, counted by hand; null where the text does not settle it. */
  steps: number | null;
  /** Why parsing this log still throws (the step count then waits too). */
  parsePending?: string;
  /** Why the step count is still wrong. */
  stepsPending?: string;
  /** The text holds no vertex at all (only the error block or the warnings of a build's end). */
  noVertex?: true;
  facts: Fact[];
}

const stepById = (p: Parsed, id: string): Step | undefined => p.steps.find((s) => s.id === id);
const stepNamed = (p: Parsed, name: string): Step | undefined => p.steps.find((s) => s.name === name);
const lastOutput = (s: Step | undefined): string | undefined => s?.output[s.output.length - 1];
const ids = (p: Parsed): string[] => p.steps.map((s) => s.id);

// Reasons for pending facts: name each once here, so a landed feature is easy to find and re-enable
// (none pending now).

const LOGS: RealLog[] = [
  {
    file: '01-gha-timestamps-error-dockerfile-snippet.txt',
    steps: 0,
    noVertex: true,
    facts: [
      { fact: 'keeps the Dockerfile:52 snippet in the error excerpt', get: (p) => p.build.errorExcerpt.includes('Dockerfile:52'), want: true },
      { fact: 'the snippet lines lose their timestamp (`  64 | >>> EOT`)', get: (p) => p.build.errorExcerpt.includes('  64 | >>> EOT'), want: true },
      { fact: 'no final error: the paste stops before it', get: (p) => p.build.error, want: null },
    ],
  },
  {
    file: '02-error-excerpt-qemu-arm64-timestamps.txt',
    // No vertex is printed: the failed step is only named by the error block.
    steps: null,
    noVertex: true,
    facts: [
      { fact: 'the error excerpt names [3/7] RUN apt-get upgrade -yq', get: (p) => p.build.errorExcerpt.includes(' > [3/7] RUN apt-get upgrade -yq:'), want: true },
      { fact: 'the excerpt keeps the line cut mid-word (`31.34 Setting up libuuid1:a`)', get: (p) => p.build.errorExcerpt[p.build.errorExcerpt.length - 1], want: '31.34 Setting up libuuid1:a' },
      { fact: 'cut mid-line: incomplete', get: (p) => p.build.incomplete, want: true },
    ],
  },
  {
    file: '04-legacy-2014-step-zero-logtimestamp.txt',
    steps: 7,
    facts: [
      { fact: 'legacy format', get: (p) => p.build.format, want: 'legacy' },
      { fact: 'steps numbered from `Step 0 :`', get: (p) => ids(p), want: ['0', '1', '2', '3', '4', '5', '6'] },
      { fact: 'steps 1-5 hit the cache', get: (p) => p.steps.filter((s) => s.status === 'cached').map((s) => s.id), want: ['1', '2', '3', '4', '5'] },
      { fact: 'Step 6 failed', get: (p) => stepById(p, '6')?.status, want: 'error' },
      { fact: 'context 72.19 kB, not reset by the second size-less line', get: (p) => p.build.contextBytes, want: 72_190 },
      {
        fact: 'the error without its Go logger date',
        get: (p) => p.build.error,
        want: 'The command [/bin/sh -c cd PocketMine-MP && wget -q -O - http://cdn.pocketmine.net/installer.sh | bash -s - -v beta] returned a non-zero code: 1',
      },
      { fact: 'Step 6 output ends with the installer\'s last line', get: (p) => lastOutput(stepById(p, '6')), want: 'If you want to run it as root, add the -r flag.' },
    ],
  },
  {
    file: '05-legacy-2018-old-ordering-apt-output.txt',
    steps: 4,
    facts: [
      { fact: 'context 38.91 kB', get: (p) => p.build.contextBytes, want: 38_910 },
      { fact: 'steps 2 and 3 ran (old ` ---> id` before `Removing intermediate container`)', get: (p) => [stepById(p, '2')?.status, stepById(p, '3')?.status], want: ['done', 'done'] },
      { fact: 'builder lines are not step 3 output', get: (p) => stepById(p, '3')?.output, want: [] },
      { fact: 'Step 4 is cut: incomplete, and so is the build', get: (p) => [stepById(p, '4')?.status, p.build.incomplete], want: ['incomplete', true] },
      { fact: 'unprefixed apt output belongs to Step 4', get: (p) => stepById(p, '4')?.output.includes('Unpacking curl (7.52.1-5+deb9u5) over (7.52.1-5+deb9u4) ...'), want: true },
      { fact: 'no final error: the paste stops before it', get: (p) => p.build.error, want: null },
    ],
  },
  {
    file: '06-layer-download-status-lines-gha-link-artifact.txt',
    steps: 1,
    facts: [
      { fact: 'one vertex, #17', get: (p) => ids(p), want: ['17'] },
      { fact: '#17 is [10/11] RUN chmod …', get: (p) => [stepById(p, '17')?.index, stepById(p, '17')?.total, stepById(p, '17')?.instruction], want: [10, 11, 'RUN chmod 700 node_modules/puppeteer/.local-chromium/linux-*/chrome-linux/chrome'] },
      { fact: 'layer download lines are statuses, not output', get: (p) => stepById(p, '17')?.output.some((l) => l.includes('sha256:')), want: false },
      { fact: 'cut: #17 and the build are incomplete', get: (p) => [stepById(p, '17')?.status, p.build.incomplete], want: ['incomplete', true] },
    ],
  },
  {
    file: '07-compose-parallel-plain-service-prefix.txt',
    steps: 0,
    facts: [
      { fact: 'eleven vertices, numbered out of order', get: (p) => ids(p), want: ['9', '7', '8', '6', '5', '3', '10', '2', '13', '1', '4'] },
      { fact: 'five compose services as targets', get: (p) => [...new Set(p.steps.map((s) => s.target))].sort(), want: ['db', 'redis', 'result', 'vote', 'worker'] },
      { fact: '#7 [redis internal] load build definition: done in 0.2 s', get: (p) => [stepById(p, '7')?.target, stepById(p, '7')?.status, stepById(p, '7')?.durationMs], want: ['redis', 'done', 200] },
      { fact: '#9 and #13 left with `...` never come back: incomplete', get: (p) => [stepById(p, '9')?.status, stepById(p, '13')?.status], want: ['incomplete', 'incomplete'] },
      { fact: 'cut mid-name: incomplete', get: (p) => p.builds.some((b) => b.incomplete), want: true },
    ],
  },
  {
    file: '09-gha-old-buildkit-4sigdigit-log-timestamp.txt',
    steps: 0,
    facts: [
      { fact: 'one vertex, #31', get: (p) => ids(p), want: ['31'] },
      { fact: 'its header is not in the paste: the log line is not taken for its name', get: (p) => stepById(p, '31')?.name.startsWith('1939.'), want: false },
      { fact: 'the `1939.` elapsed time (v0.5-0.7 4-digit form) is not part of the output text', get: (p) => lastOutput(stepById(p, '31'))?.startsWith('g++ -fno-PIE -c '), want: true },
      { fact: 'cut mid-line: incomplete', get: (p) => p.build.incomplete, want: true },
    ],
  },
  {
    file: '10-gha-timestamps-layer-pull-extracting.txt',
    steps: 0,
    facts: [
      { fact: 'one vertex, #4', get: (p) => ids(p), want: ['4'] },
      { fact: 'its header is not in the paste: no status line is taken for its name', get: (p) => stepById(p, '4')?.name.startsWith('sha256:'), want: false },
      { fact: 'download and extracting lines are statuses, not output', get: (p) => stepById(p, '4')?.output, want: [] },
      { fact: 'cut: #4 and the build are incomplete', get: (p) => [stepById(p, '4')?.status, p.build.incomplete], want: ['incomplete', true] },
    ],
  },
  {
    file: '11-gha-workflow-commands-booting-buildkit.txt',
    steps: 0,
    facts: [
      { fact: 'one vertex: #1 [internal] booting buildkit', get: (p) => p.steps.map((s) => [s.id, s.name, s.internal]), want: [['1', '[internal] booting buildkit', true]] },
      { fact: '#1 DONE 3.8s', get: (p) => [stepById(p, '1')?.status, stepById(p, '1')?.durationMs], want: ['done', 3800] },
      { fact: 'nothing cut, nothing failed', get: (p) => [p.build.incomplete, p.build.error], want: [false, null] },
    ],
  },
  {
    file: '12-devcontainer-prefix-glued-midline.txt',
    steps: 0,
    facts: [
      { fact: 'one vertex, #5', get: (p) => ids(p), want: ['5'] },
      { fact: 'its header is not in the paste: no status line is taken for its name', get: (p) => stepById(p, '5')?.name.startsWith('sha256:'), want: false },
      { fact: 'layer lines are statuses, not output', get: (p) => stepById(p, '5')?.output, want: [] },
      { fact: 'cut mid-digest: #5 and the build are incomplete', get: (p) => [stepById(p, '5')?.status, p.build.incomplete], want: ['incomplete', true] },
    ],
  },
  {
    file: '14-docker2010-padded-stage-index-digest-lines.txt',
    steps: 3,
    facts: [
      { fact: 'eight vertices in print order (#4 before #3, #8 before #7)', get: (p) => ids(p), want: ['1', '2', '4', '3', '5', '6', '8', '7'] },
      { fact: '#6 is stage builder, step 1 of 11 (index padded to `[builder  1/11]`)', get: (p) => [stepById(p, '6')?.stage, stepById(p, '6')?.index, stepById(p, '6')?.total], want: ['builder', 1, 11] },
      { fact: 'FROM alpine ends `DONE 0.0s`: done, not cached', get: (p) => [stepById(p, '5')?.status, stepById(p, '5')?.durationMs], want: ['done', 0] },
      { fact: 'the v0.8 `#N sha256:<digest>` lines are not output', get: (p) => p.steps.every((s) => s.output.length === 0), want: true },
      { fact: 'build context 4.55 kB', get: (p) => p.build.contextBytes, want: 4550 },
      { fact: '#7 WORKDIR is cut: incomplete', get: (p) => [stepById(p, '7')?.instruction, stepById(p, '7')?.status, p.build.incomplete], want: ['WORKDIR /home/rust', 'incomplete', true] },
    ],
  },
  {
    file: '15-rawjson-buildx012-indented.txt',
    steps: 0,
    facts: [
      { fact: 'rawjson format', get: (p) => p.build.format, want: 'rawjson' },
      { fact: 'one vertex, with its digest', get: (p) => p.steps.map((s) => [s.name, s.digest]), want: [['[internal] load build definition from Dockerfile', 'sha256:9d93b929c9e23e511e6571db7471435497319b725869382e88527de20161a6ba']] },
      { fact: 'done in 53 µs (0 ms)', get: (p) => [p.steps[0]?.status, p.steps[0]?.durationMs], want: ['done', 0] },
      { fact: 'started at 2024-02-05T18:37:58.113Z', get: (p) => p.build.startedAt, want: '2024-02-05T18:37:58.113Z' },
    ],
  },
  {
    file: '17-buildkit-v03-v04-verbose-event-fields.txt',
    steps: 0,
    facts: [
      { fact: 'two vertices; the wrapper preamble makes none', get: (p) => ids(p), want: ['1', '2'] },
      { fact: '#2 completed, 16.449177ms', get: (p) => [stepById(p, '2')?.status, stepById(p, '2')?.durationMs], want: ['done', 16] },
      { fact: '#1 started again and completed: done in about 23 ms', get: (p) => { const s = stepById(p, '1'); return s?.status === 'done' && s.durationMs !== null && s.durationMs >= 22 && s.durationMs <= 23; }, want: true },
      { fact: 'started at 2021-07-05T09:12:44.874Z', get: (p) => p.build.startedAt, want: '2021-07-05T09:12:44.874Z' },
      { fact: 'the bare `failed to solve:` line is the build error', get: (p) => p.build.error?.startsWith('failed to solve: failed to read dockerfile: failed to mount /tmp/buildkit-mount172811560'), want: true },
    ],
  },
  {
    file: '18-lookalike-docker-desktop-build-record.txt',
    steps: null,
    facts: [],
  },
  {
    file: '20-tty-final-frame-error-block.txt',
    steps: 0,
    facts: [
      { fact: 'three vertices in the final frame', get: (p) => p.steps.length, want: 3 },
      { fact: 'load metadata for arm64v8/debian:11 failed after 1.2 s', get: (p) => [stepNamed(p, '[internal] load metadata for docker.io/arm64v8/debian:11')?.status, stepNamed(p, '[internal] load metadata for docker.io/arm64v8/debian:11')?.durationMs], want: ['error', 1200] },
      { fact: 'the final error', get: (p) => p.build.error, want: 'failed to solve: arm64v8/debian:11: failed to resolve source metadata for docker.io/arm64v8/debian:11: no match for platform in manifest: not found' },
      { fact: 'the snippet points at line 1 of protect.Dockerfile', get: (p) => p.build.errorExcerpt.includes('   1 | >>> FROM arm64v8/debian:11 AS protect'), want: true },
    ],
  },
  {
    file: '21-devcontainer-extracting-done-and-stage-label.txt',
    steps: 1,
    facts: [
      { fact: '#5 DONE 45.1s', get: (p) => [stepById(p, '5')?.status, stepById(p, '5')?.durationMs], want: ['done', 45_100] },
      { fact: 'the header of #5 is not in the paste: no status line is taken for its name', get: (p) => stepById(p, '5')?.name.startsWith('extracting sha256:'), want: false },
      { fact: '#6 is stage dev_container_auto_added_stage_label, step 2 of 6', get: (p) => [stepById(p, '6')?.stage, stepById(p, '6')?.index, stepById(p, '6')?.total], want: ['dev_container_auto_added_stage_label', 2, 6] },
      { fact: '#6 output read through the prefix: `Get:1 … buster InRelease`', get: (p) => stepById(p, '6')?.output.includes('Get:1 http://deb.debian.org/debian buster InRelease [122 kB]'), want: true },
      { fact: 'cut: #6 and the build are incomplete', get: (p) => [stepById(p, '6')?.status, p.build.incomplete], want: ['incomplete', true] },
    ],
  },
  {
    file: '23-gha-cache-export-writing-layers-link-artifacts.txt',
    steps: 0,
    facts: [
      { fact: 'one vertex: #22 exporting cache to registry, internal', get: (p) => p.steps.map((s) => [s.id, s.name, s.internal]), want: [['22', 'exporting cache to registry', true]] },
      { fact: 'writing-layer lines (even with a link pasted inside) are statuses, not output', get: (p) => stepById(p, '22')?.output, want: [] },
      { fact: 'cut: #22 and the build are incomplete', get: (p) => [stepById(p, '22')?.status, p.build.incomplete], want: ['incomplete', true] },
    ],
  },
  {
    file: '24-build-check-warnings-summary-108.txt',
    steps: 0,
    noVertex: true,
    facts: [
      { fact: 'the twelve whole summary items, with their lines', get: (p) => p.build.warnings.filter((w) => w.line !== null).map((w) => w.line), want: [42, 18, 38, 39, 48, 51, 52, 53, 55, 13, 15, 23] },
      { fact: 'the first item', get: (p) => p.build.warnings[0]?.message, want: 'LegacyKeyValueFormat: "ENV key=value" should be used instead of legacy "ENV key value" format' },
      { fact: 'UndefinedVar $OR_MAP_TILES_PATH on line 48', get: (p) => p.build.warnings.find((w) => w.message === "UndefinedVar: Usage of undefined variable '$OR_MAP_TILES_PATH'")?.line, want: 48 },
    ],
  },
  {
    file: '25-build-check-format-tty-then-warning-blocks.txt',
    steps: 0,
    facts: [
      { fact: 'four vertices in the TTY frame', get: (p) => p.steps.length, want: 4 },
      { fact: 'load metadata for ubuntu:22.04 took 0.7 s', get: (p) => stepNamed(p, '[internal] load metadata for docker.io/library/ubuntu:22.04')?.durationMs, want: 700 },
      { fact: 'the --check warning: undefined $USER_ID on Dockerfile line 139', get: (p) => p.build.warnings.find((w) => w.message.includes("Usage of undefined variable '$USER_ID'"))?.line, want: 139 },
    ],
  },
  {
    file: '26-warning-no-output-and-check-summary.txt',
    steps: 0,
    noVertex: true,
    facts: [
      { fact: 'the FromAsCasing item on line 1', get: (p) => p.build.warnings.find((w) => w.message.startsWith('FromAsCasing:'))?.line, want: 1 },
      { fact: 'the buildx "No output specified" warning', get: (p) => p.build.warnings.some((w) => w.message.startsWith('No output specified with docker-container driver.')), want: true },
      { fact: 'no error', get: (p) => p.build.error, want: null },
    ],
  },
  {
    file: '28-legacy-cached-steps-copy-failed.txt',
    steps: 7,
    facts: [
      { fact: 'context 3.054 MB', get: (p) => p.build.contextBytes, want: 3_054_000 },
      { fact: 'steps 2-6 hit the cache', get: (p) => p.steps.filter((s) => s.status === 'cached').map((s) => s.id), want: ['2', '3', '4', '5', '6'] },
      { fact: 'Step 7 COPY failed with the daemon error', get: (p) => [stepById(p, '7')?.status, stepById(p, '7')?.error], want: ['error', 'COPY failed: stat /var/lib/docker/tmp/docker-builder655939000/app/target/appassembler: no such file or directory'] },
      { fact: 'the build error is the COPY error, and the log is complete', get: (p) => [p.build.error, p.build.incomplete], want: ['COPY failed: stat /var/lib/docker/tmp/docker-builder655939000/app/target/appassembler: no such file or directory', false] },
    ],
  },
  {
    file: '29-lookalike-jenkins-plugin-api-stream-tostring.txt',
    steps: null,
    facts: [],
  },
  {
    file: '30-docker1809-event-fields-interleaved-status.txt',
    steps: 0,
    facts: [
      { fact: 'two vertices, #2 then #1', get: (p) => ids(p), want: ['2', '1'] },
      { fact: '#2 completed, 92.931508ms', get: (p) => { const s = stepById(p, '2'); return s?.status === 'done' && s.durationMs !== null && s.durationMs >= 92 && s.durationMs <= 93; }, want: true },
      { fact: 'started at 2020-02-17T22:08:42.316Z', get: (p) => p.build.startedAt, want: '2020-02-17T22:08:42.316Z' },
      { fact: 'the .dockerignore transfer is not the build context', get: (p) => p.build.contextBytes, want: null },
      { fact: '#1 started again and its second `completed:` was printed: done', get: (p) => stepById(p, '1')?.status, want: 'done' },
    ],
  },
  {
    file: '32-buildx-bake-booting-error-empty-excerpt.txt',
    steps: 0,
    facts: [
      { fact: '#1 [internal] booting buildkit failed: exit code 1', get: (p) => p.steps.map((s) => [s.id, s.name, s.status, s.error]), want: [['1', '[internal] booting buildkit', 'error', 'exit code 1']] },
      { fact: 'the pulling/creating lines are statuses, not output', get: (p) => stepById(p, '1')?.output, want: [] },
      { fact: 'the empty excerpt block is kept', get: (p) => p.build.errorExcerpt.slice(0, 3), want: ['------', ' > [internal] booting buildkit:', '------'] },
      { fact: 'the bare `exit code 1` line is the build error', get: (p) => p.build.error, want: 'exit code 1' },
    ],
  },
  {
    file: '33-codebuild-ansi-rendered-as-dot-building-with.txt',
    steps: 0,
    facts: [
      { fact: 'builder and driver from the `#0 building with` line', get: (p) => [p.build.builder.name, p.build.builder.driver], want: ['ebuilder_0.17.1_aarch64_from_root', 'docker-container'] },
      { fact: 'one vertex, #1 [internal] booting buildkit', get: (p) => p.steps.map((s) => [s.id, s.name]), want: [['1', '[internal] booting buildkit']] },
      { fact: 'cut mid-name: #1 and the build are incomplete', get: (p) => [stepById(p, '1')?.status, p.build.incomplete], want: ['incomplete', true] },
    ],
  },
  {
    file: '34-docker1809-tty-loop-02B-executor-failed.txt',
    // The first of ten builds is whole: [1/2] FROM and [2/2] RUN; the second frame is cut.
    steps: 2,
    facts: [
      { fact: '[1/2] FROM busybox was cached', get: (p) => stepNamed(p, '[1/2] FROM docker.io/library/busybox')?.status, want: 'cached' },
      { fact: '[2/2] RUN exit 1 failed after 0.2 s', get: (p) => [stepNamed(p, '[2/2] RUN exit 1')?.status, stepNamed(p, '[2/2] RUN exit 1')?.durationMs], want: ['error', 200] },
      { fact: 'the final error of the first build', get: (p) => p.builds.map((b) => b.error).includes('executor failed running [/bin/sh -c exit 1]: exit code 1'), want: true },
    ],
  },
  {
    file: '36-compose-json-progress-mixed-events-and-solvestatus.txt',
    steps: 0,
    facts: [
      { fact: 'rawjson format; the compose events make no steps', get: (p) => [p.build.format, p.steps.length], want: ['rawjson', 1] },
      { fact: 'target test-service, with the digest', get: (p) => [p.steps[0]?.target, p.steps[0]?.digest], want: ['test-service', 'sha256:af331986e6cd244bb040c859200a67b4167af207ba2189db4267a02233aa8acd'] },
      { fact: 'started again in the same message and never completed: incomplete', get: (p) => [p.steps[0]?.status, p.build.incomplete], want: ['incomplete', true] },
      { fact: 'started at 2024-12-19T10:35:26.115Z', get: (p) => p.build.startedAt, want: '2024-12-19T10:35:26.115Z' },
    ],
  },
  {
    file: '38-tty-log-tail-rows-hash-prefix.txt',
    steps: 1,
    facts: [
      { fact: 'the running step: [builder 3/3] RUN cargo build --release', get: (p) => p.steps.filter((s) => !s.internal).map((s) => [s.stage, s.index, s.total, s.instruction]), want: [['builder', 3, 3, 'RUN cargo build --release']] },
      { fact: 'still running when copied: incomplete', get: (p) => [stepNamed(p, '[builder 3/3] RUN cargo build --release')?.status, p.build.incomplete], want: ['incomplete', true] },
      { fact: 'the last ` => => #` row is its last output line', get: (p) => lastOutput(stepNamed(p, '[builder 3/3] RUN cargo build --release')), want: 'warning: build failed, waiting for other jobs to finish..' },
    ],
  },
];

/** The look-alikes: text that shows build-ish lines but is not a build log. */
const LOOKALIKES = new Set(['18-lookalike-docker-desktop-build-record.txt', '29-lookalike-jenkins-plugin-api-stream-tostring.txt']);

function parseAll(text: string): Parsed {
  const build = parseLog(text);
  const parser = new LogParser();
  parser.write(text);
  // compose / bake / TTY loops: one build per build in the log, when the parser can tell them apart.
  const endAll = (parser as unknown as { endAll?: () => Build[] }).endAll;
  const builds = typeof endAll === 'function' ? endAll.call(parser) : [build];
  return { build, builds, steps: builds.flatMap((b) => b.steps) };
}

const haveCorpus = existsSync(CORPUS);
const runPending = process.env.REAL_LOGS_RUN_PENDING === '1';

describe(`real-world logs (${CORPUS})`, () => {
  if (!haveCorpus) {
    // CI has the corpus (.ci/run sets BUILDLENS_REQUIRE_DOCKER=1): there, a missing folder is a failure.
    if (process.env.BUILDLENS_REQUIRE_DOCKER === '1') {
      it('finds the real-log corpus', () => {
        throw new Error(`the real-log corpus is missing: expected it at ${CORPUS}`);
      });
    } else {
      it.todo(`all real-log facts: the corpus folder ${CORPUS} is absent here, so none of them ran`);
    }
    return;
  }

  it('has facts for every log in the corpus, and no table entry without its log', () => {
    const files = readdirSync(CORPUS).filter((f) => /^\d+-.*\.txt$/.test(f) && !f.endsWith('.source.txt')).sort();
    expect(LOGS.map((l) => l.file).sort()).toEqual(files);
    for (const log of LOGS) {
      if (!LOOKALIKES.has(log.file)) expect(log.facts.length).toBeGreaterThanOrEqual(3);
    }
  });

  for (const log of LOGS) {
    describe(log.file, () => {
      const text = (): string => readFileSync(join(CORPUS, log.file), 'utf8');

      if (LOOKALIKES.has(log.file)) {
        it('is refused as not a build log', () => {
          let thrown: unknown;
          try {
            parseLog(text());
          } catch (err) {
            thrown = err;
          }
          expect(thrown).toBeInstanceOf(ParseError);
          expect((thrown as Error).message).toMatch(/not a (docker )?build log/i);
        });
        return;
      }

      let parsed: Parsed | undefined;
      let failure: unknown;
      const get = (): Parsed => {
        if (parsed) return parsed;
        if (failure !== undefined) throw failure;
        try {
          parsed = parseAll(text());
          return parsed;
        } catch (err) {
          failure = err;
          throw err;
        }
      };

      const parses = log.noVertex ? 'parses without throwing' : 'parses without throwing and finds steps';
      const counted = log.steps === null ? null : `finds ${log.steps} non-internal step${log.steps === 1 ? '' : 's'}`;
      if (log.parsePending && !runPending) {
        it.todo(`${parses} (pending: ${log.parsePending})`);
      } else {
        it(parses, () => {
          expect(() => get()).not.toThrow();
          if (!log.noVertex) expect(get().steps.length).toBeGreaterThan(0);
        });
      }
      const countPending = log.parsePending ?? log.stepsPending;
      if (counted && countPending && !runPending) {
        it.todo(`${counted} (pending: ${countPending})`);
      } else if (counted) {
        it(counted, () => {
          expect(get().builds.flatMap(userSteps)).toHaveLength(log.steps!);
        });
      }

      for (const f of log.facts) {
        if (f.pending && !runPending) {
          it.todo(`${f.fact} (pending: ${f.pending})`);
        } else {
          it(f.fact, () => {
            expect(f.get(get())).toEqual(f.want);
          });
        }
      }
    });
  }
});
