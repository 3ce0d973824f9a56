// GitHub Actions workflow commands (`::warning file=…,line=…,title=…::message`) that show findings
// as annotations on the pull request's files. Pure: findings in, lines out.
//
// The runner reads workflow commands from a step's stdout and from its stderr alike (actions/runner,
// src/Runner.Worker/Handlers/ScriptHandler.cs hands both streams to the ActionCommandManager), so
// `build`, whose stdout belongs to docker, prints them on stderr; the other commands on stdout.
//
// Escaping follows @actions/core (toolkit packages/core/src/command.ts), which the runner undoes:
// in the message `%`, CR and LF become %25, %0D, %0A; in a property also `:` and `,` become %3A and
// %2C. So no text from a Dockerfile, a path or a log can end the line and start a command of its
// own (`::add-mask::`, `::stop-commands::`), nor add a property.
import { stripControl } from '../markdown.js';
import type { Severity } from '../model.js';

export interface AnnotationFinding {
  rule: string;
  severity: Severity;
  message: string;
  file: string | null;
  line: number | null;
  suggestion?: string | null;
  fix?: { description: string } | null;
}

const COMMAND: Record<Severity, 'error' | 'warning' | 'notice'> = { error: 'error', warning: 'warning', info: 'notice' };

/** The data (message) part of a workflow command. */
export function escapeCommandData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A property value (`file=`, `title=`) of a workflow command. */
export function escapeCommandProperty(text: string): string {
  return escapeCommandData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** Control characters and ANSI sequences out; line breaks kept (they are escaped, not dropped). */
function clean(text: string): string {
  return stripControl(text).replace(/\r\n|\u2028|\u2029/g, '\n').replace(/\t/g, ' ');
}

/** One workflow command line (no line break). */
export function workflowCommand(command: string, properties: Record<string, string | number | null | undefined>, message: string): string {
  const props = Object.entries(properties)
    .filter(([, v]) => v !== null && v !== undefined && v !== '')
    .map(([k, v]) => `${k}=${escapeCommandProperty(clean(String(v)))}`)
    .join(',');
  return `::${command}${props ? ' ' + props : ''}::${escapeCommandData(clean(message))}`;
}

export interface AnnotationOptions {
  /** The file a finding without one points at (the Dockerfile of the build), when known. */
  defaultFile?: string | null;
}

/**
 * One line per finding: errors as `::error`, warnings as `::warning`, info as `::notice`, titled
 * `buildlens <rule>`, located at the finding's file and line; the suggestion or fix follows the
 * message. '' when there are no findings. (GitHub shows at most 10 errors and 10 warnings per step.)
 */
export function renderAnnotations(findings: readonly AnnotationFinding[], options: AnnotationOptions = {}): string {
  const lines = findings.map((f) => {
    const file = f.file ?? options.defaultFile ?? null;
    const extra = f.fix ? `Fix: ${f.fix.description}` : f.suggestion ? f.suggestion : '';
    const message = extra ? `${f.message}\n${extra}` : f.message;
    return workflowCommand(COMMAND[f.severity], { file: file?.replace(/\\/g, '/'), line: file !== null ? f.line : null, title: `buildlens ${f.rule}` }, message);
  });
  return lines.length === 0 ? '' : lines.join('\n') + '\n';
}
