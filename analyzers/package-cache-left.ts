// A package manager's cache or index left in a layer of the image: apt lists, the apk cache, pip's
// and npm's download caches. Layers only add, so a clean-up in a later RUN hides the files but does
// not shrink the image; it has to happen in the RUN that wrote them (or the cache has to live in a
// `--mount=type=cache`, which never enters a layer). See docs/rules/package-cache-left.md.
import type { Analyzer, AnalyzerContext, Report } from './types.js';
import type { Fix } from '../src/core/model.js';
import type { Dockerfile, Instruction, Stage } from '../src/core/dockerfile.js';
import { aptSubcommand, shellCommands } from './apt-update-alone.js';
import { ecosystemTable, installEcosystem, startsWithCommand, type EcosystemOverrides } from '../src/core/ecosystems.js';
import { costOfSteps, stepsAtLine } from '../src/core/cost.js';

interface Manager {
  /** What it leaves, for the message. */
  what: string;
  /** The remedy, for the message. */
  remedy: string;
  /** Does this command leave the cache behind? */
  leaves(command: string): boolean;
  /** Does this command remove it? */
  cleans(command: string): boolean;
  /** A cache or tmpfs mount whose target contains one of these keeps it out of the layer. */
  mounts: string[];
  /** Set in the environment (ENV or a `VAR=` prefix), it turns the cache off. */
  env?: string;
  /** The mechanical fix for one RUN's source lines, or undefined when there is none. */
  fix(source: string[], ins: Instruction, escapeChar: string): string[] | undefined;
}

const APT_LISTS = 'rm -rf /var/lib/apt/lists/*';
const APK_CACHE = 'rm -rf /var/cache/apk/*';
const NPM_CLEAN = 'npm cache clean --force';

const MANAGERS: Record<string, Manager> = {
  apt: {
    what: 'the apt package lists (/var/lib/apt/lists, tens of MB)',
    remedy: `End the RUN with \`&& ${APT_LISTS}\``,
    leaves: (c) => aptSubcommand(c) === 'update',
    cleans: (c) => tool(c) === 'rm' && /\/var\/lib\/apt(\/lists)?\/?(\*|\s|$)/.test(c),
    mounts: ['/var/lib/apt'],
    fix: (source, ins, esc) => appendCommand(source, ins, esc, APT_LISTS),
  },
  apk: {
    what: 'the apk index and package cache (/var/cache/apk)',
    remedy: 'Use `apk add --no-cache`',
    leaves: (c) => tool(c) === 'apk' && (subcommand(c) === 'update' || (subcommand(c) === 'add' && !/ --no-cache( |$)/.test(c))),
    cleans: (c) => (tool(c) === 'rm' && c.includes('/var/cache/apk')) || /^apk cache (clean|purge)/.test(afterWrappers(c)),
    mounts: ['/var/cache/apk', '/etc/apk/cache'],
    fix: (source, ins, esc) =>
      shellCommands(ins).some((c) => tool(c) === 'apk' && subcommand(c) === 'update')
        ? appendCommand(source, ins, esc, APK_CACHE)
        : addFlag(source, /\b(apk(?:\s+-{1,2}[\w-]+)*\s+add)\b(?![^&;|\n]*--no-cache\b)/g, '--no-cache'),
  },
  pip: {
    what: "pip's download and wheel cache (~/.cache/pip)",
    remedy: 'Use `pip install --no-cache-dir`',
    leaves: (c) => isPip(c) && !/ --no-cache-dir( |$)/.test(c),
    cleans: (c) => /^(pip3?|python3?(\.\d+)? -m pip) cache (purge|remove)/.test(afterWrappers(c)) || (tool(c) === 'rm' && c.includes('.cache/pip')),
    mounts: ['.cache/pip', '/root/.cache'],
    env: 'PIP_NO_CACHE_DIR',
    fix: (source) =>
      addFlag(source, /\b((?:pip(?:3(?:\.\d+)?)?|python(?:3(?:\.\d+)?)?\s+-m\s+pip)\s+install)\b(?![^&;|\n]*--no-cache-dir\b)/g, '--no-cache-dir'),
  },
  npm: {
    what: "npm's download cache (~/.npm)",
    remedy: `End the RUN with \`&& ${NPM_CLEAN}\``,
    leaves: (c) => tool(c) === 'npm' && ['ci', 'install', 'i', 'it', 'install-ci-test', 'add'].includes(subcommand(c) ?? ''),
    cleans: (c) => /^npm cache clean/.test(afterWrappers(c)) || (tool(c) === 'rm' && /\.npm(\/|\s|$)/.test(c)),
    mounts: ['.npm'],
    fix: (source, ins, esc) => appendCommand(source, ins, esc, NPM_CLEAN),
  },
};

export const packageCacheLeft: Analyzer = {
  id: 'package-cache-left',
  description: "A package manager's cache or index left in an image layer (apt lists, apk, pip, npm caches).",
  defaultSeverity: 'info',
  messages: {
    left: '`{{command}}` leaves {{what}} in this layer of the image. {{remedy}} in the same RUN, or keep it in a cache mount.',
    removedLater:
      '`{{command}}` leaves {{what}} in this layer of the image; the clean-up on line {{cleanLine}} runs in a later RUN, which hides the files but cannot shrink this layer. {{remedy}} in the same RUN.',
    laterNeedsLists:
      '`{{command}}` leaves {{what}} in this layer of the image, and the RUN on line {{needLine}} installs from them without its own `apt-get update`. Update and install in the same RUN there, then remove the lists in each.',
  },
  needs: ['dockerfile'],
  analyze(ctx: AnalyzerContext): Report[] {
    const df = ctx.dockerfile;
    if (!df) return [];
    const lines = df.text.split(/\r\n|\r|\n/);
    const reports: Report[] = [];
    const managers = withOverrides(ctx.ecosystems);
    const chain = imageStages(df.parsed, ctx.context?.target);
    const runs = chain.flatMap((s) => s.instructions);
    runs.forEach((ins, i) => {
      if (ins.keyword !== 'RUN') return;
      const commands = shellCommands(ins);
      const before = runs.slice(0, i);
      const later = runs.slice(i + 1).filter((l) => l.keyword === 'RUN');
      for (const [name, m] of Object.entries(managers)) {
        const command = commands.find((c) => m.leaves(c));
        if (command === undefined) continue;
        // apt: an update alone is apt-update-alone's; lists are reported on the RUN that also installs.
        if (name === 'apt' && !commands.some((c) => aptSubcommand(c) === 'install')) continue;
        if (commands.some((c) => m.cleans(c)) || mounted(ins, m.mounts)) continue;
        if (m.env && (ins.args.includes(m.env) || before.some((b) => b.keyword === 'ENV' && b.args.includes(m.env!)))) continue;
        const data: Record<string, string | number> = { command: shorten(command), what: m.what, remedy: m.remedy };
        const cleanLater = later.find((l) => shellCommands(l).some((c) => m.cleans(c)));
        const needsLists = name === 'apt' ? later.find(installsWithoutUpdate) : undefined;
        let report: Report;
        if (needsLists) report = { messageId: 'laterNeedsLists', data: { ...data, needLine: needsLists.line }, line: ins.line };
        else if (cleanLater) report = { messageId: 'removedLater', data: { ...data, cleanLine: cleanLater.line }, line: ins.line };
        else report = { messageId: 'left', data, line: ins.line };
        if (!needsLists) {
          const fix = runFix(ins, lines, df.parsed.escapeChar, m);
          if (fix) report.fix = fix;
        }
        // A size rule: what is at stake is the time of the step that writes the cache (and the layer).
        if (ctx.build) Object.assign(report, costOfSteps(stepsAtLine(ctx.build, ins.line)));
        reports.push(report);
      }
    });
    return reports;
  },
};

/**
 * The managers with the config's ecosystem overrides: its cache paths count as mounted or cleaned
 * where they are, and its install commands leave the cache too. An ecosystem with cache paths that
 * has no manager here (yarn, a custom one) gets one: its installs leave those paths.
 */
function withOverrides(overrides: EcosystemOverrides | undefined): Record<string, Manager> {
  if (!overrides) return MANAGERS;
  const table = ecosystemTable(overrides);
  const out: Record<string, Manager> = { ...MANAGERS };
  for (const [id, o] of Object.entries(overrides)) {
    const paths = o.cachePaths ?? [];
    const commands = o.installCommands ?? [];
    const removes = (c: string) => tool(c) === 'rm' && paths.some((p) => c.includes(p.replace(/\/+$/, '')));
    const base = MANAGERS[id];
    if (base) {
      out[id] = {
        ...base,
        leaves: (c) => base.leaves(c) || (commands.length > 0 && startsWithCommand(c, commands)),
        cleans: (c) => base.cleans(c) || removes(c),
        mounts: [...base.mounts, ...paths],
      };
    } else if (paths.length > 0) {
      const clean = `rm -rf ${paths.join(' ')}`;
      out[id] = {
        what: `${id}'s cache (${paths.join(', ')})`,
        remedy: `Remove it (\`${clean}\`)`,
        leaves: (c) => installEcosystem(c, table)?.id === id,
        cleans: removes,
        mounts: paths,
        fix: (source, ins, esc) => appendCommand(source, ins, esc, clean),
      };
    }
  }
  return out;
}

/** The stages whose layers end up in the image: the target (or last) stage and the stages it is built FROM. */
export function imageStages(df: Dockerfile, target?: string): Stage[] {
  const byName = new Map(df.stages.filter((s) => s.name).map((s) => [s.name!.toLowerCase(), s]));
  let stage = target !== undefined ? byName.get(target.toLowerCase()) : df.stages[df.stages.length - 1];
  const chain: Stage[] = [];
  while (stage && !chain.includes(stage)) {
    chain.unshift(stage);
    const base = byName.get(stage.baseImage.toLowerCase());
    stage = base && base.index < stage.index ? base : undefined;
  }
  return chain;
}

function runFix(ins: Instruction, lines: string[], escapeChar: string, m: Manager): Fix | undefined {
  if (ins.jsonForm || ins.heredocs) return undefined;
  const source = lines.slice(ins.line - 1, ins.endLine);
  const text = m.fix(source, ins, escapeChar);
  if (!text) return undefined;
  return {
    description: `Clean up in the same RUN (line ${ins.line}).`,
    edits: [{ startLine: ins.line, endLine: ins.endLine, text: text.join('\n') }],
  };
}

/**
 * Append `&& command` to the RUN: on its line when it is one line, else on a continuation line of
 * its own indented like the last one. None when the last line ends in a comment or an operator.
 */
function appendCommand(source: string[], _ins: Instruction, escapeChar: string, command: string): string[] | undefined {
  const last = source[source.length - 1];
  if (last === undefined || /(^|\s)#/.test(source.length === 1 ? last.replace(/^\s*\S+/, '') : last)) return undefined;
  const trimmed = last.replace(/\s+$/, '');
  if (/(&&|\|\||[;|&(]|\\|`)$/.test(trimmed) || trimmed.endsWith(escapeChar)) return undefined;
  if (!endsOnScript(source)) return undefined;
  if (source.length === 1) return [`${trimmed} && ${command}`];
  const indent = /^\s*/.exec(last)?.[0] ?? '';
  return [...source.slice(0, -1), `${trimmed} && ${escapeChar}`, `${indent}${command}`];
}

/** The last source line carries the end of the shell script (not a comment line inside a continuation). */
function endsOnScript(source: string[]): boolean {
  const last = source[source.length - 1] ?? '';
  return last.trim() !== '' && !last.trimStart().startsWith('#');
}

function addFlag(source: string[], pattern: RegExp, flag: string): string[] | undefined {
  const out = source.map((l) => l.replace(pattern, `$1 ${flag}`));
  return out.some((l, i) => l !== source[i]) ? out : undefined;
}

function mounted(ins: Instruction, fragments: string[]): boolean {
  return (ins.flags['mount'] ?? []).some((spec) => {
    const opts = Object.fromEntries(spec.split(',').map((kv) => [kv.split('=')[0] ?? '', kv.slice(kv.indexOf('=') + 1)]));
    const type = opts['type'];
    const target = opts['target'] ?? opts['dst'] ?? opts['destination'] ?? '';
    return (type === 'cache' || type === 'tmpfs') && fragments.some((f) => target.includes(f) || f.startsWith(`${target.replace(/\/+$/, '')}/`));
  });
}

function installsWithoutUpdate(ins: Instruction): boolean {
  const commands = shellCommands(ins);
  const subs = commands.map(aptSubcommand);
  const use = commands.findIndex((c, k) => ['install', 'source', 'build-dep', 'download'].includes(subs[k] ?? '') || tool(c) === 'apt-cache');
  return use >= 0 && !subs.slice(0, use).includes('update') && !mounted(ins, ['/var/lib/apt']);
}

const WRAPPERS = new Set(['sudo', 'env', 'time', 'exec', 'command', 'nice', 'nohup']);

function afterWrappers(command: string): string {
  const words = command.split(' ');
  let i = 0;
  while (i < words.length && (WRAPPERS.has(words[i]!) || /^[A-Za-z_]\w*=/.test(words[i]!))) i++;
  return words.slice(i).join(' ');
}

function tool(command: string): string {
  return (afterWrappers(command).split(' ')[0] ?? '').replace(/^.*\//, '');
}

function subcommand(command: string): string | undefined {
  return afterWrappers(command).split(' ').slice(1).find((w) => !w.startsWith('-'));
}

function isPip(command: string): boolean {
  return /^(\S*\/)?(pip(3(\.\d+)?)?|python(3(\.\d+)?)? -m pip)( -\S+)* install( |$)/.test(afterWrappers(command));
}

function shorten(command: string): string {
  return command.length > 60 ? `${command.slice(0, 59)}…` : command;
}
