// A dependency install (npm, yarn, pnpm, pip, poetry, uv, go, cargo, maven, gradle, apt, apk, …)
// without a `RUN --mount=type=cache` on its download cache. Whenever the step re-runs (anything above
// it changed, or `--no-cache`), it downloads every dependency again; a cache mount keeps the tool's
// cache on the builder between builds without putting it in a layer. It needs BuildKit and changes
// what the layer holds, so it is a suggestion. See docs/rules/missing-cache-mount.md.
import type { Analyzer, AnalyzerContext, Report } from './types.js';
import type { Dockerfile, Instruction, Stage } from '../src/core/dockerfile.js';
import { cacheMounts, commandWords, ecosystemTable, installEcosystem, userEnvAt, type CacheMount, type Ecosystem, type EcosystemId, type UserEnv } from '../src/core/ecosystems.js';
import { stepCostMs } from '../src/core/cost.js';
import { fillTemplate } from '../src/core/analyze.js';
import { shellCommands } from './apt-update-alone.js';

/** The ecosystems this rule covers; bundler and .NET install into the directory a mount would hide. */
const COVERED = new Set<EcosystemId>(['npm', 'yarn', 'pnpm', 'bun', 'pip', 'pipenv', 'poetry', 'uv', 'go', 'cargo', 'maven', 'gradle', 'composer', 'apt', 'apk', 'dnf']);

/** Fragments of a cache-mount target that mean "this ecosystem's cache is mounted" (hadolint's heuristic). */
const FRAGMENTS: Partial<Record<EcosystemId, string[]>> = {
  npm: ['.npm'], yarn: ['yarn'], pnpm: ['pnpm'], bun: ['bun'], pip: ['pip'], pipenv: ['pipenv', 'pip'], poetry: ['pypoetry', 'poetry'],
  uv: ['uv'], go: ['go-build', 'pkg/mod'], cargo: ['cargo'], maven: ['.m2'], gradle: ['gradle'], composer: ['composer'],
  apt: ['/var/cache/apt', '/var/lib/apt'], apk: ['apk'], dnf: ['dnf', 'yum'],
};

/** Flags that switch the tool's cache off: with a mount they would keep it unused. */
const NO_CACHE_FLAGS: Partial<Record<EcosystemId, string>> = { pip: '--no-cache-dir', apk: '--no-cache', uv: '--no-cache', poetry: '--no-cache', bun: '--no-cache' };
/** Environment variables that switch it off. */
const NO_CACHE_ENV: Partial<Record<EcosystemId, string>> = { pip: 'PIP_NO_CACHE_DIR', uv: 'UV_NO_CACHE' };
/** Clean-up commands that would empty the mounted cache on every run. */
const CLEANERS: Partial<Record<EcosystemId, RegExp>> = {
  npm: /^npm cache clean\b/, yarn: /^yarn cache clean\b/, pnpm: /^pnpm store prune\b/, pip: /^pip cache (purge|remove)\b/,
  uv: /^uv cache (clean|prune)\b/, go: /^go clean\b.*-(mod)?cache\b/, composer: /^composer clear-cache\b/,
  apt: /^(apt-get|apt) clean\b|^rm .*\/var\/lib\/apt\/lists/, apk: /^apk cache (clean|purge)\b/, dnf: /^(dnf5?|yum) clean\b/,
};

interface Need {
  ecosystem: EcosystemId;
  command: string;
  mounts: CacheMount[];
  /** What would keep the mounted cache unused or empty it: a flag, a variable, or a command of the RUN. */
  drop: Array<{ kind: 'flag' | 'env' | 'command'; text: string }>;
}

export const missingCacheMount: Analyzer = {
  id: 'missing-cache-mount',
  description: 'A dependency install without a BuildKit cache mount: every re-run downloads everything again.',
  defaultSeverity: 'info',
  messages: {
    noCacheMount:
      '`{{command}}` {{what}} whenever this step re-runs (a change above it, a new base image, `--no-cache`): nothing keeps {{ecosystems}} cache ({{targets}}) between builds. A BuildKit cache mount keeps it on the builder, out of the image.',
    mount: 'Mount the cache (needs BuildKit; a suggestion, not a fix):\n{{line}}{{notes}}',
    // Notes of the suggestion, one per line.
    noteAptLocked: 'apt needs `sharing=locked`: it locks its cache, and two builds sharing it at once would clash.',
    noteAptDockerClean:
      "The Debian and Ubuntu images' `/etc/apt/apt.conf.d/docker-clean` hook deletes every downloaded package after the install, so the cache stays empty: remove it in an earlier RUN: `RUN rm -f /etc/apt/apt.conf.d/docker-clean && echo 'Binary::apt::APT::Keep-Downloaded-Packages \"true\";' > /etc/apt/apt.conf.d/keep-cache`.",
    noteApk: 'apk keeps downloaded packages only when /etc/apk/cache exists: `ln -s /var/cache/apk /etc/apk/cache` in an earlier RUN.',
    noteDnf: 'dnf keeps downloaded packages only with `--setopt=keepcache=1` (or `keepcache=True` in dnf.conf).',
    noteUv: 'Set `ENV UV_LINK_MODE=copy`: the mount is another filesystem, so uv cannot hard-link from it.',
    noteHoldsInstalled:
      '{{targets}} holds the downloaded dependencies themselves: mounted, they are not in the layer, so mount the same target on every later RUN that reads them (the same target is the same cache) and copy only the build output into the image.',
    noteHoldInstalled:
      '{{targets}} hold the downloaded dependencies themselves: mounted, they are not in the layer, so mount the same target on every later RUN that reads them (the same target is the same cache) and copy only the build output into the image.',
    noteLeftOut: 'The line above leaves out {{what}}: with the mount it would keep the cache unused or empty it every build.',
    noteDrop: 'Drop {{what}} from this RUN: with the mount it would keep the cache unused or empty it every build.',
    noteUnset: 'Unset {{what}} (an ENV, or a prefix of the command) for this RUN: it turns the cache off.',
    noteUser: 'The mount is owned by root: add `uid=`/`gid=` of `{{user}}` (`id -u {{user}}`) to the mount so `{{user}}` can write it.',
  },
  needs: ['dockerfile'],
  analyze(ctx: AnalyzerContext): Report[] {
    const df = ctx.dockerfile;
    if (!df) return [];
    const lines = df.text.split(/\r\n|\r|\n/);
    const reports: Report[] = [];
    const table = ecosystemTable(ctx.ecosystems);
    for (const stage of df.parsed.stages) {
      const base = rootImage(df.parsed, stage);
      for (const ins of stage.instructions) {
        if (ins.keyword !== 'RUN') continue;
        const needs = installsWithoutMount(df.parsed, ins, base, table);
        if (needs.length === 0) continue;
        const mounts = needs.flatMap((n) => n.mounts);
        const u = userEnvAt(df.parsed, ins.line);
        const flags = mounts.map((m) => mountFlag(m, u)).join(' ');
        const shown = withFlags(lines, ins, flags, needs.flatMap((n) => n.drop));
        const notes = [...new Set(needs.flatMap((n) => notesFor(n, u, df.text, shown.removed)))];
        const report: Report = {
          messageId: 'noCacheMount',
          data: {
            command: shorten(needs[0]!.command.replace(/\s+#.*$/, '')),
            what: whatItRedoes(needs[0]!),
            ecosystems: needs.map((n) => `${n.ecosystem}'s`).join(' and '),
            targets: mounts.map((m) => m.target).join(', '),
            line: shown.line,
            notes: notes.map((n) => `\n- ${n}`).join(''),
          },
          line: ins.line,
          suggestion: 'mount',
        };
        if (ctx.build) {
          const cost = stepCostMs(ctx.build, ins.line);
          if (cost !== null) report.costMs = cost;
        }
        reports.push(report);
      }
    }
    return reports;
  },
};

/** The installs of a RUN whose ecosystem has no cache mount on it, one per ecosystem. */
function installsWithoutMount(df: Dockerfile, ins: Instruction, base: string, table: readonly Ecosystem[]): Need[] {
  const out: Need[] = [];
  const commands = shellCommands(ins);
  for (const command of commands) {
    const eco = installEcosystem(command, table);
    // Ecosystems with cache paths in the config are covered too.
    if (!eco || !(COVERED.has(eco.id) || eco.cachePaths) || out.some((n) => n.ecosystem === eco.id)) continue;
    const u = userEnvAt(df, ins.line);
    const mounts = cacheMounts(eco.id, u, base, command, table);
    if (!mounts || mounts.length === 0) continue;
    if (mounted(ins, eco.id, mounts)) continue;
    out.push({ ecosystem: eco.id, command, mounts, drop: disablers(eco.id, command, commands, mounts, u) });
  }
  return out;
}

/** Does the RUN already carry a cache mount for this ecosystem? */
function mounted(ins: Instruction, eco: EcosystemId, mounts: CacheMount[]): boolean {
  return (ins.flags['mount'] ?? []).some((spec) => {
    const opts = mountOptions(spec);
    if ((opts['type'] ?? 'bind') !== 'cache') return false;
    const target = (opts['target'] ?? opts['dst'] ?? opts['destination'] ?? '').replace(/\/+$/, '');
    if (!target) return false;
    return mounts.some((m) => m.target === target || m.target.startsWith(`${target}/`)) || (FRAGMENTS[eco] ?? []).some((f) => target.includes(f));
  });
}

function mountOptions(spec: string): Record<string, string> {
  return Object.fromEntries(spec.split(',').map((kv) => {
    const eq = kv.indexOf('=');
    return eq < 0 ? [kv, ''] : [kv.slice(0, eq), kv.slice(eq + 1).replace(/^["']|["']$/g, '')];
  }));
}

/** What in this RUN (or the environment) would keep the mounted cache unused or empty it. */
function disablers(eco: EcosystemId, command: string, commands: string[], mounts: CacheMount[], u: UserEnv): Need['drop'] {
  const out: Need['drop'] = [];
  const flag = NO_CACHE_FLAGS[eco];
  if (flag && commandWords(command).includes(flag)) out.push({ kind: 'flag', text: flag });
  const env = NO_CACHE_ENV[eco];
  if (env && (u.env[env] !== undefined || new RegExp(`(^|\\s)${env}=`).test(command))) out.push({ kind: 'env', text: env });
  const cleaner = CLEANERS[eco];
  for (const c of commands) {
    const words = commandWords(c).join(' ');
    const removesTarget = /^rm\b/.test(words) && mounts.some((m) => words.includes(m.target));
    if ((cleaner && cleaner.test(words)) || removesTarget) out.push({ kind: 'command', text: c });
  }
  return out.filter((d, i) => out.findIndex((x) => x.text === d.text) === i);
}

/** The notes the suggestion carries: message keys of `messages` with their data, filled in here. */
function notesFor(n: Need, u: UserEnv, text: string, removed: Set<string>): string[] {
  const notes: Array<[string, Record<string, string>?]> = [];
  if (n.ecosystem === 'apt') {
    notes.push(['noteAptLocked']);
    if (!/docker-clean/.test(text)) notes.push(['noteAptDockerClean']);
  }
  if (n.ecosystem === 'apk' && !/\/etc\/apk\/cache/.test(text)) notes.push(['noteApk']);
  if (n.ecosystem === 'dnf' && !/keepcache/.test(text)) notes.push(['noteDnf']);
  if (n.ecosystem === 'uv' && u.env['UV_LINK_MODE'] === undefined) notes.push(['noteUv']);
  const installed = n.mounts.filter((m) => m.holdsInstalled);
  if (installed.length > 0) notes.push([installed.length === 1 ? 'noteHoldsInstalled' : 'noteHoldInstalled', { targets: installed.map((m) => m.target).join(' and ') }]);
  const quote = (ds: Need['drop']) => ds.map((d) => `\`${shorten(d.text)}\``).join(' and ');
  const left = n.drop.filter((d) => removed.has(d.text));
  const kept = n.drop.filter((d) => !removed.has(d.text) && d.kind !== 'env');
  const env = n.drop.filter((d) => d.kind === 'env');
  if (left.length > 0) notes.push(['noteLeftOut', { what: quote(left) }]);
  if (kept.length > 0) notes.push(['noteDrop', { what: quote(kept) }]);
  if (env.length > 0) notes.push(['noteUnset', { what: quote(env) }]);
  const user = u.user?.split(':')[0];
  if (user && user !== 'root' && user !== '0' && !/^\d+$/.test(user)) notes.push(['noteUser', { user }]);
  return notes.map(([key, data]) => fillTemplate(missingCacheMount.messages[key]!, data));
}

/** `--mount=type=cache,target=…[,sharing=locked][,uid=…,gid=…]`: a numeric USER gets its ids. */
function mountFlag(m: CacheMount, u: UserEnv): string {
  const [uid, gid] = (u.user ?? '').split(':');
  const ids = uid && /^\d+$/.test(uid) && uid !== '0' ? `,uid=${uid},gid=${gid && /^\d+$/.test(gid) ? gid : uid}` : '';
  return `--mount=type=cache,target=${m.target}${m.sharing ? `,sharing=${m.sharing}` : ''}${ids}`;
}

/**
 * The RUN's first source line with the mount flags after `RUN` (and its own flags), less the flags
 * and commands that would defeat the cache where they are on that line; `…` when the RUN goes on.
 */
function withFlags(lines: string[], ins: Instruction, flags: string, drop: Need['drop']): { line: string; removed: Set<string> } {
  const first = lines[ins.line - 1] ?? ins.text;
  const m = /^(\s*\S+)\s*(.*)$/.exec(first);
  let line = m ? `${m[1]} ${flags} ${m[2]}`.replace(/\s+$/, '') : `RUN ${flags} ${ins.args}`;
  const removed = new Set<string>();
  for (const d of drop) {
    const esc = d.text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const pattern =
      d.kind === 'flag' ? new RegExp(`\\s${esc}(?=\\s|$)`) : d.kind === 'command' ? new RegExp(`\\s*&&\\s*${esc}(?=\\s*($|&&|;|\\\\$))|${esc}\\s*&&\\s*`) : null;
    if (!pattern || !pattern.test(line)) continue;
    line = line.replace(pattern, '');
    removed.add(d.text);
  }
  return { line: ins.endLine > ins.line ? `${line}\n    …` : line, removed };
}

/** The image a stage is ultimately built FROM (through earlier stages). */
function rootImage(df: Dockerfile, stage: Stage): string {
  const seen = new Set<Stage>();
  let s: Stage | undefined = stage;
  while (s && !seen.has(s)) {
    seen.add(s);
    const base: string = s.baseImage.toLowerCase();
    const parent: Stage | undefined = df.stages.find((p) => p.index < s!.index && p.name?.toLowerCase() === base);
    if (!parent) return s.baseImage;
    s = parent;
  }
  return stage.baseImage;
}

/** What the install does again on every re-run without the cache, for the message. */
function whatItRedoes(n: Need): string {
  if (['apt', 'apk', 'dnf'].includes(n.ecosystem)) return 'downloads every package again';
  const verb = commandWords(n.command).slice(1).find((w) => !w.startsWith('-'));
  if (n.ecosystem === 'go' && ['build', 'install', 'test'].includes(verb ?? '')) return 'downloads every dependency and compiles it again';
  return 'downloads every dependency again';
}

function shorten(command: string): string {
  return command.length > 60 ? `${command.slice(0, 59)}…` : command;
}
