// `git clone` in a RUN. BuildKit caches the RUN on its command text (F3 in the rules catalogue), so
// the layer keeps the commit it cloned first and never sees a new one, until something above it
// changes and it re-clones the whole repository. `ADD <repo>.git#<ref>` lets BuildKit resolve the ref
// on every build (measured on the local engine: a new commit on the branch re-ran the ADD and what
// follows; an unchanged one stayed cached), or a pinned commit makes keeping it right.
// See docs/rules/git-clone-in-run.md.
import type { Analyzer, AnalyzerContext, Report } from './types.js';
import { commandWords } from '../src/core/ecosystems.js';
import { stepCostMs } from '../src/core/cost.js';
import { shellCommands } from './apt-update-alone.js';

/** `git clone` options that take a value as the next word. */
const WITH_VALUE = new Set(['-b', '--branch', '--depth', '-o', '--origin', '-c', '--config', '--reference', '--reference-if-able', '-j', '--jobs', '--separate-git-dir', '--template', '--shallow-since', '--shallow-exclude', '-u', '--upload-pack', '--filter', '--bundle-uri', '--server-option']);
/** A ref that pins: a commit id, a version tag, or a variable (an ARG the build sets). */
const PINNED_REF = /^([0-9a-f]{7,40}|v?\d+(\.\d+)+([-+.][\w.]+)?|\$\{?\w+\}?|["']\$\{?\w+\}?["'])$/;

interface Clone {
  command: string;
  url: string;
  branch: string | null;
  dir: string;
}

export const gitCloneInRun: Analyzer = {
  id: 'git-clone-in-run',
  description: 'git clone in a RUN: the cached layer never sees new commits, and any change above it re-clones everything.',
  defaultSeverity: 'warning',
  messages: {
    clone:
      '`{{command}}` clones {{ref}} in a RUN: BuildKit caches the RUN on its text, so this layer keeps the commit it cloned first and never sees a new one, until something above it changes and it re-clones the whole repository.',
    useAdd:
      'Let BuildKit fetch it: it resolves the ref on every build, re-runs what follows only when the commit changed, and needs no git in the image:\nADD {{source}} {{dir}}\nOr pin a commit (`ADD {{url}}#<commit> {{dir}}`, or `git checkout <commit>` in this RUN), so that keeping the cached layer is right.{{ssh}}',
    sshNote: 'An SSH URL needs the agent passed to the build: `docker build --ssh default …`.',
  },
  needs: ['dockerfile'],
  analyze(ctx: AnalyzerContext): Report[] {
    const df = ctx.dockerfile;
    if (!df) return [];
    const reports: Report[] = [];
    for (const ins of df.parsed.instructions) {
      if (ins.keyword !== 'RUN') continue;
      let commands: string[];
      try {
        commands = shellCommands(ins);
      } catch {
        continue;
      }
      let cwd: string | null = null;
      for (let i = 0; i < commands.length; i++) {
        const w = commandWords(commands[i]!);
        if (w[0] === 'cd' && w[1]) cwd = w[1].startsWith('/') ? w[1] : cwd ? `${cwd}/${w[1]}` : null;
        const clone = parseClone(commands[i]!, w);
        if (!clone) continue;
        if ((clone.branch && PINNED_REF.test(clone.branch)) || pinnedLater(commands.slice(i + 1))) continue;
        const url = clone.url.startsWith('http') && !/\.git\/?$/.test(clone.url) ? `${clone.url.replace(/\/+$/, '')}.git` : clone.url;
        const dir = cwd && !clone.dir.startsWith('/') ? `${cwd.replace(/\/+$/, '')}/${clone.dir}` : clone.dir;
        const report: Report = {
          messageId: 'clone',
          data: {
            command: shorten(clone.command),
            ref: clone.branch ? `branch \`${clone.branch}\`` : 'the default branch',
            source: clone.branch ? `${url}#${clone.branch}` : url,
            url,
            dir,
            ssh: /^(git@|ssh:\/\/)/.test(url) ? `\n${gitCloneInRun.messages['sshNote']}` : '',
          },
          line: ins.line,
          suggestion: 'useAdd',
        };
        if (ctx.build) {
          const cost = stepCostMs(ctx.build, ins.line);
          if (cost !== null) report.costMs = cost;
        }
        reports.push(report);
        break;
      }
    }
    return reports;
  },
};

function parseClone(command: string, w: string[]): Clone | null {
  if (w[0] !== 'git') return null;
  let i = 1;
  // `git -C dir -c k=v clone …`
  while (i < w.length && w[i]!.startsWith('-')) i += ['-C', '-c'].includes(w[i]!) ? 2 : 1;
  if (w[i] !== 'clone') return null;
  let branch: string | null = null;
  const positional: string[] = [];
  for (i++; i < w.length; i++) {
    const a = w[i]!;
    if (a === '-b' || a === '--branch') branch = w[++i] ?? null;
    else if (a.startsWith('--branch=')) branch = a.slice('--branch='.length);
    else if (WITH_VALUE.has(a)) i++;
    else if (a.startsWith('-')) continue;
    else positional.push(a.replace(/^["']|["']$/g, ''));
  }
  const url = positional[0];
  if (!url) return null;
  const dir = positional[1] ?? url.replace(/\/+$/, '').replace(/\.git$/, '').replace(/^.*[/:]/, '');
  return { command, url, branch, dir };
}

/** A later `git checkout <commit>`, `git reset --hard <commit>` or `git fetch … <commit>` pins the clone. */
function pinnedLater(commands: string[]): boolean {
  return commands.some((c) => {
    const w = commandWords(c);
    if (w[0] !== 'git') return false;
    let i = 1;
    while (i < w.length && w[i]!.startsWith('-')) i += ['-C', '-c'].includes(w[i]!) ? 2 : 1;
    const verb = w[i];
    if (!['checkout', 'reset', 'switch'].includes(verb ?? '')) return false;
    const refs = w.slice(i + 1).filter((a) => !a.startsWith('-'));
    return refs.some((r) => PINNED_REF.test(r.replace(/^(refs\/)?tags\//, '')));
  });
}

function shorten(command: string): string {
  return command.length > 80 ? `${command.slice(0, 79)}…` : command;
}
