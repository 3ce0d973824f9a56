// `buildlens report <file|->`: read a saved build log, optionally map it onto its Dockerfile and run
// the analyzers, and print the report in the chosen format.
import { DEFAULT_CONFIG, FAIL_ON_VALUES, FORMAT_VALUES, ConfigError, mergeConfig, type Config, type FailOn, type OutputFormat, type ResolvedConfig } from '../../core/config.js';
import { resolve } from 'node:path';
import type { AnalyzerContext } from '../../../analyzers/types.js';
import type { Build, Finding } from '../../core/model.js';
import { toReport, type Report } from '../../core/report/report.js';
import { REMOTE_CACHE_RULES, detectCi, remoteCacheFindings, summarizeRemoteCache } from '../../core/remote-cache.js';
import { formatDuration } from '../../core/units.js';
import { findConfig, loadConfigFile, type FoundConfig } from '../../io/config-file.js';
import { InputError } from '../../io/errors.js';
import { writeOutputFile } from '../../io/output.js';
import { readLogs } from '../../io/read-log.js';
import { escapeMarkdown, stripControl } from '../../core/markdown.js';
import { readTextFile } from '../../io/read-text.js';
import { UsageError, oneOf, parseCommandArgs } from '../args.js';
import { EXIT, reportExitCode } from '../exit-codes.js';
import { BUDGET_OPTIONS, budgetsFromFlags, printBudgetResult, readBaseline, recordBudgets } from '../budgets.js';
import { REPORT_HELP } from '../help.js';
import type { CliIO, CliOutput } from '../io.js';
import { toolVersion } from '../version.js';

const OPTIONS = {
  dockerfile: { type: 'string' },
  format: { type: 'string' },
  output: { type: 'string', short: 'o' },
  'fail-on': { type: 'string' },
  'no-color': { type: 'boolean' },
  config: { type: 'string' },
  all: { type: 'boolean' },
  annotations: { type: 'boolean' },
  'no-history': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  baseline: { type: 'string' },
  ...BUDGET_OPTIONS,
} as const;

const DEFAULT_WIDTH = 100;

/** Colour only on a terminal, and not with NO_COLOR (any non-empty value), TERM=dumb or `color: false`. */
export function useColor(out: CliOutput, env: CliIO['env'], allowed: boolean): boolean {
  if (!allowed || !out.isTTY) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb') return false;
  return true;
}

/** The table width: the terminal's columns, else $COLUMNS, else 100. */
export function terminalWidth(out: CliOutput, env: CliIO['env']): number {
  if (out.isTTY && typeof out.columns === 'number' && out.columns > 0) return out.columns;
  const fromEnv = Number(env.COLUMNS);
  if (Number.isInteger(fromEnv) && fromEnv > 0) return fromEnv;
  return DEFAULT_WIDTH;
}

export async function loadConfig(path: string | undefined, cwd: string): Promise<FoundConfig | null> {
  return path !== undefined ? loadConfigFile(path, cwd) : findConfig(cwd);
}

export interface Analysis {
  build: Build;
  findings: Finding[];
  /** Findings suppressed by `# buildlens-ignore` pragmas. */
  suppressed: number;
  /** Per build, what the findings put at stake (each step counted once); null when none has a cost. */
  atStakeMs: number | null;
  /** Cached steps priced with their time from an earlier build in the history. */
  coldSteps: number;
  /** The Dockerfile's text, when one was read. */
  dockerfileText: string | null;
}

/** The analyzers and their runner, once the config's rule settings are checked against them. */
export async function loadAnalyzers(config: ResolvedConfig, configPath: string | null) {
  const [{ analyzers }, { runAnalyzers, runAnalyzersDetailed }] = await Promise.all([
    import('../../../analyzers/index.js'),
    import('../../core/analyze.js'),
  ]);
  const known = new Set([...analyzers.map((a) => a.id), ...Object.keys(REMOTE_CACHE_RULES)]);
  const unknown = Object.keys(config.rules).filter((id) => !known.has(id));
  if (unknown.length > 0) {
    const where = configPath ?? 'the config';
    throw new ConfigError(`${where} sets ${unknown.length === 1 ? 'a rule that does not exist' : 'rules that do not exist'} (${unknown.map((id) => `"${id}"`).join(', ')}): the rules are ${[...known].join(', ')}.`);
  }
  return { analyzers, runAnalyzers, runAnalyzersDetailed };
}

/** Say on stderr which `# buildlens-ignore` pragmas suppress nothing. */
export function warnPragmaProblems(problems: ReadonlyArray<{ line: number; message: string }>, dockerfile: string, io: CliIO): void {
  for (const p of problems) io.stderr.write(`buildlens: warning: ${stripControl(dockerfile)}:${p.line}: ${p.message}\n`);
}

/** Earlier builds of a Dockerfile kept in the history (oldest first), unless history is turned off. */
export async function historyBuilds(match: import('../../io/history.js').HistoryMatch | import('../../io/history.js').HistoryKey | null, io: CliIO, off: boolean): Promise<Array<{ path: string; build: Build }>> {
  if (match === null || off || (io.env.BUILDLENS_NO_HISTORY && io.env.BUILDLENS_NO_HISTORY !== '0')) return [];
  const { cacheDir, loadHistoryBuilds } = await import('../../io/history.js');
  return loadHistoryBuilds(cacheDir(io.env), match);
}

/**
 * Map the build onto the Dockerfile (when given) and run every analyzer whose needs are met. With
 * `context` (a build's context, as readAnalyzerContext reads it), the Dockerfile analyzers also read its manifests (so that
 * copy-before-install can propose its fix); the context rules stay with `buildlens context`/`lint`.
 * `earlier` builds of the same Dockerfile (the history) give cached steps their cold time, so that
 * a cache breaker is priced by what it re-runs even when this build was served from the cache.
 */
export async function analyze(build: Build, dockerfilePath: string | undefined, config: ResolvedConfig, configPath: string | null, io: CliIO, context?: Promise<AnalyzerContext['context'] | null>, earlier: readonly Build[] = []): Promise<Analysis> {
  const { analyzers, runAnalyzersDetailed } = await loadAnalyzers(config, configPath);
  const { atStakeMs } = await import('../../core/cost.js');
  if (dockerfilePath === undefined) {
    const findings = runAnalyzersDetailed({ build }, analyzers, { rules: config.rules }).findings;
    return { build, findings, suppressed: 0, atStakeMs: atStakeMs(findings, build), coldSteps: 0, dockerfileText: null };
  }
  const text = await readTextFile(dockerfilePath, io.cwd, `The Dockerfile ${dockerfilePath}`, 'check the path given to --dockerfile');
  const [{ parseDockerfile }, { mapStepsToDockerfile }, { withColdTimes, coldTimedSteps }] = await Promise.all([
    import('../../core/dockerfile.js'),
    import('../../core/map-steps.js'),
    import('../../core/cold-times.js'),
  ]);
  const parsed = parseDockerfile(text);
  if (parsed.stages.length === 0) {
    throw new InputError(`${dockerfilePath} has no FROM instruction, so it is not a Dockerfile: pass the Dockerfile the log was built from.`);
  }
  let mapped = mapStepsToDockerfile(build, parsed);
  if (earlier.length > 0) mapped = withColdTimes(mapped, earlier.map((b) => mapStepsToDockerfile(b, parsed)));
  const ctx: AnalyzerContext = { dockerfile: { path: dockerfilePath, text, parsed }, build: mapped };
  if (Object.keys(config.ecosystems).length > 0) ctx.ecosystems = config.ecosystems;
  let run = analyzers;
  if (context !== undefined) {
    const read = await context;
    if (read) ctx.context = read;
    run = analyzers.filter((a) => !a.needs.includes('context'));
  }
  const result = runAnalyzersDetailed(ctx, run, { rules: config.rules, knownRules: analyzers.map((a) => a.id) });
  warnPragmaProblems(result.pragmaProblems, dockerfilePath, io);
  return { build: mapped, findings: result.findings, suppressed: result.suppressed, atStakeMs: atStakeMs(result.findings, mapped, parsed), coldSteps: coldTimedSteps(mapped), dockerfileText: text };
}

/**
 * The remote-cache findings of a build (src/core/remote-cache.ts), with the config's rule settings
 * applied. `cacheFrom`/`cacheTo` are docker's flags when buildlens ran the build, null for a saved log.
 */
export function cacheFindings(build: Build, env: CliIO['env'], cacheFrom: string[] | null, cacheTo: string[] | null, config: ResolvedConfig): Finding[] {
  const found = remoteCacheFindings({ build, cache: summarizeRemoteCache(build), ci: detectCi(env), cacheFrom, cacheTo, formatDuration });
  return applyRuleSettings(found, config);
}

/** A rule set to "off" in the config drops its findings; a severity replaces the default one. */
export function applyRuleSettings(findings: Finding[], config: ResolvedConfig): Finding[] {
  const out: Finding[] = [];
  for (const f of findings) {
    const setting = config.rules[f.rule];
    if (setting === 'off') continue;
    out.push(setting ? { ...f, severity: setting } : f);
  }
  return out;
}

/** What the markdown and SARIF renderers take besides the report. */
export interface RenderExtras {
  /** The Dockerfile's text, for the markdown diff of each fix. */
  dockerfileText?: string | null;
  /** An earlier build's report for the markdown verdict's "vs baseline" figures. */
  baseline?: Report | null;
  baselineLabel?: string;
  /** The markdown size limit (default GitHub's comment limit). */
  limit?: number;
}

export async function render(report: Report, format: OutputFormat, table: { width: number; color: boolean }, extras: RenderExtras = {}): Promise<string> {
  switch (format) {
    case 'json': return (await import('../../core/report/render-json.js')).renderJson(report);
    case 'markdown': {
      const { renderMarkdown } = await import('../../core/report/render-markdown.js');
      return renderMarkdown(report, {
        ...(extras.dockerfileText !== undefined ? { dockerfileText: extras.dockerfileText } : {}),
        ...(extras.baseline !== undefined ? { baseline: extras.baseline } : {}),
        ...(extras.baselineLabel !== undefined ? { baselineLabel: extras.baselineLabel } : {}),
        ...(extras.limit !== undefined ? { limit: extras.limit } : {}),
      });
    }
    case 'sarif': {
      const [{ analyzers }, { renderSarif }] = await Promise.all([import('../../../analyzers/index.js'), import('../../core/report/render-sarif.js')]);
      return renderSarifWithDocs(renderSarif, report.findings, analyzers, report.dockerfile);
    }
    case 'table': return (await import('../../core/report/render-table.js')).renderTable(report, table);
  }
}

/** SARIF with the rules' docs as help (and helpUri where the package says where docs are published). */
export async function renderSarifWithDocs(
  renderSarif: typeof import('../../core/report/render-sarif.js').renderSarif,
  findings: import('../../core/report/render-sarif.js').SarifFinding[],
  rules: readonly import('../../core/report/render-sarif.js').SarifRule[],
  defaultFile: string | null,
): Promise<string> {
  const { readRuleDocs, ruleDocsBase } = await import('../../io/rule-docs.js');
  const ids = [...new Set([...rules.map((r) => r.id), ...findings.map((f) => f.rule)])];
  return renderSarif({ findings, rules, toolVersion: toolVersion(), ruleDocs: await readRuleDocs(ids), docsBase: ruleDocsBase(), defaultFile });
}

/** `--annotations`: the findings as GitHub workflow commands, on stderr (the runner reads both streams; stdout keeps the report). */
export async function writeAnnotations(io: CliIO, findings: import('../../core/report/render-annotations.js').AnnotationFinding[], defaultFile: string | null): Promise<void> {
  const { renderAnnotations } = await import('../../core/report/render-annotations.js');
  const text = renderAnnotations(findings, { defaultFile });
  if (text) io.stderr.write(text);
}

export async function runReport(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('report', args, OPTIONS);
  if (values.help) {
    io.stdout.write(REPORT_HELP);
    return EXIT.OK;
  }
  if (positionals.length === 0) throw new UsageError('`report` needs a log file, or `-` to read the log from stdin', 'report');
  if (positionals.length > 1) throw new UsageError(`\`report\` takes one log file, but got ${positionals.length} (${positionals.join(', ')})`, 'report');
  const source = positionals[0]!;

  const flags: Config = {};
  const format = oneOf('--format', values.format, FORMAT_VALUES, 'report');
  if (format) flags.format = format;
  const failOn = oneOf<FailOn>('--fail-on', values['fail-on'], FAIL_ON_VALUES, 'report');
  if (failOn) flags.failOn = failOn;
  if (values['no-color']) flags.color = false;
  if (values.output === '') throw new UsageError('`--output` needs a file name', 'report');
  if (values.dockerfile === '') throw new UsageError('`--dockerfile` needs a path', 'report');
  flags.budgets = budgetsFromFlags(values, 'report');

  const found = await loadConfig(values.config, io.cwd);
  const config = mergeConfig(DEFAULT_CONFIG, found?.config ?? {}, flags);
  const baseline = await readBaseline(values.baseline, io, 'report');

  // One log can hold several builds: table and markdown show each in turn; JSON gives the last
  // build's report, or with --all an array of every build's report.
  const all = await readLogs(source, io.stdin, { cwd: io.cwd, signal: io.signal });
  // SARIF, like JSON, describes the last build.
  const builds = (config.format === 'json' && !values.all) || config.format === 'sarif' ? all.slice(-1) : all;
  // Earlier builds of this Dockerfile (the history of `buildlens build`) price the cached steps.
  const earlier = values.dockerfile !== undefined ? await historyBuilds({ dockerfile: resolve(io.cwd, values.dockerfile) }, io, values['no-history'] === true) : [];
  const reports: Report[] = [];
  let dockerfileText: string | null = null;
  for (const build of builds) {
    const analysis = await analyze(build, values.dockerfile, config, found?.path ?? null, quietAfterFirst(io, reports.length), undefined, earlier.map((e) => e.build));
    dockerfileText = analysis.dockerfileText;
    const findings = [...analysis.findings, ...cacheFindings(analysis.build, io.env, null, null, config)];
    reports.push(toReport(analysis.build, { findings, dockerfile: values.dockerfile ?? null, toolVersion: toolVersion(), atStakeMs: analysis.atStakeMs, suppressedFindings: analysis.suppressed }));
  }
  // Budgets apply to the build the report is about: the last one of the log.
  const budgetResult = recordBudgets(reports[reports.length - 1]!, config.budgets, baseline);
  const extras: RenderExtras = { dockerfileText, baseline };

  const toFile = values.output !== undefined;
  const table = {
    width: terminalWidth(io.stdout, io.env),
    color: !toFile && useColor(io.stdout, io.env, config.color),
  };
  let text: string;
  if (config.format === 'json' && values.all) {
    text = JSON.stringify(reports, null, 2) + '\n';
  } else if (reports.length === 1) {
    text = await render(reports[0]!, config.format, table, extras);
  } else {
    const parts: string[] = [];
    for (let i = 0; i < reports.length; i++) {
      // Several builds share one comment: each gets its share of GitHub's limit (less its heading).
      const { GITHUB_COMMENT_LIMIT } = await import('../../core/report/markdown-comment.js');
      const share = Math.floor(GITHUB_COMMENT_LIMIT / reports.length) - 300;
      const body = await render(reports[i]!, config.format, table, { ...extras, limit: share });
      if (config.format === 'markdown') {
        parts.push(`## ${buildHeading(i, reports.length, builds[i]!, escapeMarkdown)}\n\n${body}`);
      } else {
        const heading = buildHeading(i, reports.length, builds[i]!, stripControl);
        parts.push(`${heading}\n${'='.repeat(heading.length)}\n${body}`);
      }
    }
    text = parts.join('\n');
  }
  if (toFile) await writeOutputFile(values.output!, text, io.cwd);
  else io.stdout.write(text);
  if (values.annotations) await writeAnnotations(io, reports.flatMap((r) => r.findings), values.dockerfile ?? null);
  const breached = budgetResult !== null && printBudgetResult(budgetResult, io.stderr);
  const code = reportExitCode(reports.flatMap((r) => r.findings), config.failOn);
  return breached ? EXIT.FINDINGS : code;
}

/** The same io with stderr silenced after the first build of a log: pragma warnings are said once. */
function quietAfterFirst(io: CliIO, index: number): CliIO {
  return index === 0 ? io : { ...io, stderr: { write: () => undefined } };
}

/**
 * `Build 2 of 3 (target api)`: the heading of one build of a log that holds several. The target
 * names come from the log: `escape` makes them safe for the output format.
 */
export function buildHeading(index: number, count: number, build: Build, escape: (text: string) => string): string {
  const targets = [...new Set(build.steps.map((s) => s.target).filter((t): t is string => t !== null))].map(escape);
  const which = targets.length === 0 ? '' : ` (${targets.length === 1 ? 'target' : 'targets'} ${targets.join(', ')})`;
  return `Build ${index + 1} of ${count}${which}`;
}
