// `buildlens context [DIR] [-f DOCKERFILE] [--target T]`: scan the build context as BuildKit would
// (the .dockerignore applied, excluded directories pruned), say what the build sees and what BuildKit
// transfers, where the bytes are, what should not be there, and the .dockerignore lines that fix it
// (`--diff` prints them as a patch, `--fix` appends them).
import { readFileSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { basename, dirname, relative, resolve } from 'node:path';
import type { Analyzer, AnalyzerContext, ContextFile } from '../../../analyzers/types.js';
import { FAIL_ON_VALUES, FORMAT_VALUES, type FailOn, type OutputFormat } from '../../core/config.js';
import type { Finding } from '../../core/model.js';
import { InputError, fileErrorMessage } from '../../io/errors.js';
import { ignoreFileFor } from '../../io/ignore-file.js';
import { writeOutputFile } from '../../io/output.js';
import { UsageError, oneOf, parseCommandArgs } from '../args.js';
import { EXIT, reportExitCode } from '../exit-codes.js';
import { CONTEXT_HELP } from '../help.js';
import type { CliIO } from '../io.js';
import { toolVersion } from '../version.js';

const OPTIONS = {
  file: { type: 'string', short: 'f' },
  target: { type: 'string' },
  format: { type: 'string' },
  files: { type: 'boolean' },
  diff: { type: 'boolean' },
  fix: { type: 'boolean' },
  'measure-excluded': { type: 'boolean' },
  output: { type: 'string', short: 'o' },
  'fail-on': { type: 'string' },
  'no-color': { type: 'boolean' },
  annotations: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The JSON `context` report (docs/context.md). */
export interface ContextReport {
  schemaVersion: 1;
  tool: { name: 'buildlens'; version: string };
  root: string;
  dockerfile: string | null;
  dockerignore: { path: string; exists: boolean; patterns: number };
  target: string | null;
  /** The context as the build sees it (legacy builder upload, `COPY . .`). */
  files: number;
  bytes: number;
  /** What BuildKit transfers: the COPY/ADD and bind-mount sources of the reached stages; `all` when a source is `.`. */
  transfer: { files: number; bytes: number; all: boolean; sources: Array<{ source: string; line: number; stage: string }>; unknownSources: string[] };
  /** What the ignore file keeps out: files met, and directories pruned unwalked (sized with --measure-excluded). */
  excluded: { files: number; bytes: number; prunedDirs: Array<{ path: string; files: number | null; bytes: number | null }> };
  largestDirectories: Array<{ path: string; files: number; bytes: number }>;
  largestFiles: Array<{ path: string; bytes: number }>;
  topLevel: Array<{ path: string; files: number; bytes: number }>;
  junk: Array<{ path: string; category: string; pattern: string; files: number; bytes: number }>;
  secrets: Array<{ path: string; kind: string; bytes: number }>;
  gitIgnored: Array<{ path: string; files: number; bytes: number }>;
  problems: Array<{ path: string; kind: string; detail: string }>;
  fix: { lines: Array<{ line: string; reason: string; files: number; bytes: number }>; skipped: Array<{ line: string; why: string }>; saves: { files: number; bytes: number } };
  findings: Finding[];
  /** With --files: every path of the context as the build sees it. */
  paths?: string[];
}

/**
 * The analyzers that need the context (those of analyzers/index.ts with `needs: ['context']`; a
 * test keeps the two lists equal), loaded alone: the others are not needed here.
 */
export async function loadContextAnalyzers(): Promise<Analyzer[]> {
  const mods = await Promise.all([
    import('../../../analyzers/context-junk.js'),
    import('../../../analyzers/context-secret.js'),
    import('../../../analyzers/context-unused-files.js'),
    import('../../../analyzers/dockerignore-excludes-copy-source.js'),
    import('../../../analyzers/git-ignored-in-context.js'),
  ]);
  return [mods[0].contextJunk, mods[1].contextSecret, mods[2].contextUnusedFiles, mods[3].dockerignoreExcludesCopySource, mods[4].gitIgnoredInContext];
}

function display(cwd: string, abs: string): string {
  const rel = relative(cwd, abs);
  return rel === '' ? '.' : rel.startsWith('..') && abs.length < rel.length ? abs : rel;
}

export async function runContext(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('context', args, OPTIONS);
  if (values.help) {
    io.stdout.write(CONTEXT_HELP);
    return EXIT.OK;
  }
  if (positionals.length > 1) throw new UsageError(`\`context\` takes one directory, but got ${positionals.length} (${positionals.join(', ')})`, 'context');
  const format: OutputFormat = oneOf('--format', values.format, FORMAT_VALUES, 'context') ?? 'table';
  const failOn: FailOn = oneOf<FailOn>('--fail-on', values['fail-on'], FAIL_ON_VALUES, 'context') ?? 'none';
  if (values.file === '') throw new UsageError('`-f` needs a Dockerfile path', 'context');
  if (values.output === '') throw new UsageError('`--output` needs a file name', 'context');
  if (values.fix && values.diff) throw new UsageError('`--fix` and `--diff` do not go together: `--diff` prints the change, `--fix` makes it', 'context');

  const root = resolve(io.cwd, positionals[0] ?? '.');
  let rootStat;
  try {
    rootStat = statSync(root);
  } catch (err) {
    throw new InputError(fileErrorMessage(err, `The context directory ${positionals[0] ?? '.'}`, 'give the directory you pass to docker build'));
  }
  if (!rootStat.isDirectory()) throw new InputError(`The context ${positionals[0]} is a file, not a directory: give the directory you pass to docker build.`);

  // The Dockerfile and the ignore file first (small files, read once): the ignore patterns tell find
  // what it need not walk, and find starts now, to list the context while the modules below load.
  // The Dockerfile: -f (relative to the current directory, as docker takes it), else DIR/Dockerfile.
  const dockerfileAbs = values.file !== undefined ? resolve(io.cwd, values.file) : resolve(root, 'Dockerfile');
  let dockerfileText: string | null = null;
  try {
    dockerfileText = readFileSync(dockerfileAbs, 'utf8');
  } catch (err) {
    if (values.file !== undefined) throw new InputError(fileErrorMessage(err, `The Dockerfile ${values.file}`, 'check the path given to -f'));
  }
  // Without a Dockerfile there is nothing for an ignore file to be beside.
  const ignoreAbs = dockerfileText !== null ? ignoreFileFor(root, dockerfileAbs) : resolve(root, '.dockerignore');
  let ignoreText: string | null = null;
  let ignoreReadError: unknown = null;
  try {
    ignoreText = readFileSync(ignoreAbs, 'utf8');
  } catch (err) {
    if ((err as { code?: string }).code !== 'ENOENT') ignoreReadError = err;
  }
  const [{ Dockerignore, DockerignoreError }, finder] = await Promise.all([import('../../core/dockerignore.js'), import('../../io/context-find.js')]);
  let ignore: InstanceType<typeof Dockerignore> | null = null;
  let ignoreParseError: unknown = null;
  if (ignoreText !== null) {
    try {
      ignore = Dockerignore.parse(ignoreText);
    } catch (err) {
      ignoreParseError = err;
    }
  }
  // An ignore file the build would fail on is reported below, before any scan: no listing then.
  const listing = ignoreReadError === null && ignoreParseError === null && !ignore?.list.invalidPattern
    ? finder.startFindListing(root, { ignore, env: io.env, ...(io.signal ? { signal: io.signal } : {}) })
    : null;
  // No listing (not Linux, or an ignore file to report): the walk's worker thread is started now, so
  // that its start-up (~30 ms) overlaps the module loading below, as before find.
  const scanWorker = listing ? null : (await import('../../io/context-scanner.js')).startScanWorker();
  try {
    return await analyseContext();
  } finally {
    listing?.stop();
    void scanWorker?.terminate();
  }

  async function analyseContext(): Promise<number> {
    // All loaded while find runs. (Two steps: the analyzers import core/context.js, and Jest's VM
    // modules fail on one module imported by two concurrent imports.)
    const [{ parseDockerfile }, scanner, core] = await Promise.all([
      import('../../core/dockerfile.js'),
      import('../../io/context-scanner.js'),
      import('../../core/context.js'),
    ]);
    const [contextAnalyzers, { runAnalyzers }] = await Promise.all([loadContextAnalyzers(), import('../../core/analyze.js')]);
    const parsed = dockerfileText !== null ? parseDockerfile(dockerfileText) : null;
    if (parsed && parsed.stages.length === 0) throw new InputError(`${display(io.cwd, dockerfileAbs)} has no FROM instruction, so it is not a Dockerfile: pass the Dockerfile with -f.`);
    if (values.target !== undefined) {
      if (!parsed) throw new UsageError('`--target` needs a Dockerfile: there is none in the context, so pass one with -f', 'context');
      if (core.targetStage(parsed, values.target) === null) {
        const names = parsed.stages.map((s) => s.name).filter((n): n is string => !!n);
        throw new UsageError(`there is no stage \`${values.target}\` in ${display(io.cwd, dockerfileAbs)}${names.length ? ` (its stages: ${names.join(', ')})` : ' (its stages have no names)'}`, 'context');
      }
    }

    if (ignoreReadError !== null) throw new InputError(fileErrorMessage(ignoreReadError, `The ignore file ${display(io.cwd, ignoreAbs)}`, 'check it'));
    if (ignoreParseError !== null) {
      if (ignoreParseError instanceof DockerignoreError) throw new InputError(`${display(io.cwd, ignoreAbs)} ${ignoreParseError.message}: fix that line.`);
      throw ignoreParseError;
    }
    const bad = ignore?.list.invalidPattern;
    if (bad) throw new InputError(`${display(io.cwd, ignoreAbs)} line ${bad.line}: \`${bad.source}\` does not compile as a pattern (docker build fails with "failed to match excludepatterns"): fix that line.`);

    const scanOptions = {
      ignore,
      sizeExcluded: values['measure-excluded'] ?? false,
      readContentPattern: new RegExp(`(^|/)\\.gitignore$|${core.SECRET_CONTENT_FILES.source}`),
      ...(io.signal ? { signal: io.signal } : {}),
    };
    // find's listing when it ran (GNU find, no error), each directory gone through as soon as find
    // has listed it whole; else the walk in node, on two threads.
    const contextScanner = new scanner.ContextScanner(root);
    listing?.onDirectory((rel, dir) => contextScanner.listedPart(rel, dir, scanOptions));
    const listed = listing ? await listing.done : null;
    const scan = listed ? contextScanner.scanListed(listed, scanOptions) : await contextScanner.scanParallel(scanOptions, scanWorker);

    const ignorePath = display(io.cwd, ignoreAbs);
    const dockerfilePath = display(io.cwd, dockerfileAbs);
    const ctx: AnalyzerContext = {
      context: {
        root: display(io.cwd, root),
        files: scan.files,
        excluded: scan.excludedFiles,
        filtered: true,
        dockerignore: ignoreText !== null ? { path: ignorePath, text: ignoreText } : { path: ignorePath, text: '', missing: true },
        ...(values.target !== undefined ? { target: values.target } : {}),
      },
    };
    if (parsed && dockerfileText !== null) ctx.dockerfile = { path: dockerfilePath, text: dockerfileText, parsed };

    const findings = runAnalyzers(ctx, contextAnalyzers);
    const facts = core.contextFacts(ctx)!;

    const visible = totals(scan.files);
    const transfer = totals(facts.transfer);
    const excludedTotals = totals(scan.excludedFiles);
    for (const d of scan.prunedDirs) {
      excludedTotals.files += d.files ?? 0;
      excludedTotals.bytes += d.bytes ?? 0;
    }
    const parts = core.breakdown(scan.files);
    const report: ContextReport = {
      schemaVersion: 1,
      tool: { name: 'buildlens', version: toolVersion() },
      root: display(io.cwd, root),
      dockerfile: parsed ? dockerfilePath : null,
      dockerignore: { path: ignorePath, exists: ignoreText !== null, patterns: ignore?.patterns.length ?? 0 },
      target: values.target ?? null,
      files: visible.files,
      bytes: visible.bytes,
      transfer: {
        ...transfer,
        all: facts.use?.all ?? true,
        sources: (facts.use?.sources ?? []).map((s) => ({ source: s.source, line: s.line, stage: parsed?.stages[s.stageIndex]?.name ?? String(s.stageIndex) })),
        unknownSources: (facts.use?.variableSources ?? []).map((s) => s.source),
      },
      excluded: { files: excludedTotals.files, bytes: excludedTotals.bytes, prunedDirs: scan.prunedDirs },
      largestDirectories: parts.largestDirectories,
      largestFiles: parts.largestFiles.map((f) => ({ path: f.path, bytes: f.bytes })),
      topLevel: parts.topLevel,
      junk: facts.junk.map((j) => ({ path: j.path, category: j.category, pattern: j.pattern, files: j.files, bytes: j.bytes })),
      secrets: facts.secrets.map((s) => ({ path: s.path, kind: s.kind, bytes: s.bytes })),
      gitIgnored: facts.gitIgnored,
      problems: scan.problems.filter((p) => !p.excluded).map((p) => ({ path: p.path, kind: p.kind, detail: p.detail })),
      fix: { lines: facts.proposal.lines, skipped: facts.proposal.skipped, saves: facts.proposal.saves },
      findings,
    };
    if (values.files) report.paths = scan.files.map((f) => f.path).sort();

    const describe = (l: { reason: string; files: number; bytes: number }) => `${l.reason}: ${fileCount(l.files)}, ${formatSize(l.bytes)}`;
    const newText = () => core.appendIgnoreLines(ignoreText ?? '', facts.proposal.lines, describe);
    const ignoreRel = relative(root, ignoreAbs).startsWith('..') ? basename(ignoreAbs) : relative(root, ignoreAbs);

    if (values.diff) {
      const text = facts.proposal.lines.length === 0 ? '' : core.appendDiff(ignoreRel, ignoreText, newText());
      await emit(text, values.output, io);
      return reportExitCode(findings, failOn);
    }
    if (values.fix && facts.proposal.lines.length > 0) {
      try {
        await writeFile(ignoreAbs, newText(), 'utf8');
      } catch (err) {
        throw new InputError(`Cannot write ${ignorePath} (${err instanceof Error ? err.message : String(err)}): check that ${display(io.cwd, dirname(ignoreAbs))} is writable.`);
      }
      const s = facts.proposal.saves;
      io.stderr.write(`buildlens: ${ignoreText === null ? 'created' : 'appended to'} ${ignorePath}: ${facts.proposal.lines.length} line${facts.proposal.lines.length === 1 ? '' : 's'}, keeping out ${fileCount(s.files)} (${formatSize(s.bytes)}).\n`);
    } else if (values.fix) {
      io.stderr.write(`buildlens: nothing to add to ${ignorePath}.\n`);
    }

    let text: string;
    if (format === 'json') text = JSON.stringify(report, null, 2) + '\n';
    else if (format === 'markdown') text = renderContextMarkdown(report, await import('../../core/markdown.js'), await import('../../core/report/markdown-comment.js'));
    else if (format === 'sarif') {
      const [{ renderSarif }, { renderSarifWithDocs }] = await Promise.all([import('../../core/report/render-sarif.js'), import('./report.js')]);
      text = await renderSarifWithDocs(renderSarif, findings, contextAnalyzers, null);
    } else text = renderContextTable(report);
    await emit(text, values.output, io);
    if (values.annotations) {
      const { writeAnnotations } = await import('./report.js');
      await writeAnnotations(io, findings, null);
    }
    return reportExitCode(findings, failOn);
  }
}

async function emit(text: string, output: string | undefined, io: CliIO): Promise<void> {
  if (output !== undefined) await writeOutputFile(output, text, io.cwd);
  else io.stdout.write(text);
}

function totals(files: readonly ContextFile[]): { files: number; bytes: number } {
  let bytes = 0;
  for (const f of files) bytes += f.size;
  return { files: files.length, bytes };
}

// Sizes as docker prints them; kept local so this module does not pull in the report renderers.
function formatSize(bytes: number): string {
  if (bytes < 1000) return `${Math.round(bytes)}B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = bytes / 1000;
  let u = 0;
  while (u < units.length - 1 && Math.round(v * 100) >= 100000) {
    v /= 1000;
    u++;
  }
  return `${v.toFixed(2)}${units[u]}`;
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
/** Paths are untrusted (a file name can hold escape sequences): shown with control characters as `?`. */
function safe(text: string): string {
  return text.replace(CONTROL, '?');
}

function num(n: number): string {
  // As toLocaleString('en-US') writes whole numbers, without waking up ICU (~10 ms).
  return Number.isInteger(n) ? String(n).replace(/\B(?=(\d{3})+$)/g, ',') : n.toLocaleString('en-US');
}

/** `1 file`, `2 files`, `1,024 files`. */
function fileCount(n: number): string {
  return `${num(n)} file${n === 1 ? '' : 's'}`;
}

function pad(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, Array.from(c).length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd());
}

/** The terminal report: plain ASCII columns. */
export function renderContextTable(r: ContextReport): string {
  const out: string[] = [];
  out.push(`Build context ${safe(r.root)}${r.dockerfile ? ` (Dockerfile ${safe(r.dockerfile)}${r.target ? `, target ${safe(r.target)}` : ''})` : ' (no Dockerfile)'}`);
  out.push(`Ignore file   ${safe(r.dockerignore.path)}${r.dockerignore.exists ? ` (${r.dockerignore.patterns} patterns)` : ' (none)'}`);
  out.push('');
  const pruned = r.excluded.prunedDirs;
  const prunedUnsized = pruned.some((d) => d.files === null);
  const rows = [
    ['', 'files', 'bytes'],
    ['The context as the build sees it (legacy builder, COPY . .)', num(r.files), formatSize(r.bytes)],
    [`What BuildKit transfers${r.transfer.all ? ' (a source is the whole context)' : ' (COPY/ADD sources only)'}`, num(r.transfer.files), formatSize(r.transfer.bytes)],
    [`Kept out by the ignore file${prunedUnsized ? ` (+ ${pruned.length} dir${pruned.length === 1 ? '' : 's'} not walked)` : ''}`, num(r.excluded.files), formatSize(r.excluded.bytes)],
  ];
  out.push(...pad(rows));
  if (pruned.length > 0) {
    const list = pruned.slice(0, 8).map((d) => safe(d.path) + '/' + (d.bytes !== null ? ` ${formatSize(d.bytes)}` : '')).join(', ');
    out.push(`  not walked: ${list}${pruned.length > 8 ? `, … (${pruned.length})` : ''}${prunedUnsized ? ' (--measure-excluded sizes them)' : ''}`);
  }
  if (r.dockerfile) {
    out.push(r.transfer.all
      ? '  BuildKit sends the whole context here, as the legacy builder does.'
      : r.transfer.sources.length === 0 ? '  No instruction reads the context: BuildKit sends nothing; the legacy builder uploads all of it.'
      : `  BuildKit sends only what ${r.transfer.sources.map((s) => safe(s.source)).slice(0, 6).join(', ')}${r.transfer.sources.length > 6 ? ', …' : ''} name; the legacy builder uploads everything.`);
  }
  out.push('  (BuildKit re-sends only what changed since the builder last saw the context: a log\'s "transferring context" matches this only on a cold builder.)');
  const section = (title: string, items: string[][]) => {
    if (items.length === 0) return;
    out.push('', title, ...pad(items).map((l) => '  ' + l));
  };
  section('Largest directories', r.largestDirectories.map((d) => [safe(d.path) + '/', fileCount(d.files), formatSize(d.bytes)]));
  section('Largest files', r.largestFiles.map((f) => [safe(f.path), formatSize(f.bytes)]));
  section('By top-level entry', r.topLevel.slice(0, 20).map((d) => [safe(d.path), fileCount(d.files), formatSize(d.bytes)]).concat(r.topLevel.length > 20 ? [[`… ${r.topLevel.length - 20} more`, '', '']] : []));
  section('Should not be there', r.junk.map((j) => [safe(j.category === 'large-binary' ? j.path : j.pattern), j.category, fileCount(j.files), formatSize(j.bytes)]));
  section('Secrets', r.secrets.map((s) => [safe(s.path), s.kind, formatSize(s.bytes)]));
  section('Ignored by git, sent by docker', r.gitIgnored.map((g) => [safe(g.path), fileCount(g.files), formatSize(g.bytes)]));
  section('Problems', r.problems.map((p) => [safe(p.path), p.detail]));
  if (r.findings.length > 0) {
    out.push('', 'Findings');
    for (const f of r.findings) {
      out.push(`  ${f.severity.padEnd(7)} ${safe(f.file ?? '')}${f.line ? `:${f.line}` : ''}  ${f.rule}`);
      out.push(`          ${safe(f.message)}`);
      if (f.suggestion) out.push(`          -> ${safe(f.suggestion)}`);
    }
  }
  if (r.fix.lines.length > 0) {
    out.push('', `Lines to add to ${safe(r.dockerignore.path)} (together: ${fileCount(r.fix.saves.files)}, ${formatSize(r.fix.saves.bytes)}; --diff shows the patch, --fix appends them)`);
    out.push(...pad(r.fix.lines.map((l) => [safe(l.line), l.reason, fileCount(l.files), formatSize(l.bytes)])).map((l) => '  ' + l));
  }
  for (const s of r.fix.skipped) out.push(`  not proposed: ${safe(s.line)} (${safe(s.why)})`);
  return out.join('\n') + '\n';
}

/**
 * Markdown for job summaries and PR comments: a verdict line, then the tables; every path and
 * message through src/core/markdown.ts (paths are untrusted: a file can be named anything), under
 * GitHub's comment limit (info findings dropped first, then a cut; see markdown-comment.ts).
 */
export function renderContextMarkdown(r: ContextReport, m: Markdown, fit: Fit): string {
  return fit.fitComment((drop) => contextMarkdownWith(r, m, fit, drop)).text;
}

interface Markdown {
  escapeMarkdown(text: string): string;
  codeSpan(text: string, options?: { inTable?: boolean }): string;
  fencedBlock(text: string, lang?: string): string;
}

type Fit = Pick<typeof import('../../core/report/markdown-comment.js'), 'fitComment' | 'droppedNotice'>;

function contextMarkdownWith(r: ContextReport, md: Markdown, fit: Fit, drop: ReadonlySet<string>): string {
  const m = { escape: md.escapeMarkdown, code: (t: string) => md.codeSpan(t) };
  const out: string[] = [];
  const findings = drop.has('low-findings') ? r.findings.filter((f) => f.severity !== 'info') : r.findings;
  const verdict = [`**Build context ${md.codeSpan(r.root, { inTable: false })}**: BuildKit transfers ${formatSize(r.transfer.bytes)} (${fileCount(r.transfer.files)})`];
  if (r.transfer.bytes !== r.bytes) verdict.push(`the build sees ${formatSize(r.bytes)}`);
  if (r.findings.length > 0) verdict.push(`${r.findings.length} finding${r.findings.length === 1 ? '' : 's'}`);
  if (r.fix.lines.length > 0) verdict.push(`${r.fix.lines.length} line${r.fix.lines.length === 1 ? '' : 's'} to add to ${md.codeSpan(r.dockerignore.path, { inTable: false })} save ${formatSize(r.fix.saves.bytes)}`);
  out.push(verdict.join(' · '), '');
  out.push('| | files | bytes |', '|---|---:|---:|');
  out.push(`| The context as the build sees it | ${num(r.files)} | ${formatSize(r.bytes)} |`);
  out.push(`| What BuildKit transfers${r.transfer.all ? ' (whole context)' : ''} | ${num(r.transfer.files)} | ${formatSize(r.transfer.bytes)} |`);
  out.push(`| Kept out by ${m.code(r.dockerignore.path)}${r.excluded.prunedDirs.some((d) => d.files === null) ? ` (+ ${r.excluded.prunedDirs.length} dirs not walked)` : ''} | ${num(r.excluded.files)} | ${formatSize(r.excluded.bytes)} |`);
  const table = (title: string, head: string, rows: string[]) => {
    if (rows.length === 0) return;
    out.push('', `#### ${title}`, '', head, head.replace(/[^|]+/g, '---'), ...rows);
  };
  table('Findings', '| severity | where | rule | message |', findings.map((f) => `| ${f.severity} | ${m.code(`${f.file ?? ''}${f.line ? `:${f.line}` : ''}`)} | ${m.code(f.rule)} | ${m.escape(f.message)} |`));
  if (findings.length < r.findings.length) out.push('', `${r.findings.length - findings.length} info findings left out.`);
  if (r.fix.lines.length > 0) {
    out.push('', `#### Lines to add to ${md.codeSpan(r.dockerignore.path, { inTable: false })} (${fileCount(r.fix.saves.files)}, ${formatSize(r.fix.saves.bytes)})`, '');
    out.push(md.fencedBlock(r.fix.lines.map((l) => l.line).join('\n')));
  }
  const details: string[] = [];
  const dtable = (title: string, head: string, rows: string[]) => {
    if (rows.length === 0) return;
    details.push('', `#### ${title}`, '', head, head.replace(/[^|]+/g, '---'), ...rows);
  };
  dtable('Largest directories', '| directory | files | bytes |', r.largestDirectories.map((d) => `| ${m.code(d.path + '/')} | ${num(d.files)} | ${formatSize(d.bytes)} |`));
  dtable('Largest files', '| file | bytes |', r.largestFiles.map((f) => `| ${m.code(f.path)} | ${formatSize(f.bytes)} |`));
  dtable('Should not be there', '| path | what | files | bytes |', r.junk.map((j) => `| ${m.code(j.category === 'large-binary' ? j.path : j.pattern)} | ${m.escape(j.category)} | ${num(j.files)} | ${formatSize(j.bytes)} |`));
  dtable('Secrets', '| file | kind |', r.secrets.map((s) => `| ${m.code(s.path)} | ${m.escape(s.kind)} |`));
  if (details.length > 0) out.push('', '<details>', '<summary>Where the bytes are</summary>', ...details, '', '</details>');
  const notice = fit.droppedNotice(drop as ReadonlySet<never>);
  if (notice) out.push('', notice);
  return out.join('\n') + '\n';
}
