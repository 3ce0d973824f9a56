// Run analyzers over what is known of a build and turn their reports into findings: messages filled
// from the analyzer's templates, severity from the rule settings, findings sorted by cost.
import type { Finding, Fix, Severity } from './model.js';
import type { Analyzer, AnalyzerContext, Report } from '../../analyzers/types.js';
import { applyPragmas, parsePragmas, pragmaProblems, type PragmaProblem } from './pragmas.js';

export interface AnalyzeOptions {
  /** Per-rule severity, or 'off' to disable the rule. Unlisted rules use their default severity. */
  rules?: Record<string, Severity | 'off'>;
  /** Every rule id that exists (for checking `# buildlens-ignore` pragmas); default: the analyzers run. */
  knownRules?: Iterable<string>;
}

export interface AnalysisResult {
  /** The findings kept, costliest first. */
  findings: Finding[];
  /** Findings a `# buildlens-ignore` pragma of the Dockerfile suppressed. */
  suppressed: number;
  /** Pragmas that suppress nothing: an unknown rule, no instruction under them, a file form below the top. */
  pragmaProblems: PragmaProblem[];
}

/** Run the analyzers; the Dockerfile's `# buildlens-ignore` pragmas suppress what they name. */
export function runAnalyzers(ctx: AnalyzerContext, analyzers: Analyzer[], options: AnalyzeOptions = {}): Finding[] {
  return runAnalyzersDetailed(ctx, analyzers, options).findings;
}

export function runAnalyzersDetailed(ctx: AnalyzerContext, analyzers: Analyzer[], options: AnalyzeOptions = {}): AnalysisResult {
  const findings: Finding[] = [];
  for (const analyzer of analyzers) {
    const severity = options.rules?.[analyzer.id] ?? analyzer.defaultSeverity;
    if (severity === 'off' || !hasNeeds(ctx, analyzer)) continue;
    for (const report of analyzer.analyze(ctx)) findings.push(toFinding(analyzer, report, severity, ctx));
  }
  if (!ctx.dockerfile) return { findings: findings.sort(compareFindings), suppressed: 0, pragmaProblems: [] };
  const pragmas = parsePragmas(ctx.dockerfile.text, ctx.dockerfile.parsed);
  const { kept, suppressed } = applyPragmas(findings, pragmas, ctx.dockerfile.path);
  const known = new Set(options.knownRules ?? analyzers.map((a) => a.id));
  return { findings: kept.sort(compareFindings), suppressed: suppressed.length, pragmaProblems: pragmaProblems(pragmas, known) };
}

/** Does the context hold everything the analyzer declares it needs? */
export function hasNeeds(ctx: AnalyzerContext, analyzer: Analyzer): boolean {
  return analyzer.needs.every((need) => {
    switch (need) {
      case 'dockerfile': return ctx.dockerfile !== undefined;
      case 'build': return ctx.build !== undefined;
      case 'context': return ctx.context !== undefined;
    }
  });
}

export function toFinding(analyzer: Analyzer, report: Report, severity: Severity, ctx: AnalyzerContext): Finding {
  const template = analyzer.messages[report.messageId];
  if (template === undefined) {
    throw new Error(`Analyzer ${analyzer.id} reported an unknown messageId '${report.messageId}'.`);
  }
  const finding: Finding = {
    rule: analyzer.id,
    severity,
    message: fillTemplate(template, report.data),
    file: report.file === 'dockerignore' ? ctx.context?.dockerignore?.path ?? null : ctx.dockerfile?.path ?? null,
    line: report.line,
  };
  if (report.suggestion !== undefined) {
    const suggestion = analyzer.messages[report.suggestion];
    finding.suggestion = suggestion !== undefined ? fillTemplate(suggestion, report.data) : report.suggestion;
  }
  if (report.fix !== undefined) finding.fix = report.fix;
  if (report.costMs !== undefined) finding.costMs = report.costMs;
  if (report.costSteps !== undefined && report.costMs !== undefined) finding.costSteps = [...report.costSteps];
  return finding;
}

/** Replace `{{name}}` with data values; a placeholder without a value stays as it is. */
export function fillTemplate(template: string, data: Record<string, string | number> = {}): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) =>
    Object.hasOwn(data, name) ? String(data[name]) : whole,
  );
}

const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Costliest first (findings without a cost last), then error > warning > info, then file and line. */
export function compareFindings(a: Finding, b: Finding): number {
  const ca = a.costMs ?? -1;
  const cb = b.costMs ?? -1;
  if (ca !== cb) return cb - ca;
  if (a.severity !== b.severity) return SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity];
  if (a.file !== b.file) {
    if (a.file === null) return 1;
    if (b.file === null) return -1;
    return a.file < b.file ? -1 : 1;
  }
  if (a.line !== b.line) {
    if (a.line === null) return 1;
    if (b.line === null) return -1;
    return a.line - b.line;
  }
  return 0;
}

/**
 * Apply a fix's line edits to a text. Edits address the original lines and are applied bottom-up;
 * overlapping edits (or two insertions at the same place) are refused with an error. Line endings
 * (LF or CRLF) and a final newline are kept.
 */
export function applyFix(text: string, fix: Fix): string {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const finalNewline = text.endsWith('\n');
  const lines = text === '' ? [] : (finalNewline ? text.slice(0, -eol.length) : text).split(/\r?\n/);

  // Each edit covers the line boundaries [lo, hi]: lines startLine..endLine sit between boundary
  // startLine-1 and boundary endLine; an insertion before line N is the single boundary N-1.
  const spans = fix.edits.map((e) => {
    if (!Number.isInteger(e.startLine) || !Number.isInteger(e.endLine) || e.startLine < 1 || e.endLine < e.startLine - 1 || e.endLine > lines.length) {
      throw new Error(`Edit of lines ${e.startLine}..${e.endLine} is outside the file (${lines.length} lines).`);
    }
    return { lo: e.startLine - 1, hi: e.endLine, edit: e };
  });
  for (let i = 0; i < spans.length; i++) {
    for (let j = i + 1; j < spans.length; j++) {
      const a = spans[i]!;
      const b = spans[j]!;
      const point = (s: typeof a) => s.lo === s.hi;
      const overlap =
        Math.max(a.lo, b.lo) < Math.min(a.hi, b.hi) ||
        (point(a) && point(b) && a.lo === b.lo) ||
        (point(a) && b.lo < a.lo && a.lo < b.hi) ||
        (point(b) && a.lo < b.lo && b.lo < a.hi);
      if (overlap) {
        throw new Error(`Overlapping edits: lines ${a.edit.startLine}..${a.edit.endLine} and ${b.edit.startLine}..${b.edit.endLine}.`);
      }
    }
  }
  // Bottom-up; at the same boundary the replacement below goes first, then the insertion above it.
  spans.sort((a, b) => b.lo - a.lo || b.hi - a.hi);
  for (const s of spans) {
    const replacement = s.edit.text === '' ? [] : s.edit.text.split(/\r?\n/);
    lines.splice(s.lo, s.hi - s.lo, ...replacement);
  }
  const out = lines.join(eol);
  return finalNewline && lines.length > 0 ? out + eol : out;
}
