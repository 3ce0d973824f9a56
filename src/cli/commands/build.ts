// `buildlens build [buildlens options] [--] <docker build arguments>`: a drop-in `docker build`. docker
// gets its arguments unchanged and keeps stdout; buildlens reads the progress stream as it comes (the
// richest source the installed docker offers), shows it (live, plain or quiet) on stderr, and at the
// end prints the report on stderr, writes --report/--log files and keeps the report in the history.
import { createWriteStream, existsSync, statSync, type WriteStream } from 'node:fs';
import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { isatty } from 'node:tty';
import { DEFAULT_CONFIG, FAIL_ON_VALUES, FORMAT_VALUES, mergeConfig, type Config, type FailOn } from '../../core/config.js';
import { DockerArgsError, splitBuildCommandLine, type DockerBuildArgs } from '../../core/docker-args.js';
import { createLiveTracker, type LiveEvent } from '../../core/live-events.js';
import type { Build, SourceFormat } from '../../core/model.js';
import { LogParser } from '../../core/parse/detect.js';
import { ParseError } from '../../core/parse/index.js';
import { createRedactor, createStreamRedactor, redactDeep, secretValues, type Redactor } from '../../core/redact.js';
import { createPlainRenderer } from '../../core/render-plain.js';
import { toReport, type Report } from '../../core/report/report.js';
import { DockerEnvError, environmentError, probeBuildx, spawnBuild, DOCKER_MISSING } from '../../io/docker.js';
import { InputError } from '../../io/errors.js';
import { cacheDir, listHistory, saveToHistory, type HistoryKey } from '../../io/history.js';
import type { Fingerprints } from '../../core/fingerprint.js';
import type { Collected } from '../../io/fingerprint.js';
import type { AnalyzerContext } from '../../../analyzers/types.js';
import { writeOutputFile } from '../../io/output.js';
import { UsageError, oneOf } from '../args.js';
import { EXIT, Interrupted, buildExitCode, failOnTripped } from '../exit-codes.js';
import { budgetsFromFlags, printBudgetResult, readBaseline, recordBudgets } from '../budgets.js';
import { BUILD_HELP } from '../help.js';
import type { CliIO, CliOutput } from '../io.js';
import { toolVersion } from '../version.js';
import { analyze, applyRuleSettings, cacheFindings, historyBuilds, loadConfig, render, terminalWidth, useColor, writeAnnotations, type RenderExtras } from './report.js';
import { dockerDriverRefusal } from '../../core/remote-cache.js';

export const VIEW_VALUES = ['auto', 'live', 'plain', 'quiet'] as const;
export type View = (typeof VIEW_VALUES)[number];

/** Text lines outside the progress stream kept to explain a failure (bounded). */
const MAX_TEXT_LINES = 200;
/** After forwarding a signal, how long docker gets to stop before it is killed. */
const STOP_GRACE_MS = 20_000;

/** docker's `--progress` value, understood as the view. */
export function viewFromProgress(progress: string | null): View | undefined {
  switch (progress) {
    case null: return undefined;
    case 'auto': return 'auto';
    case 'tty': return 'live';
    case 'plain': case 'rawjson': return 'plain';
    case 'quiet': case 'none': return 'quiet';
    default: throw new UsageError(`docker's \`--progress\` must be auto, tty, plain, rawjson or quiet, not \`${progress}\``, 'build');
  }
}

/** auto = live on a terminal outside CI, plain otherwise. */
export function resolveView(view: View, stderr: CliOutput, env: CliIO['env']): Exclude<View, 'auto'> {
  if (view !== 'auto') return view;
  const ci = env.CI !== undefined && env.CI !== '' && env.CI !== 'false';
  return stderr.isTTY && !ci && env.TERM !== 'dumb' ? 'live' : 'plain';
}

/** Splits a byte stream into lines, with the time each chunk arrived. */
class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';
  constructor(private readonly onLine: (line: string, atMs: number) => void) {}
  write(chunk: Buffer, atMs: number): void {
    const text = this.pending + this.decoder.write(chunk);
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      this.onLine(text.slice(start, end), atMs);
      start = nl + 1;
    }
    this.pending = text.slice(start);
  }
  end(atMs: number): void {
    const rest = this.pending + this.decoder.end();
    this.pending = '';
    if (rest !== '') this.onLine(rest, atMs);
  }
}

interface ProgressView {
  event(e: LiveEvent): void;
  /** A progress line as docker printed it (for views that pass plain text through). */
  raw(line: string): void;
  stop(): Promise<void>;
}

function plainView(out: CliOutput, redact: Redactor, passThrough: boolean): ProgressView {
  const renderer = createPlainRenderer();
  return {
    event(e) {
      if (passThrough) return;
      const text = renderer.event(e);
      if (text !== '') out.write(redact(text));
    },
    raw(line) {
      if (passThrough) out.write(redact(line) + '\n');
    },
    async stop() {
      const rest = passThrough ? '' : renderer.flush();
      if (rest !== '') out.write(redact(rest));
    },
  };
}

const quietView: ProgressView = { event() {}, raw() {}, async stop() {} };

function isLocalPath(context: string): boolean {
  return context !== '-' && !/^[a-z][a-z0-9+.-]*:\/\//i.test(context) && !/^git@/.test(context) && !context.endsWith('.git');
}

/** Check the context and Dockerfile before docker runs: a missing one is a sentence, exit 2. */
function preflight(docker: DockerBuildArgs, cwd: string): { contextAbs: string | null; dockerfileAbs: string | null } {
  if (docker.context === null) {
    throw new UsageError('`build` needs a build context, as `docker build` does: e.g. `buildlens build -t app .`', 'build');
  }
  let contextAbs: string | null = null;
  if (isLocalPath(docker.context)) {
    contextAbs = resolve(cwd, docker.context);
    if (!existsSync(contextAbs)) throw new InputError(`The build context ${docker.context} does not exist: check the path given as the last argument.`);
  }
  let dockerfileAbs: string | null = null;
  if (docker.dockerfile === '-') return { contextAbs, dockerfileAbs: null };
  if (docker.dockerfile !== null) {
    dockerfileAbs = resolve(cwd, docker.dockerfile);
    if (!existsSync(dockerfileAbs)) throw new InputError(`The Dockerfile ${docker.dockerfile} does not exist: check the path given to -f.`);
  } else if (contextAbs !== null && statSync(contextAbs).isDirectory()) {
    dockerfileAbs = join(contextAbs, 'Dockerfile');
    if (!existsSync(dockerfileAbs)) {
      const lower = join(contextAbs, 'dockerfile');
      if (existsSync(lower)) dockerfileAbs = lower;
      else throw new InputError(`There is no Dockerfile in ${docker.context}: add one, or name it with -f.`);
    }
  }
  return { contextAbs, dockerfileAbs };
}

export async function runBuild(args: string[], io: CliIO): Promise<number> {
  let split;
  try {
    split = splitBuildCommandLine(args);
  } catch (err) {
    if (err instanceof DockerArgsError) throw new UsageError(err.message, 'build');
    throw err;
  }
  const { own, docker } = split;
  if (own.help) {
    io.stdout.write(BUILD_HELP);
    return EXIT.OK;
  }
  const flags: Config = {};
  const format = oneOf('--format', own.format, FORMAT_VALUES, 'build');
  if (format) flags.format = format;
  const failOn = oneOf<FailOn>('--fail-on', own.failOn, FAIL_ON_VALUES, 'build');
  if (failOn) flags.failOn = failOn;
  if (own.noColor) flags.color = false;
  flags.budgets = budgetsFromFlags(own.budgets, 'build');
  const requestedView = oneOf<View>('--view', own.view, VIEW_VALUES, 'build') ?? viewFromProgress(docker.progress) ?? (docker.quiet ? 'quiet' : 'auto');

  const found = await loadConfig(own.config, io.cwd);
  const config = mergeConfig(DEFAULT_CONFIG, found?.config ?? {}, flags);
  const { contextAbs, dockerfileAbs } = preflight(docker, io.cwd);
  const baseline = await readBaseline(own.baseline, io, 'build');

  const env = io.env;
  // Load execa while buildx answers.
  void import('execa').catch(() => undefined);
  const legacy = env.DOCKER_BUILDKIT === '0';
  let source: SourceFormat = 'legacy';
  if (!legacy) {
    try {
      source = (await probeBuildx(env)).rawjson ? 'rawjson' : 'plain';
    } catch (err) {
      if (err instanceof DockerEnvError) throw new InputError(err.message);
      throw err;
    }
  }
  // The legacy builder prints its progress on stdout, which stays docker's: no view of our own.
  let view = resolveView(requestedView, io.stderr, env);
  if (source === 'legacy' && view !== 'quiet') view = 'quiet';

  const redactValues = secretValues(docker, env, own.redact);
  const redact = createRedactor(redactValues);

  // -q cannot go with a progress stream: buildlens reads the image id from --iidfile and prints it itself.
  const dockerArgs = [...docker.args];
  let iidFile: string | null = null;
  let tempDir: string | null = null;
  if (docker.quiet) {
    if (docker.iidfile !== null) iidFile = resolve(io.cwd, docker.iidfile);
    else {
      tempDir = await mkdtemp(join(tmpdir(), 'buildlens-'));
      iidFile = join(tempDir, 'iid');
      dockerArgs.unshift('--iidfile', iidFile);
    }
  }

  const parser = new LogParser(source);
  const textLines: string[] = [];
  let shownText = false;
  const logFile: WriteStream | null = own.log ? createWriteStream(resolve(io.cwd, own.log)) : null;
  const logRedactor = createStreamRedactor(redactValues);
  const logError = new Promise<Error | null>((res) => {
    if (!logFile) return res(null);
    logFile.once('error', (e) => res(e));
    logFile.once('open', () => res(null));
  });

  let progressView: ProgressView;
  if (view === 'live') {
    const { startLiveView } = await import('../../io/live-view.js');
    progressView = await startLiveView(io.stderr, redact);
  } else if (view === 'plain') {
    progressView = plainView(io.stderr, redact, source !== 'rawjson');
    shownText = true;
  } else {
    progressView = quietView;
  }
  const tracker = createLiveTracker(source, (e) => {
    if (e.type === 'text' && textLines.length < MAX_TEXT_LINES) textLines.push(e.text);
    progressView.event(e);
  });

  const onLine = (line: string, atMs: number) => {
    parser.line(line, atMs);
    tracker.line(line, atMs);
    progressView.raw(line);
  };
  const progress = new LineSplitter(onLine);
  const inheritStdout = io.stdout === (process.stdout as unknown as CliOutput) && source !== 'legacy';
  const { child } = await spawnBuild({ format: source, args: dockerArgs, env, cwd: io.cwd, inheritStdout });
  // While docker builds: the context is scanned once, for the analyzers and for the fingerprints
  // (what each step's cache key depends on), which are taken now.
  const contextRead = readBuildContext(contextAbs, dockerfileAbs, io);
  const fingerprinting = startFingerprints(docker, contextAbs, dockerfileAbs, contextRead, env);
  // What the report needs is loaded while docker builds.
  const preload = Promise.all([
    import('../../../analyzers/index.js'), import('../../core/analyze.js'), import('../../core/dockerfile.js'),
    import('../../core/map-steps.js'), import(`../../core/report/render-${config.format === 'table' ? 'table' : config.format}.js`),
  ]).catch(() => undefined);

  const progressStream = source === 'legacy' ? child.stdout : child.stderr;
  progressStream?.on('data', (chunk: Buffer) => {
    const at = Date.now();
    progress.write(chunk, at);
    if (logFile) logFile.write(logRedactor.write(chunk.toString('utf8')));
    if (source === 'legacy' && !docker.quiet) {
      // stdout stays docker's: what it printed goes on, byte for byte.
      if (io.stdout === (process.stdout as unknown as CliOutput)) process.stdout.write(chunk);
      else io.stdout.write(chunk.toString('utf8'));
    }
  });
  if (source === 'legacy') {
    // The legacy builder's errors come on stderr: parsed too, and shown as docker shows them.
    const errLines = new LineSplitter((line, atMs) => {
      parser.line(line, atMs);
      if (textLines.length < MAX_TEXT_LINES) textLines.push(line);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      errLines.write(chunk, Date.now());
      if (logFile) logFile.write(logRedactor.write(chunk.toString('utf8')));
      io.stderr.write(redact(chunk.toString('utf8')));
    });
    child.stderr?.on('end', () => errLines.end(Date.now()));
    shownText = true;
  } else if (!inheritStdout) {
    child.stdout?.on('data', (chunk: Buffer) => io.stdout.write(chunk.toString('utf8')));
  }

  // Signals: Ctrl-C on a terminal already reached docker (same process group): do not send it twice.
  // SIGTERM, or a SIGINT sent to buildlens alone (no terminal, as CI runners do), is forwarded.
  let interrupted: Interrupted | null = null;
  let killTimer: NodeJS.Timeout | undefined;
  const onAbort = () => {
    const reason: unknown = io.signal?.reason;
    interrupted = reason instanceof Interrupted ? reason : new Interrupted('SIGTERM');
    const fromTerminal = interrupted.signal === 'SIGINT' && isatty(0);
    if (!fromTerminal) child.kill(interrupted.signal);
    killTimer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    killTimer.unref();
  };
  if (io.signal?.aborted) onAbort();
  else io.signal?.addEventListener('abort', onAbort, { once: true });

  const result = await child;
  await preload;
  io.signal?.removeEventListener('abort', onAbort);
  if (killTimer) clearTimeout(killTimer);
  const endAt = Date.now();
  progress.end(endAt);
  tracker.end(endAt);
  await progressView.stop();
  if (logFile) {
    const tail = logRedactor.end();
    if (tail) logFile.write(tail);
    await new Promise<void>((res) => logFile.end(res));
    const err = await logError;
    if (err) io.stderr.write(`buildlens: cannot write the log to ${own.log} (${err.message}): choose another --log path.\n`);
  }

  const spawnCode = (result as { code?: string }).code;
  if (spawnCode === 'ENOENT') throw new InputError(DOCKER_MISSING);
  const dockerExitCode = typeof result.exitCode === 'number' ? result.exitCode : null;
  const dockerSignal = result.signal ?? null;
  const failed = dockerExitCode !== 0;
  const showText = () => {
    if (shownText) return;
    for (const l of textLines) io.stderr.write(redact(l) + '\n');
    shownText = true;
  };

  if (failed && !interrupted) {
    const envError = environmentError(textLines.join('\n'));
    if (envError) {
      io.stderr.write(`buildlens: ${envError}\n`);
      return EXIT.USAGE;
    }
  }

  let build: Build;
  try {
    build = parser.end();
  } catch (err) {
    if (!(err instanceof ParseError)) throw err;
    showText();
    if (interrupted) return EXIT.OK; // main turns it into 130/143
    if (failed) return buildExitCode({ dockerExitCode, dockerSignal, failOnTripped: false, budgetBreached: false });
    throw err;
  }
  if (build.steps.length === 0 && failed) {
    // docker refused the command line (a bad flag, a bad tag): its own message says it all.
    showText();
    const refusal = interrupted ? null : dockerDriverRefusal(textLines.join('\n'), docker.cacheTo, docker.builder ?? env.BUILDX_BUILDER ?? null);
    if (refusal && applyRuleSettings([refusal], config).length > 0) {
      // The docker driver cannot export a cache: say what to do, and keep it in the --report file.
      io.stderr.write(`buildlens: ${refusal.message}\n`);
      if (own.report) {
        const report = toReport(build, { findings: applyRuleSettings([refusal], config), dockerfile: null, toolVersion: toolVersion() });
        await writeOutputFile(own.report, (await import('../../core/report/render-json.js')).renderJson(redactDeep(report, redact)), io.cwd);
      }
    } else if (!interrupted) io.stderr.write(`buildlens: docker build failed before any step ran (exit code ${dockerExitCode ?? dockerSignal}).\n`);
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
    return buildExitCode({ dockerExitCode, dockerSignal, failOnTripped: false, budgetBreached: false });
  }

  build = redactDeep(build, redact);
  let findings: Awaited<ReturnType<typeof analyze>>['findings'] = [];
  let dockerfileText: string | null = null;
  let atStakeMs: number | null = null;
  let suppressedFindings = 0;
  let dockerfileShown: string | null = null;
  const historyOff = own.noHistory || (env.BUILDLENS_NO_HISTORY !== undefined && env.BUILDLENS_NO_HISTORY !== '' && env.BUILDLENS_NO_HISTORY !== '0');
  const historyKey = {
    context: contextAbs ?? docker.context ?? '',
    dockerfile: dockerfileAbs,
    target: docker.target,
    platform: docker.platform,
    builder: docker.builder ?? env.BUILDX_BUILDER ?? null,
  };
  if (dockerfileAbs !== null && existsSync(dockerfileAbs)) {
    dockerfileShown = docker.dockerfile ?? (docker.context ? join(docker.context, 'Dockerfile') : dockerfileAbs);
    try {
      // The earlier builds of the same key price the steps this build took from the cache.
      const earlier = (await historyBuilds(historyKey, io, historyOff).catch(() => [])).map((e) => e.build);
      const analysis = await analyze(build, dockerfileAbs, config, found?.path ?? null, io, contextRead ?? undefined, earlier);
      build = analysis.build;
      findings = analysis.findings;
      dockerfileText = analysis.dockerfileText === null ? null : redact(analysis.dockerfileText);
      atStakeMs = analysis.atStakeMs;
      suppressedFindings = analysis.suppressed;
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      dockerfileShown = null;
    }
  }
  findings = [...findings, ...cacheFindings(build, env, docker.cacheFrom, docker.cacheTo, config)];
  const fingerprints = await finishFingerprints(fingerprinting, docker, build, env);
  const report = redactDeep(toReport(build, { findings, dockerfile: dockerfileShown, toolVersion: toolVersion(), atStakeMs, suppressedFindings, fingerprints }), redact);

  // A failed build's budgets mean little (docker's exit code wins): they are checked on a built one.
  const budgetResult = !failed && !interrupted ? recordBudgets(report, config.budgets, baseline) : null;
  const table = { width: terminalWidth(io.stderr, env), color: useColor(io.stderr, env, config.color) };
  const extras: RenderExtras = { dockerfileText, baseline };
  // Files named relative to the workspace (as annotations and code scanning expect, and shorter);
  // the JSON report keeps them as they were analysed.
  const shown: Report = { ...report, findings: findingsForCi(report, io.cwd, env) };
  const text = await render(config.format === 'json' ? report : shown, config.format, table, extras);
  if (view !== 'plain' && failed && build.errorExcerpt.length === 0) showText();
  io.stderr.write((view === 'plain' ? '\n' : '') + text);
  if (config.format === 'table' && !interrupted && !historyOff && fingerprints) {
    // Why the expensive steps ran, against the previous build of the same key.
    try {
      const lines = await whySummary(report, historyKey, env);
      if (lines) io.stderr.write(lines);
    } catch {
      // history is best effort
    }
  }
  if (interrupted) {
    io.stderr.write(`buildlens: interrupted by ${(interrupted as Interrupted).signal}: docker stopped; the report shows the steps that ran.\n`);
  }

  if (own.annotations) {
    await writeAnnotations(io, shown.findings, report.dockerfile);
    // A failed build is an error annotation on the instruction that failed.
    const { buildFailed, failingStep } = await import('../../core/report/report.js');
    if (buildFailed(report)) {
      const { workflowCommand } = await import('../../core/report/render-annotations.js');
      const step = failingStep(report);
      const file = report.dockerfile !== null && step?.line != null ? report.dockerfile.replace(/\\/g, '/') : null;
      io.stderr.write(workflowCommand('error', { file, line: file !== null ? step!.line : null, title: 'buildlens: the build failed' }, step?.error ?? report.error ?? 'The build failed.') + '\n');
    }
  }
  // On GitHub Actions the markdown report goes to the job summary, whatever the --format.
  if (env.GITHUB_ACTIONS === 'true' && env.GITHUB_STEP_SUMMARY) {
    const markdown = config.format === 'markdown' ? text : await render(shown, 'markdown', table, extras);
    try {
      await appendFile(env.GITHUB_STEP_SUMMARY, markdown + '\n', 'utf8');
    } catch (err) {
      io.stderr.write(`buildlens: cannot append the report to the job summary $GITHUB_STEP_SUMMARY (${err instanceof Error ? err.message : String(err)}).\n`);
    }
  }

  const json = (await import('../../core/report/render-json.js')).renderJson(report);
  if (own.report) await writeOutputFile(own.report, json, io.cwd);
  if (!own.noHistory && !(env.BUILDLENS_NO_HISTORY && env.BUILDLENS_NO_HISTORY !== '0')) {
    try {
      await saveToHistory(cacheDir(env), historyKey, json);
    } catch (err) {
      io.stderr.write(`buildlens: the report could not be kept in the history (${err instanceof Error ? err.message : String(err)}).\n`);
    }
  }

  if (docker.quiet && !failed && iidFile !== null) {
    try {
      const id = (await readFile(iidFile, 'utf8')).trim();
      if (id) io.stdout.write(id + '\n');
    } catch {
      // No image id (an export that is not an image): docker -q prints nothing either.
    }
  }
  if (tempDir) await rm(tempDir, { recursive: true, force: true });

  const budgetBreached = budgetResult !== null && printBudgetResult(budgetResult, io.stderr);
  return buildExitCode({ dockerExitCode, dockerSignal, failOnTripped: failOnTripped(report.findings, config.failOn), budgetBreached });
}

/**
 * The findings with their files relative to the workspace ($GITHUB_WORKSPACE, else the current
 * directory): annotations name files by their path in the repository.
 */
function findingsForCi(report: Report, cwd: string, env: CliIO['env']): Report['findings'] {
  const base = env.GITHUB_WORKSPACE && isAbsolute(env.GITHUB_WORKSPACE) ? env.GITHUB_WORKSPACE : cwd;
  return report.findings.map((f) => {
    if (f.file === null || !isAbsolute(f.file)) return f;
    const rel = relative(base, f.file);
    return rel.startsWith('..') || isAbsolute(rel) ? f : { ...f, file: rel.replace(/\\/g, '/') };
  });
}

/** Executed steps at least this long get a line in the summary saying why they ran. */
const EXPENSIVE_MS = 1000;
/** At most this many such lines. */
const WHY_LINES = 5;

/**
 * Start reading the build's context as the analyzers read it (with the stats the fingerprints need);
 * null when the build has no local context or no Dockerfile there. Its errors (an ignore file docker
 * refuses) surface where the analysis awaits it.
 */
function readBuildContext(contextAbs: string | null, dockerfileAbs: string | null, io: CliIO): Promise<AnalyzerContext['context'] | null> | null {
  if (contextAbs === null || dockerfileAbs === null || !existsSync(dockerfileAbs)) return null;
  // No abort signal: an interrupted build still gets its report, and the scan is part of it.
  const read = import('../../io/analyzer-context.js').then((m) => m.readAnalyzerContext(contextAbs, dockerfileAbs, false, { cwd: io.cwd, withStats: true }));
  read.catch(() => undefined);
  return read;
}

/** Start taking the fingerprints of a build of a local context (null when there is nothing to take them from). */
function startFingerprints(docker: DockerBuildArgs, contextAbs: string | null, dockerfileAbs: string | null, contextRead: Promise<AnalyzerContext['context'] | null> | null, env: CliIO['env']): Promise<Collected | null> {
  if (contextAbs === null || dockerfileAbs === null || contextRead === null) return Promise.resolve(null);
  return contextRead.then((context) => (context ? import('../../io/fingerprint.js') : null)).then((fp) => fp && fp.collectFingerprints({
    contextAbs,
    dockerfileAbs,
    target: docker.target,
    platform: docker.platform,
    // `--build-arg NAME` takes the value from the environment, as docker does.
    buildArgs: docker.buildArgs.map((a) => ({ name: a.name, value: a.value ?? env[a.name] ?? null })),
    flags: { noCache: docker.noCache, noCacheFilter: docker.noCacheFilter, cacheFrom: docker.cacheFrom, pull: docker.pull },
    env,
    cacheRoot: cacheDir(env),
    // With --pull the build may pull a newer image: it is inspected after the build.
    inspectNow: !docker.pull,
    scanned: contextRead.then((context) => context?.files ?? null),
  })).catch(() => null);
}

/** The fingerprints, with what only the finished build knows: the builder, and the images after --pull. */
async function finishFingerprints(pending: Promise<Collected | null>, docker: DockerBuildArgs, build: Build, env: CliIO['env']): Promise<Fingerprints | null> {
  const collected = await pending;
  if (!collected) return null;
  const f = collected.fingerprints;
  f.builder = { name: build.builder.name ?? docker.builder ?? env.BUILDX_BUILDER ?? null, driver: build.builder.driver };
  if (docker.pull) {
    const fp = await import('../../io/fingerprint.js');
    const { imageRefs } = await import('../../core/fingerprint.js');
    fp.withImages(f.steps, await fp.inspectImages(imageRefs(f.steps), env));
  }
  return f;
}

/** "`RUN npm ci` (48.2 s) ran because `package-lock.json` changed", one line per expensive executed step, against the previous build of the key. */
async function whySummary(report: Report, key: HistoryKey, env: CliIO['env']): Promise<string | null> {
  const executed = report.steps.filter((s) => !s.internal && (s.status === 'done' || s.status === 'error') && (s.durationMs ?? 0) >= EXPENSIVE_MS);
  if (executed.length === 0) return null;
  const paths = await listHistory(cacheDir(env), key);
  const last = paths[paths.length - 1];
  if (last === undefined) return null;
  const before = JSON.parse(await readFile(last, 'utf8')) as Report;
  const { explainRebuild, rootCauseText } = await import('../../core/why.js');
  const why = explainRebuild(before, report);
  const lines = why.explained
    .filter((w) => (w.durationMs ?? 0) >= EXPENSIVE_MS && w.cause.kind !== 'unknown')
    .sort((a, b) => (b.durationMs ?? 0) - (a.durationMs ?? 0))
    .slice(0, WHY_LINES)
    .map((w) => `  \`${w.instruction.split('\n')[0]}\` (${((w.durationMs ?? 0) / 1000).toFixed(1)} s) ran because ${rootCauseText(w.cause)}\n`);
  if (lines.length === 0) return null;
  return `\nWhy they ran (against the previous build; \`buildlens why\` explains every step)\n${lines.join('')}`;
}
