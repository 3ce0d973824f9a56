// Dependency installs of different ecosystems (npm and pip, go and npm, …) one after the other in
// one stage. Each reads only its own manifests, so neither needs the other: as stages of their own,
// joined by `COPY --from`, BuildKit builds them at the same time (it runs independent stages in
// parallel: F10 in the rules catalogue, pattern P14). The wall time of that part of the build drops
// from the sum of the installs to the longest of them. See docs/rules/serial-stages.md.
import type { Analyzer, AnalyzerContext, Report } from './types.js';
import type { Instruction, Stage } from '../src/core/dockerfile.js';
import { instructionBody } from '../src/core/dockerfile.js';
import { ecosystem, ecosystemTable, installNeeds, type Ecosystem, type EcosystemId } from '../src/core/ecosystems.js';
import { stepTimeMs, stepsAtLine } from '../src/core/cost.js';
import { copySources } from '../src/core/context.js';
import { formatDuration } from '../src/core/units.js';
import { shellCommands } from './apt-update-alone.js';

interface Unit {
  ecosystem: EcosystemId;
  runs: Instruction[];
  commands: string[];
  /** Summed step times of its RUNs, when the build measured every one. */
  ms: number | null;
}

export const serialStages: Analyzer = {
  id: 'serial-stages',
  description: 'Dependency installs of different ecosystems run one after the other in one stage: as separate stages BuildKit would run them at the same time.',
  defaultSeverity: 'info',
  messages: {
    serial:
      '{{list}} run one after the other in {{stage}}, though each reads only its own manifests and none needs what another installs. As stages of their own, joined by `COPY --from`, BuildKit builds them at the same time{{saving}}.',
    sketch: 'Give each install a stage of its own and copy what it installed into this one (a sketch; adjust the paths):\n{{lines}}',
  },
  needs: ['dockerfile'],
  analyze(ctx: AnalyzerContext): Report[] {
    const df = ctx.dockerfile;
    if (!df) return [];
    const reports: Report[] = [];
    const table = ecosystemTable(ctx.ecosystems);
    for (const stage of df.parsed.stages) {
      const units = installUnits(stage, table);
      if (units.length < 2) continue;
      if (ctx.build) {
        for (const u of units) {
          const times = u.runs.map((r) => stepsAtLine(ctx.build!, r.line).map(stepTimeMs));
          u.ms = times.every((t) => t.length > 0 && t.every((x) => x !== null)) ? times.flat().reduce<number>((s, x) => s + x!, 0) : null;
        }
      }
      const list = units.map((u) => `\`${shorten(u.commands[0]!)}\` (line ${u.runs[0]!.line}${u.ms !== null ? `, ${formatDuration(u.ms)}` : ''})`);
      const known = units.every((u) => u.ms !== null);
      const saved = known ? units.reduce((s, u) => s + u.ms!, 0) - Math.max(...units.map((u) => u.ms!)) : null;
      const report: Report = {
        messageId: 'serial',
        data: {
          list: list.length === 2 ? `${list[0]} and ${list[1]}` : `${list.slice(0, -1).join(', ')} and ${list[list.length - 1]}`,
          stage: stage.name ? `stage \`${stage.name}\`` : df.parsed.stages.length > 1 ? `stage ${stage.index}` : 'the stage',
          saving: saved !== null && saved > 0 ? `: about ${formatDuration(saved)} less per cold build (their summed time less the longest)` : '',
          lines: sketch(stage, units, table),
        },
        line: units[1]!.runs[0]!.line,
        suggestion: 'sketch',
      };
      if (saved !== null && saved > 0) report.costMs = saved;
      reports.push(report);
    }
    return reports;
  },
};

/**
 * The dependency installs of a stage grouped by language ecosystem, in order. Only installs that
 * read nothing but their manifests count, and only RUNs that do nothing else but install (and
 * harmless housekeeping): a RUN that also builds may read what another install wrote.
 */
function installUnits(stage: Stage, table: readonly Ecosystem[]): Unit[] {
  const units: Unit[] = [];
  for (const ins of stage.instructions) {
    if (ins.keyword !== 'RUN') continue;
    let commands: string[];
    try {
      commands = shellCommands(ins);
    } catch {
      continue;
    }
    const installs = commands.map((c) => ({ c, needs: installNeeds(c, table) })).filter((x) => x.needs !== null);
    if (installs.length === 0) continue;
    const ecosystems = new Set(installs.map((x) => x.needs!.ecosystem));
    if (ecosystems.size !== 1) continue; // one RUN installing for two ecosystems: one step, nothing to split
    const eco = installs[0]!.needs!.ecosystem;
    if (ecosystem(eco, table).kind !== 'language' || installs.some((x) => !x.needs!.manifestsOnly)) continue;
    const others = commands.filter((c) => installNeeds(c, table) === null && !/^(rm|echo|true|mkdir|set|cd|npm (cache|config)|yarn (cache|config)|pnpm (store|config)|pip cache|corepack)\b/.test(c));
    if (others.length > 0) continue;
    const unit = units.find((u) => u.ecosystem === eco);
    if (unit) {
      unit.runs.push(ins);
      unit.commands.push(...installs.map((x) => x.c));
    } else {
      units.push({ ecosystem: eco, runs: [ins], commands: installs.map((x) => x.c), ms: null });
    }
  }
  // JS package managers share node_modules: two of them are not independent.
  const js = units.filter((u) => ['npm', 'yarn', 'pnpm', 'bun'].includes(u.ecosystem));
  return js.length > 1 ? units.filter((u) => !js.includes(u) || u === js[0]) : units;
}

/** Stage sketch: each install in a stage of its own with the COPY lines of its manifests, then the COPY --from lines. */
function sketch(stage: Stage, units: Unit[], table: readonly Ecosystem[]): string {
  const base = stage.baseImage;
  const workdir = lastWorkdir(stage, units[0]!.runs[0]!.line) ?? '/app';
  const out: string[] = [];
  for (const u of units) {
    out.push(`FROM ${base} AS ${u.ecosystem}-deps`, `WORKDIR ${workdir}`);
    const manifests = ecosystem(u.ecosystem, table).manifests;
    for (const ins of stage.instructions) {
      if ((ins.keyword === 'COPY' || ins.keyword === 'ADD') && ins.line < u.runs[0]!.line && copySources(ins).some((s) => manifests.includes(s.replace(/^\.\//, '')) || /requirements|constraints/.test(s))) out.push(ins.text);
    }
    for (const r of u.runs) out.push(r.text);
    out.push('');
  }
  out.push(`FROM ${base}${stage.name ? ` AS ${stage.name}` : ''}`, '# … the rest of the stage, without the installs …');
  for (const u of units) out.push(`COPY --from=${u.ecosystem}-deps ${INSTALLED[u.ecosystem] ?? `${workdir}/ ${workdir}/  # copy what the install wrote`}`);
  return out.join('\n');
}

/** What an install writes, for the COPY --from line of the sketch. */
const INSTALLED: Partial<Record<EcosystemId, string>> = {
  npm: 'node_modules ./node_modules',
  yarn: 'node_modules ./node_modules',
  pnpm: 'node_modules ./node_modules',
  bun: 'node_modules ./node_modules',
  pip: '/usr/local /usr/local  # or a virtualenv: python -m venv /venv before installing, then COPY --from /venv',
  go: '/go/pkg/mod /go/pkg/mod',
  bundler: '/usr/local/bundle /usr/local/bundle',
  composer: 'vendor ./vendor',
};

function lastWorkdir(stage: Stage, before: number): string | null {
  let dir: string | null = null;
  for (const ins of stage.instructions) if (ins.keyword === 'WORKDIR' && ins.line < before) dir = instructionBody(ins);
  return dir;
}

function shorten(command: string): string {
  return command.length > 50 ? `${command.slice(0, 49)}…` : command;
}
