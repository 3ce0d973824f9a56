// A broad COPY (`COPY . .`, or a directory of sources) before a dependency install in the same stage.
// BuildKit keys a COPY on the content of what it copies, so any source edit makes that COPY miss the
// cache, and every later step of the stage re-runs with it (F1, F2 in the rules catalogue): the
// install too, though the manifests it reads did not change. Copying the manifests first, installing,
// then copying the rest keeps the install cached until a manifest changes.
// See docs/rules/copy-before-install.md.
import type { Analyzer, AnalyzerContext, ContextFile, Report } from './types.js';
import type { Fix } from '../src/core/model.js';
import { instructionBody, type Instruction, type Stage } from '../src/core/dockerfile.js';
import { copySources, contextFacts } from '../src/core/context.js';
import { costOfSteps, invalidatedSteps } from '../src/core/cost.js';
import { ecosystem, ecosystemTable, includedRequirements, installNeeds, manifestProblems, type Ecosystem, type EcosystemId, type InstallNeeds } from '../src/core/ecosystems.js';
import { shellCommands } from './apt-update-alone.js';

/** Instructions that may sit between the broad COPY and the install when the fix moves the COPY below the install: none reads a file. */
const MOVABLE_ACROSS = new Set(['ENV', 'ARG', 'LABEL', 'EXPOSE']);
/** Simple commands that may share the install's RUN in a fixed Dockerfile: they read no source. */
const HARMLESS = /^(rm|echo|true|mkdir|set|npm cache|npm config|yarn cache|yarn config|pnpm store|pnpm config|pip cache|apt-get (update|clean)|apt (update|clean))\b/;
/** What an install writes into the working directory: if the context holds it too, the later COPY would overwrite the installed one. */
const INSTALL_OUTPUT: Partial<Record<EcosystemId, string>> = { npm: 'node_modules', yarn: 'node_modules', pnpm: 'node_modules', bun: 'node_modules', pipenv: '.venv', poetry: '.venv', uv: '.venv', bundler: 'vendor/bundle', composer: 'vendor' };
/** Directory names that hold sources, when the context is not known. */
const SOURCE_DIRS = /^(\.\/)?(src|app|lib|cmd|pkg|internal|source|sources|server|client|web|api)\/?$/;

interface InstallRun {
  ins: Instruction;
  installs: Array<{ command: string; needs: InstallNeeds }>;
  others: string[];
  /** The ecosystem table (with the config's overrides). */
  table: readonly Ecosystem[];
}

export const copyBeforeInstall: Analyzer = {
  id: 'copy-before-install',
  description: 'A COPY of the whole context (or a directory of sources) before a dependency install: every source edit re-runs the install.',
  defaultSeverity: 'warning',
  messages: {
    broadCopy:
      '`{{copy}}` copies {{what}} before `{{install}}` (line {{installLine}}): any edit to a copied file re-runs that step and every step after it, though the dependencies did not change; copy the manifests first, install the {{ecosystem}} dependencies, then copy the rest.',
    manifestsFirst: 'Copy the manifests first, install, then copy the rest:\n{{lines}}',
    needsSources: 'No safe reorder: {{reason}}. Give the dependencies a step of their own before `{{copy}}`:\n{{lines}}',
  },
  needs: ['dockerfile'],
  analyze(ctx: AnalyzerContext): Report[] {
    const df = ctx.dockerfile;
    if (!df) return [];
    const table = ecosystemTable(ctx.ecosystems);
    const facts = ctx.context ? contextFacts(ctx) : null;
    const files = facts ? facts.visible : null;
    const lines = df.text.split(/\r\n|\r|\n/);
    const reports: Report[] = [];
    for (const stage of df.parsed.stages) {
      const installedBefore = new Set<EcosystemId>();
      const broad: Array<{ ins: Instruction; what: string; whole: boolean }> = [];
      const reported = new Set<Instruction>();
      for (let i = 1; i < stage.instructions.length; i++) {
        const ins = stage.instructions[i]!;
        if (ins.keyword === 'COPY' || ins.keyword === 'ADD') {
          const what = broadness(ins, files);
          if (what) broad.push({ ins, ...what });
          continue;
        }
        if (ins.keyword !== 'RUN') continue;
        const run = installRun(ins, table);
        if (run.installs.length === 0) continue;
        const fresh = run.installs.filter((x) => !installedBefore.has(x.needs.ecosystem));
        if (broad.length === 0) {
          for (const x of run.installs) installedBefore.add(x.needs.ecosystem);
          continue;
        }
        const first = broad[0]!;
        if (fresh.length === 0 || reported.has(first.ins)) continue;
        reported.add(first.ins);
        const main = fresh[0]!;
        const report: Report = {
          messageId: 'broadCopy',
          data: {
            copy: first.ins.text,
            what: first.what,
            install: main.command,
            installLine: ins.line,
            ecosystem: main.needs.ecosystem,
          },
          line: first.ins.line,
        };
        if (ctx.build) Object.assign(report, costOfSteps(invalidatedSteps(ctx.build, df.parsed, ins.line)));
        proposeChange(report, { stage, copy: first, broadCount: broad.length, run, lines, files, workdir: workdirAt(stage, i) });
        reports.push(report);
      }
    }
    return reports;
  },
};

/** Is this COPY/ADD broad? `what` says what it copies, for the message. */
function broadness(ins: Instruction, files: readonly ContextFile[] | null): { what: string; whole: boolean } | null {
  const sources = copySources(ins);
  if (sources.length === 0) return null;
  for (const s of sources) {
    if (s === '.' || s === './' || s === '*' || s === './*' || s === '/') return { what: 'the whole build context', whole: true };
  }
  const dirs = sources.filter((s) => {
    if (/[*?[]/.test(s)) return false;
    const p = s.replace(/^\.\//, '').replace(/\/+$/, '');
    if (files) return files.some((f) => f.path.startsWith(p + '/'));
    return s.endsWith('/') || SOURCE_DIRS.test(s);
  });
  if (dirs.length === 0) return null;
  return { what: `${dirs.map((d) => `\`${d}\``).join(', ')}, which ${dirs.length === 1 ? 'holds' : 'hold'} sources,`, whole: false };
}

function installRun(ins: Instruction, table: readonly Ecosystem[]): InstallRun {
  const run: InstallRun = { ins, installs: [], others: [], table };
  let commands: string[];
  try {
    commands = shellCommands(ins);
  } catch {
    return run;
  }
  for (const command of commands) {
    const needs = installNeeds(command, table);
    if (needs) run.installs.push({ command, needs });
    else if (!HARMLESS.test(command) && !/^(apt-get|apt|apk|dnf|yum|microdnf)\b/.test(command)) run.others.push(command);
  }
  return run;
}

/** The absolute WORKDIR in effect before instruction `i` of the stage, or null when unknown (set by the base image). */
function workdirAt(stage: Stage, i: number): string | null {
  let dir: string | null = null;
  for (let k = 1; k < i; k++) {
    const ins = stage.instructions[k]!;
    if (ins.keyword !== 'WORKDIR') continue;
    const arg = instructionBody(ins).replace(/^["']|["']$/g, '');
    if (arg.includes('$')) dir = null;
    else if (arg.startsWith('/')) dir = arg;
    else dir = dir === null ? null : `${dir.replace(/\/$/, '')}/${arg}`;
  }
  return dir === null ? null : dir.replace(/\/+$/, '') || '/';
}

interface Proposal {
  stage: Stage;
  copy: { ins: Instruction; what: string; whole: boolean };
  broadCount: number;
  run: InstallRun;
  lines: string[];
  files: readonly ContextFile[] | null;
  workdir: string | null;
}

/** Fill in the fix (when the reorder is safe) or the suggestion (the lines to add). */
function proposeChange(report: Report, p: Proposal): void {
  const data = report.data!;
  const copy = p.copy.ins;
  const needsSources = p.run.installs.find((x) => !x.needs.manifestsOnly);
  if (needsSources) {
    const step = needsSources.needs.dependencyStep;
    report.suggestion = 'needsSources';
    data.reason = needsSources.needs.reason ?? 'the install reads the sources';
    data.lines = dependencyLines(needsSources.needs, p.files, step, p.run.table);
    return;
  }
  const manifests = manifestFiles(p.run, p.files);
  const why = whyNoFix(p, manifests);
  const copyLines = manifests.files ? manifestCopyLines(copy, manifests.files) : null;
  if (why || !copyLines) {
    const problems = why && why.kind === 'problem' ? why.text : null;
    if (problems) {
      report.suggestion = 'needsSources';
      data.reason = problems;
      data.lines = dependencyLines(p.run.installs[0]!.needs, p.files, undefined, p.run.table);
      return;
    }
    report.suggestion = 'manifestsFirst';
    data.lines = [...(copyLines ?? [`COPY ${guessManifests(p.run).join(' ')} ./`]), runText(p.run.ins), copy.text].join('\n');
    return;
  }
  const original = p.lines.slice(copy.line - 1, copy.endLine).join('\n');
  const indent = /^\s*/.exec(p.lines[copy.line - 1] ?? '')?.[0] ?? '';
  const fix: Fix = {
    description: `Copy ${manifests.files!.join(', ')} before the install and \`${copy.text}\` after it.`,
    edits: [
      { startLine: copy.line, endLine: copy.endLine, text: copyLines.map((l) => indent + l).join('\n') },
      { startLine: p.run.ins.endLine + 1, endLine: p.run.ins.endLine, text: original },
    ],
  };
  report.fix = fix;
  data.manifests = manifests.files!.join(', ');
}

/** Why the reorder cannot be done safely; `problem` when a manifest runs project code or reads other sources. */
function whyNoFix(p: Proposal, manifests: { files: string[] | null; problems: string[]; missing?: string }): { kind: 'problem' | 'unsafe'; text: string } | null {
  if (manifests.problems.length > 0) return { kind: 'problem', text: manifests.problems.join('; ') };
  if (!p.files) return { kind: 'unsafe', text: 'the build context is not known' };
  if (!manifests.files) return { kind: 'unsafe', text: manifests.missing ?? 'the manifests are not in the context' };
  const copy = p.copy.ins;
  if (!p.copy.whole || p.broadCount !== 1) return { kind: 'unsafe', text: 'more than one broad COPY' };
  if (copySources(copy).length !== 1 || copy.jsonForm || copy.heredocs) return { kind: 'unsafe', text: 'the COPY has other sources' };
  const flags = Object.keys(copy.flags);
  if (flags.some((f) => !['chown', 'chmod', 'link'].includes(f))) return { kind: 'unsafe', text: `the COPY has --${flags[0]}` };
  const dest = destination(copy);
  const sameDir = dest === '.' || dest === './' || (p.workdir !== null && dest.replace(/\/+$/, '') === p.workdir);
  if (!sameDir) return { kind: 'unsafe', text: 'the install does not run where the COPY copies to' };
  if (p.run.others.length > 0) return { kind: 'unsafe', text: `the RUN also runs \`${p.run.others[0]}\`, which reads the sources` };
  const between = p.stage.instructions.filter((x) => x.line > copy.line && x.line < p.run.ins.line);
  const blocker = between.find((x) => !MOVABLE_ACROSS.has(x.keyword));
  if (blocker) return { kind: 'unsafe', text: `\`${blocker.text}\` between them may read the sources` };
  for (const x of p.run.installs) {
    const out = INSTALL_OUTPUT[x.needs.ecosystem];
    if (out && p.files.some((f) => f.path.startsWith(out + '/'))) return { kind: 'unsafe', text: `the context holds ${out}/, which the later COPY would copy over the installed one (add it to .dockerignore)` };
    const lockfiles = ecosystem(x.needs.ecosystem, p.run.table).lockfiles;
    if (lockfiles && !lockfiles.some((l) => p.files!.some((f) => f.path === l))) return { kind: 'unsafe', text: `there is no lockfile (${lockfiles.join(' or ')}), so the install writes one that the later COPY would not bring` };
  }
  return null;
}

/** The manifests each install of the RUN reads, as present in the context root; null files when one it requires is missing. */
function manifestFiles(run: InstallRun, files: readonly ContextFile[] | null): { files: string[] | null; problems: string[]; missing?: string } {
  const problems: string[] = [];
  if (!files) {
    // Without the context, manifests can still say little; nothing is checked.
    return { files: null, problems };
  }
  const byPath = new Map(files.map((f) => [f.path, f]));
  const out: string[] = [];
  const add = (path: string) => {
    if (!out.includes(path)) out.push(path);
  };
  for (const { needs } of run.installs) {
    const eco = ecosystem(needs.ecosystem, run.table);
    if (needs.ecosystem === 'pip') {
      const queue = [...(needs.requirementFiles ?? [])].map(normalise);
      while (queue.length > 0) {
        const path = queue.shift()!;
        if (out.includes(path)) continue;
        const f = byPath.get(path);
        if (!f) return { files: null, problems, missing: `${path} is not in the context` };
        // Unread, it could hold `-e .`: nothing is proposed on a guess.
        if (f.content === undefined) return { files: null, problems, missing: `the text of ${path} was not read` };
        add(path);
        problems.push(...manifestProblems('pip', path, f.content));
        const dir = path.includes('/') ? path.slice(0, path.lastIndexOf('/') + 1) : '';
        queue.push(...includedRequirements(f.content).map((r) => normalise(dir + r)));
      }
      continue;
    }
    const missing = eco.required.find((m) => !byPath.has(m));
    if (missing) return { files: null, problems, missing: `${missing} is not in the context root` };
    for (const m of eco.manifests) {
      const f = byPath.get(m);
      if (!f) continue;
      add(m);
      if (f.content !== undefined) problems.push(...manifestProblems(needs.ecosystem, m, f.content));
      else if (['package.json', 'Pipfile', 'Gemfile'].includes(m)) return { files: null, problems, missing: `the text of ${m} was not read` };
    }
    if (eco.manifests.length === 0 || out.length === 0) return { files: null, problems, missing: `no ${eco.id} manifest is in the context root` };
  }
  return { files: out, problems: [...new Set(problems)] };
}

function normalise(path: string): string {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return parts.join('/');
}

/** `COPY` lines for the manifests, one per directory (so each keeps its directory), with the broad COPY's flags. */
function manifestCopyLines(copy: Instruction, files: readonly string[]): string[] {
  const dest = destination(copy);
  const base = dest === '.' || dest === './' ? './' : dest.endsWith('/') ? dest : dest + '/';
  const flags = Object.entries(copy.flags).flatMap(([name, values]) => values.map((v) => (v === '' ? `--${name}` : `--${name}=${v}`)));
  const byDir = new Map<string, string[]>();
  for (const f of files) {
    const dir = f.includes('/') ? f.slice(0, f.lastIndexOf('/') + 1) : '';
    const list = byDir.get(dir) ?? [];
    list.push(f);
    byDir.set(dir, list);
  }
  return [...byDir].map(([dir, list]) => ['COPY', ...flags, ...list.map(quoteIfNeeded), base === './' ? (dir ? `./${dir}` : './') : base + dir].join(' '));
}

function quoteIfNeeded(p: string): string {
  return /\s/.test(p) ? JSON.stringify(p) : p;
}

function destination(copy: Instruction): string {
  const words = instructionBody(copy).split(' ').filter(Boolean);
  return (words[words.length - 1] ?? '.').replace(/^["']|["']$/g, '');
}

function runText(ins: Instruction): string {
  return ins.text;
}

/** A generic guess of the manifests when the context is unknown: the required ones, plus the lockfile. */
function guessManifests(run: InstallRun): string[] {
  const out: string[] = [];
  for (const { needs } of run.installs) {
    const eco = ecosystem(needs.ecosystem, run.table);
    if (needs.ecosystem === 'pip') out.push(...(needs.requirementFiles ?? []));
    else out.push(...eco.required, ...(eco.lockfiles?.slice(0, 1) ?? []), ...eco.manifests.filter((m) => /lock|\.sum$/.test(m) && !eco.lockfiles).slice(0, 1));
  }
  return [...new Set(out)];
}

/** The lines of a dependency-only step for an install that needs the sources. */
function dependencyLines(needs: InstallNeeds, files: readonly ContextFile[] | null, step: string | undefined, table: readonly Ecosystem[]): string {
  const eco = ecosystem(needs.ecosystem, table);
  const present = files ? eco.manifests.filter((m) => files.some((f) => f.path === m)) : [];
  const manifests = present.length > 0 ? present : eco.required.length > 0 ? eco.required : eco.manifests.slice(0, 2);
  switch (needs.ecosystem) {
    case 'go': return `COPY ${manifests.join(' ')} ./\nRUN go mod download`;
    case 'cargo': return step ?? 'RUN cargo fetch';
    case 'poetry': return `COPY ${manifests.join(' ')} ./\nRUN poetry install --no-root\n(and after the COPY of the sources: RUN poetry install)`;
    case 'uv': return `COPY ${manifests.join(' ')} ./\nRUN uv sync --locked --no-install-project\n(and after the COPY of the sources: RUN uv sync --locked)`;
    case 'maven': return `COPY pom.xml ./\nRUN mvn -B dependency:go-offline`;
    case 'gradle': return `COPY ${manifests.length > 0 ? manifests.join(' ') : 'settings.gradle build.gradle'} ./\nRUN gradle dependencies --no-daemon`;
    case 'composer': return `COPY ${manifests.join(' ')} ./\nRUN composer install --no-scripts --no-autoloader\n(and after the COPY of the sources: RUN composer dump-autoload -o)`;
    case 'npm': case 'yarn': case 'pnpm': case 'bun':
      return `COPY ${manifests.join(' ')} ./\nRUN ${needs.ecosystem === 'npm' ? 'npm ci --ignore-scripts' : needs.ecosystem === 'pnpm' ? 'pnpm fetch' : `${needs.ecosystem} install --ignore-scripts`}\n(and after the COPY of the sources, the install again, or \`npm rebuild\` to run the scripts)`;
    case 'pip': return `COPY ${(needs.requirementFiles ?? ['requirements.txt']).join(' ')} ./\nRUN pip install -r <the requirements without the local entries>\n(and after the COPY of the sources: RUN pip install -e .)`;
    default: return step ?? `COPY ${manifests.join(' ')} ./`;
  }
}
