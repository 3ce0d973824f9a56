// `buildlens lint [DOCKERFILE] [--context DIR] [--report BUILD.json]`: run the analyzers on a
// Dockerfile and its build context, and show (`--diff`) or write (`--fix`) the Dockerfile with every
// safe fix applied. With a buildlens JSON report of a build of it, each finding carries what it cost
// in that build (the time of the steps it invalidates).
import { writeFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import type { AnalyzerContext } from '../../../analyzers/types.js';
import { DEFAULT_CONFIG, FAIL_ON_VALUES, mergeConfig, type Config, type FailOn } from '../../core/config.js';
import type { Build } from '../../core/model.js';
import { InputError } from '../../io/errors.js';
import { readAnalyzerContext } from '../../io/analyzer-context.js';
import { writeOutputFile } from '../../io/output.js';
import { readTextFile } from '../../io/read-text.js';
import { UsageError, oneOf, parseCommandArgs } from '../args.js';
import { EXIT, reportExitCode } from '../exit-codes.js';
import { LINT_HELP } from '../help.js';
import type { CliIO } from '../io.js';
import { toolVersion } from '../version.js';
import type { LintReport } from '../../core/report/render-lint.js';
import { historyBuilds, loadAnalyzers, loadConfig, renderSarifWithDocs, useColor, warnPragmaProblems, writeAnnotations } from './report.js';
import { atStakeMs } from '../../core/cost.js';

const OPTIONS = {
  context: { type: 'string' },
  report: { type: 'string' },
  format: { type: 'string' },
  diff: { type: 'boolean' },
  fix: { type: 'boolean' },
  output: { type: 'string', short: 'o' },
  'fail-on': { type: 'string' },
  'no-color': { type: 'boolean' },
  config: { type: 'string' },
  annotations: { type: 'boolean' },
  'no-history': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export type LintFormat = 'table' | 'json' | 'markdown' | 'sarif';
const LINT_FORMATS: readonly LintFormat[] = ['table', 'json', 'markdown', 'sarif'];

function display(cwd: string, abs: string): string {
  const rel = relative(cwd, abs);
  return rel === '' ? '.' : rel.startsWith('..') && abs.length < rel.length ? abs : rel;
}

export async function runLint(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('lint', args, OPTIONS);
  if (values.help) {
    io.stdout.write(LINT_HELP);
    return EXIT.OK;
  }
  if (positionals.length > 1) throw new UsageError(`\`lint\` takes one Dockerfile, but got ${positionals.length} (${positionals.join(', ')})`, 'lint');
  if (values.fix && values.diff) throw new UsageError('`--fix` and `--diff` do not go together: `--diff` prints the change, `--fix` makes it', 'lint');
  for (const flag of ['context', 'report', 'output', 'config'] as const) {
    if (values[flag] === '') throw new UsageError(`\`--${flag}\` needs a path`, 'lint');
  }
  const format = oneOf('--format', values.format, LINT_FORMATS, 'lint');
  const failOnFlag = oneOf<FailOn>('--fail-on', values['fail-on'], FAIL_ON_VALUES, 'lint');
  const flags: Config = {};
  if (failOnFlag) flags.failOn = failOnFlag;
  if (values['no-color']) flags.color = false;
  const found = await loadConfig(values.config, io.cwd);
  // lint fails on errors unless told otherwise (the config file or --fail-on).
  const config = mergeConfig({ ...DEFAULT_CONFIG, failOn: 'error' }, found?.config ?? {}, flags);
  const outFormat: LintFormat = format ?? config.format;

  // The Dockerfile: the argument, else DIR/Dockerfile with --context, else ./Dockerfile.
  const contextArg = values.context;
  const dockerfileAbs = positionals[0] !== undefined ? resolve(io.cwd, positionals[0]) : resolve(io.cwd, contextArg ?? '.', 'Dockerfile');
  const dockerfilePath = display(io.cwd, dockerfileAbs);
  const text = await readTextFile(dockerfileAbs, io.cwd, `The Dockerfile ${dockerfilePath}`, positionals[0] !== undefined ? 'check the path' : 'pass the Dockerfile to lint');
  const { parseDockerfile } = await import('../../core/dockerfile.js');
  const parsed = parseDockerfile(text);
  if (parsed.stages.length === 0) throw new InputError(`${dockerfilePath} has no FROM instruction, so it is not a Dockerfile: pass the Dockerfile to lint.`);

  // The context: --context, else the Dockerfile's directory (as `docker build -f X DIR` with DIR beside it).
  const rootAbs = resolve(io.cwd, contextArg ?? dirname(dockerfileAbs));
  const context = await readAnalyzerContext(rootAbs, dockerfileAbs, contextArg !== undefined, io);

  const ctx: AnalyzerContext = { dockerfile: { path: dockerfilePath, text, parsed } };
  if (context) ctx.context = context;
  if (Object.keys(config.ecosystems).length > 0) ctx.ecosystems = config.ecosystems;
  // The build that prices the findings: --report, else the newest `buildlens build` of this
  // Dockerfile and context in the history; older builds there give cached steps their cold time.
  const history = await historyBuilds({ dockerfile: dockerfileAbs, context: rootAbs }, io, values['no-history'] === true);
  let buildSource: string | null = null;
  if (values.report !== undefined) {
    ctx.build = await readBuildReport(values.report, io);
    buildSource = values.report;
  } else if (history.length > 0) {
    const newest = history.pop()!;
    ctx.build = newest.build;
    buildSource = newest.path;
  }
  if (ctx.build) {
    const [{ mapStepsToDockerfile }, { withColdTimes }] = await Promise.all([import('../../core/map-steps.js'), import('../../core/cold-times.js')]);
    // Lines as they are in this Dockerfile now (it may have been edited since those builds).
    ctx.build = withColdTimes(mapStepsToDockerfile(ctx.build, parsed), history.map((h) => mapStepsToDockerfile(h.build, parsed)));
  }

  const { analyzers, runAnalyzers, runAnalyzersDetailed } = await loadAnalyzers(config, found?.path ?? null);
  const result = runAnalyzersDetailed(ctx, analyzers, { rules: config.rules });
  warnPragmaProblems(result.pragmaProblems, dockerfilePath, io);
  const findings = result.findings;

  // Every fix of the Dockerfile, applied together (fixes re-found after each one, see compose-fixes.ts).
  const { composeFixes } = await import('../../core/compose-fixes.js');
  const reanalyze = (t: string) => {
    const next: AnalyzerContext = { dockerfile: { path: dockerfilePath, text: t, parsed: parseDockerfile(t) } };
    // A fresh context object: facts derived from the Dockerfile are cached per context object.
    if (ctx.context) next.context = { ...ctx.context };
    if (ctx.ecosystems) next.ecosystems = ctx.ecosystems;
    return runAnalyzers(next, analyzers, { rules: config.rules });
  };
  const composed = composeFixes(text, findings, { reanalyze, file: dockerfilePath });

  if (values.diff) {
    const { unifiedDiff } = await import('../../core/diff.js');
    await emit(unifiedDiff(dockerfilePath.replace(/\\/g, '/'), text, composed.text), values.output, io);
    if (composed.applied.length === 0) io.stderr.write('buildlens: no fix to apply: the Dockerfile stays as it is.\n');
    return reportExitCode(findings, config.failOn);
  }
  let shown = findings;
  if (values.fix) {
    if (composed.text !== text) {
      try {
        await writeFile(dockerfileAbs, composed.text, 'utf8');
      } catch (err) {
        throw new InputError(`Cannot write ${dockerfilePath} (${err instanceof Error ? err.message : String(err)}): check that it is writable.`);
      }
      const rules = [...new Set(composed.applied.map((f) => f.rule))].join(', ');
      io.stderr.write(`buildlens: rewrote ${dockerfilePath}: ${composed.applied.length} fix${composed.applied.length === 1 ? '' : 'es'} applied (${rules}).\n`);
      // What is left is reported on the rewritten file (costs belong to the old lines: dropped).
      shown = composed.remaining;
    } else {
      io.stderr.write(`buildlens: nothing to fix in ${dockerfilePath}.\n`);
    }
  }

  const report: LintReport = {
    schemaVersion: 1,
    tool: { name: 'buildlens', version: toolVersion() },
    dockerfile: dockerfilePath,
    context: context ? context.root : null,
    build: buildSource,
    findings: shown.map((f) => ({ rule: f.rule, severity: f.severity, message: f.message, file: f.file, line: f.line, suggestion: f.suggestion ?? null, fix: f.fix ?? null, costMs: f.costMs ?? null })),
    fixable: values.fix ? 0 : composed.applied.length,
    atStakeMs: atStakeMs(shown, ctx.build ?? null, values.fix ? parseDockerfile(composed.text) : parsed),
    suppressedFindings: result.suppressed,
  };
  const color = values.output === undefined && useColor(io.stdout, io.env, config.color);
  let out: string;
  switch (outFormat) {
    case 'json': out = JSON.stringify(report, null, 2) + '\n'; break;
    case 'sarif': {
      const { renderSarif } = await import('../../core/report/render-sarif.js');
      out = await renderSarifWithDocs(renderSarif, shown, analyzers, dockerfilePath);
      break;
    }
    case 'markdown': {
      const [{ renderLintMarkdown }, { unifiedDiff }] = await Promise.all([import('../../core/report/render-lint.js'), import('../../core/diff.js')]);
      const diff = report.fixable > 0 ? unifiedDiff(dockerfilePath.replace(/\\/g, '/'), text, composed.text) : '';
      out = renderLintMarkdown(report, diff ? { diff } : {});
      break;
    }
    case 'table': {
      const { renderLintTable } = await import('../../core/report/render-lint.js');
      out = renderLintTable(report, { color });
      break;
    }
  }
  await emit(out, values.output, io);
  if (values.annotations) await writeAnnotations(io, shown, dockerfilePath);
  return reportExitCode(shown, config.failOn);
}

async function emit(text: string, output: string | undefined, io: CliIO): Promise<void> {
  if (output !== undefined) await writeOutputFile(output, text, io.cwd);
  else io.stdout.write(text);
}

/** A buildlens JSON report (docs/report-format.md) as the Build it describes. */
async function readBuildReport(path: string, io: CliIO): Promise<Build> {
  const text = await readTextFile(path, io.cwd, `The build report ${path}`, 'pass a report written by `buildlens build --report` or `buildlens report --format json`');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new InputError(`${path} is not JSON: pass a report written by \`buildlens build --report\` or \`buildlens report --format json\`.`);
  }
  const { buildFromReportJson } = await import('../../core/cold-times.js');
  const build = buildFromReportJson(json);
  if (!build) {
    throw new InputError(`${path} is not a buildlens JSON report (schemaVersion 1 with steps): pass a report written by \`buildlens build --report\` or \`buildlens report --format json\`.`);
  }
  return build;
}
