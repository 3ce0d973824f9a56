// `RUN apt-get update` in a RUN of its own. BuildKit caches a RUN by its command text and never looks
// at the files it produced, so that layer, and the package index in it, is reused for as long as
// the cache lives; an `apt-get install` in a later RUN then installs from a stale index (old
// versions, or 404s once the mirror has moved on). Docker's guidance: update and install in one RUN.
// See docs/rules/apt-update-alone.md.
import type { Analyzer, AnalyzerContext, Report } from './types.js';
import type { Fix } from '../src/core/model.js';
import { instructionBody, type Instruction } from '../src/core/dockerfile.js';

export const aptUpdateAlone: Analyzer = {
  id: 'apt-update-alone',
  description: 'apt-get update in a RUN without an install: its cached layer keeps a stale package index.',
  defaultSeverity: 'warning',
  messages: {
    beforeInstall:
      '`{{command}}` runs in a RUN of its own: that layer stays cached, so the `apt-get install` on line {{installLine}} installs from a stale package index. Update and install in the same RUN.',
    alone:
      '`{{command}}` runs in a RUN without an install: that layer stays cached, so any later install uses a stale package index. Update and install in the same RUN.',
  },
  needs: ['dockerfile'],
  analyze(ctx: AnalyzerContext): Report[] {
    const df = ctx.dockerfile;
    if (!df) return [];
    const reports: Report[] = [];
    for (const stage of df.parsed.stages) {
      stage.instructions.forEach((ins, i) => {
        if (ins.keyword !== 'RUN') return;
        const commands = shellCommands(ins);
        const update = commands.find((c) => aptSubcommand(c) === 'update');
        if (!update || commands.some((c) => aptSubcommand(c) === 'install')) return;
        const laterInstall = stage.instructions
          .slice(i + 1)
          .find((later) => later.keyword === 'RUN' && shellCommands(later).some((c) => aptSubcommand(c) === 'install'));
        const report: Report = laterInstall
          ? { messageId: 'beforeInstall', data: { command: update, installLine: laterInstall.line }, line: ins.line }
          : { messageId: 'alone', data: { command: update }, line: ins.line };
        const next = stage.instructions[i + 1];
        const fix = next ? mergeFix(ins, commands, next, df.text, df.parsed.escapeChar) : undefined;
        if (fix) report.fix = fix;
        reports.push(report);
      });
    }
    return reports;
  },
};

/**
 * Merge `RUN apt-get update` into the very next instruction when that is a plain `RUN apt-get
 * install …`: the update RUN goes, and the install RUN starts with `apt-get update && \`. Only when
 * neither RUN has flags, heredocs or exec form, and the update RUN does nothing else.
 */
function mergeFix(update: Instruction, commands: string[], next: Instruction, text: string, escapeChar: string): Fix | undefined {
  const plain = (ins: Instruction) => ins.keyword === 'RUN' && Object.keys(ins.flags).length === 0 && !ins.jsonForm && !ins.heredocs;
  if (!plain(update) || !plain(next) || commands.length !== 1) return undefined;
  const first = shellCommands(next)[0];
  if (first === undefined || aptSubcommand(first) !== 'install') return undefined;

  const lines = text.split(/\r\n|\r|\n/);
  const m = /^(\s*)(\S+)\s*(.*)$/.exec(lines[next.line - 1] ?? '');
  if (!m) return undefined;
  const [, indent = '', keyword = 'RUN', rest = ''] = m;
  const head = `${indent}${keyword} ${update.args} && ${escapeChar}`;
  const merged = rest.trim() === escapeChar ? head : `${head}\n${indent}    ${rest}`;
  return {
    description: `Merge \`${update.text}\` into the \`apt-get install\` RUN on line ${next.line}.`,
    edits: [
      { startLine: update.line, endLine: update.endLine, text: '' },
      { startLine: next.line, endLine: next.line, text: merged },
    ],
  };
}

/** The shell script a RUN runs, unsplit: its body, the `sh -c` argument of an exec form, or a `RUN <<EOF` heredoc. */
export function runScript(ins: Instruction): string {
  const body = instructionBody(ins);
  let script = body;
  if (ins.jsonForm) {
    const argv = JSON.parse(body) as string[];
    const c = argv.indexOf('-c');
    script = /(^|\/)(ba|da|a)?sh$/.test(argv[0] ?? '') && c >= 0 ? argv[c + 1] ?? '' : argv.join(' ');
  } else if (ins.heredocs && /^<<-?\s*["']?[\w.-]+["']?(\s+(\/bin\/)?(ba|da|a)?sh\b.*)?$/.test(body)) {
    // `RUN <<EOF` (optionally `<<EOF bash`): the heredoc is the script. Elsewhere a heredoc is data.
    script = ins.heredocBodies?.[0] ?? '';
  }
  return script;
}

/** The simple commands a RUN runs, roughly: its shell script split on `&&`, `||`, `;`, `|`, newlines. */
export function shellCommands(ins: Instruction): string[] {
  return runScript(ins)
    .replace(/\\\n/g, ' ')
    .split(/&&|\|\||[;|&\n()]/)
    .map((s) => s.replace(/\s+/g, ' ').trim())
    .filter(Boolean);
}

const WRAPPERS = new Set(['sudo', 'env', 'time', 'exec', 'command', 'nice', 'nohup']);
const OPTIONS_WITH_VALUE = new Set(['-o', '-c', '-t', '--option', '--config-file', '--target-release']);

/** `apt-get -q update` → 'update'; null when the command is not apt-get or apt. */
export function aptSubcommand(command: string): string | null {
  const words = command.split(' ');
  let i = 0;
  while (i < words.length && (WRAPPERS.has(words[i]!) || /^[A-Za-z_]\w*=/.test(words[i]!) || (i > 0 && WRAPPERS.has(words[i - 1]!) && words[i]!.startsWith('-')))) i++;
  const tool = (words[i] ?? '').replace(/^.*\//, '');
  if (tool !== 'apt-get' && tool !== 'apt') return null;
  for (i++; i < words.length; i++) {
    const w = words[i]!;
    if (OPTIONS_WITH_VALUE.has(w)) i++;
    else if (!w.startsWith('-')) return w;
  }
  return null;
}
