// An ARG whose value changes on every build (BUILD_DATE, GIT_SHA, VERSION, CACHEBUST, …) declared
// above expensive RUN steps. BuildKit adds a declared ARG's value to the environment of the build
// state, so every later RUN of the stage, and of every stage built FROM it, carries the value in its
// cache key and re-runs when it changes, whether or not the command uses it. COPY is not affected.
// See docs/rules/changing-arg-early.md.
import type { Analyzer, AnalyzerContext, Report } from './types.js';
import type { Fix } from '../src/core/model.js';
import type { Dockerfile, Instruction, Stage } from '../src/core/dockerfile.js';
import { costOfSteps } from '../src/core/cost.js';

export const changingArgEarly: Analyzer = {
  id: 'changing-arg-early',
  description: 'An ARG that changes on every build, declared above RUN steps: they re-run on every build.',
  defaultSeverity: 'warning',
  messages: {
    beforeUse:
      '`ARG {{name}}` usually gets a new value on every build, and BuildKit puts it into the cache key of every later RUN of the stage{{inherited}}: {{runs}} RUN step(s) from line {{firstRun}} re-run each time. Its first use is on line {{useLine}}: declare it there.',
    unused:
      '`ARG {{name}}` usually gets a new value on every build, and BuildKit puts it into the cache key of every later RUN of the stage{{inherited}}: {{runs}} RUN step(s) from line {{firstRun}} re-run each time. The stage never uses it: declare it at the end of the stage, or where it is needed.',
    withReaders:
      '`ARG {{name}}` usually gets a new value on every build, and BuildKit puts it into the cache key of every later RUN of the stage{{inherited}}: {{runs}} RUN step(s) from line {{firstRun}} re-run each time. Only the ENV/LABEL lines right after it read it: declare them all at the end of the stage.',
    changed:
      '`ARG {{name}}` had a different value in the two recorded builds, and BuildKit puts it into the cache key of every later RUN of the stage{{inherited}}: {{runs}} RUN step(s) from line {{firstRun}} re-run each time. Declare it just before its first use.',
  },
  needs: ['dockerfile'],
  analyze(ctx: AnalyzerContext): Report[] {
    const df = ctx.dockerfile;
    if (!df) return [];
    const changed = argsThatChanged(ctx);
    const lines = df.text.split(/\r\n|\r|\n/);
    const reports: Report[] = [];
    for (const stage of df.parsed.stages) {
      const descendantRuns = descendantStages(df.parsed, stage).flatMap((s) => s.instructions.filter((i) => i.keyword === 'RUN'));
      stage.instructions.forEach((ins, i) => {
        if (ins.keyword !== 'ARG') return;
        const names = argNames(ins);
        for (const name of names) {
          const volatile = isVolatileArgName(name);
          if (!volatile && !changed.has(name)) continue;
          const plan = planMove(stage, i, name, lines);
          // RUNs that carry the value although they come before its first use: the ones a move spares.
          // When the stage never uses it, stages built FROM this one still inherit it.
          const spared = plan.moveTo === 'end' ? [...plan.passed.filter(isRun), ...descendantRuns] : plan.passed.filter(isRun);
          if (spared.length === 0) continue;
          const runs = plan.moveTo === 'end' ? spared : [...spared, ...stage.instructions.slice(i + 1).filter((x) => isRun(x) && !spared.includes(x)), ...descendantRuns];
          const report: Report = {
            messageId: !volatile ? 'changed' : plan.use ? 'beforeUse' : plan.block.length > 1 ? 'withReaders' : 'unused',
            data: {
              name,
              runs: runs.length,
              firstRun: runs[0]!.line,
              inherited: descendantRuns.length > 0 ? ' and of the stages built FROM it' : '',
              useLine: plan.use?.line ?? '',
            },
            line: ins.line,
          };
          Object.assign(report, costOf(ctx, runs));
          const fix = names.length === 1 ? moveFix(plan, lines) : undefined;
          if (fix) report.fix = fix;
          reports.push(report);
        }
      });
    }
    return reports;
  },
};

/**
 * Hook for "an ARG whose value differed between two recorded builds". Build records keep no
 * build-arg fingerprints yet, so this returns no names; once the context carries them, return the
 * names whose value differed here and they are reported (messageId `changed`) like the volatile names.
 */
export function argsThatChanged(_ctx: AnalyzerContext): ReadonlySet<string> {
  return new Set();
}

// Name segments (split on `_`) that mean "a new value per build".
const VOLATILE_SEGMENTS = new Set(['DATE', 'TIME', 'TIMESTAMP', 'SHA', 'COMMIT', 'REV', 'REVISION', 'REF', 'CACHEBUST', 'BUST', 'NONCE']);
// VERSION and TAG are per build only for the build itself (`VERSION`, `APP_VERSION`, `IMAGE_TAG`),
// not for a pinned tool (`NODE_VERSION`, `ALPINE_TAG`), which changes rarely and on purpose.
const RELEASE_SEGMENTS = new Set(['VERSION', 'TAG']);
const RELEASE_PREFIXES = new Set(['APP', 'BUILD', 'IMAGE', 'RELEASE', 'GIT', 'CI', 'PROJECT', 'VCS', 'SOURCE', 'SRC', 'COMMIT']);
const PREDEFINED = /^(TARGET|BUILD)(PLATFORM|OS|ARCH|VARIANT)$|^(HTTPS?|FTP|NO|ALL)_PROXY$|^SOURCE_DATE_EPOCH$|^BUILDKIT_/i;

/** Does the name say its value changes from one build to the next? */
export function isVolatileArgName(name: string): boolean {
  if (PREDEFINED.test(name)) return false;
  const segments = name.toUpperCase().split('_').filter(Boolean);
  // `TIME_ZONE`, `DATE_FORMAT`: settings, not stamps.
  if (segments.some((s) => s === 'ZONE' || s === 'FORMAT')) return false;
  if (segments.some((s) => VOLATILE_SEGMENTS.has(s))) return true;
  if (segments.length >= 2 && segments[0] === 'BUILD' && ['ID', 'NUMBER', 'NUM'].includes(segments[1]!)) return true;
  if (segments.length >= 2 && segments[segments.length - 2] === 'RUN' && segments[segments.length - 1] === 'ID') return true;
  const last = segments[segments.length - 1];
  if (last !== undefined && RELEASE_SEGMENTS.has(last)) return segments.slice(0, -1).every((s) => RELEASE_PREFIXES.has(s));
  return false;
}

/** `ARG A=1 B` → ['A', 'B']. */
export function argNames(ins: Instruction): string[] {
  return ins.args.split(' ').map((w) => w.split('=')[0] ?? '').filter((n) => /^[A-Za-z_]\w*$/.test(n));
}

interface MovePlan {
  /** The ARG and the ENV/LABEL lines right after it that read it: they move together. */
  block: Instruction[];
  /** Instructions the block would move past. */
  passed: Instruction[];
  /** The first instruction after the block that uses a name the block defines. */
  use: Instruction | undefined;
  moveTo: 'use' | 'end';
  stage: Stage;
}

function planMove(stage: Stage, argIndex: number, name: string, lines: string[]): MovePlan {
  const ins = stage.instructions;
  const block = [ins[argIndex]!];
  const defined = new Set([name]);
  let k = argIndex + 1;
  for (; k < ins.length; k++) {
    const next = ins[k]!;
    if ((next.keyword !== 'ENV' && next.keyword !== 'LABEL') || !mentions(next, defined, lines)) break;
    if (next.keyword === 'ENV') for (const n of envNames(next)) defined.add(n);
    block.push(next);
  }
  const passed: Instruction[] = [];
  let use: Instruction | undefined;
  for (; k < ins.length; k++) {
    const next = ins[k]!;
    if (mentions(next, defined, lines)) {
      use = next;
      break;
    }
    passed.push(next);
  }
  return { block, passed, use, moveTo: use ? 'use' : 'end', stage };
}

/**
 * Move the block down: just before its first use (above the comment lines right over it), or after
 * the last instruction of the stage. Lines move as written. No fix when a LABEL of the block would
 * pass a LABEL (the later of two same-key labels wins) or when nothing would be spared.
 */
function moveFix(plan: MovePlan, lines: string[]): Fix | undefined {
  const last = plan.passed[plan.passed.length - 1];
  if (!last || !plan.passed.some(isRun)) return undefined;
  if (plan.block.some((b) => b.keyword === 'LABEL') && plan.passed.some((p) => p.keyword === 'LABEL')) return undefined;
  let at: number;
  if (plan.use) {
    at = plan.use.line;
    while (at - 1 > last.endLine && /^\s*#/.test(lines[at - 2] ?? '')) at--;
  } else {
    at = last.endLine + 1;
  }
  const moved = plan.block.map((b) => lines.slice(b.line - 1, b.endLine).join('\n')).join('\n');
  const first = plan.block[0]!;
  return {
    description: plan.use
      ? `Move \`${first.text}\`${plan.block.length > 1 ? ' and the lines that read it' : ''} down to line ${plan.use.line}, just before its first use.`
      : `Move \`${first.text}\`${plan.block.length > 1 ? ' and the lines that read it' : ''} to the end of the stage.`,
    edits: [
      ...plan.block.map((b) => ({ startLine: b.line, endLine: b.endLine, text: '' })),
      { startLine: at, endLine: at - 1, text: moved },
    ],
  };
}

/** Does the instruction name any of these variables (as a word, anywhere: `$X`, `${X}`, a script reading X)? */
function mentions(ins: Instruction, names: Set<string>, lines: string[]): boolean {
  const source = lines.slice(ins.line - 1, ins.endLine).join('\n');
  for (const n of names) if (new RegExp(`(^|[^\\w])${n}([^\\w]|$)`).test(source)) return true;
  return false;
}

function envNames(ins: Instruction): string[] {
  const pairs = [...ins.args.matchAll(/(?:^|\s)([A-Za-z_]\w*)=/g)].map((m) => m[1]!);
  if (pairs.length > 0) return pairs;
  const legacy = /^([A-Za-z_]\w*)\s/.exec(ins.args);
  return legacy?.[1] ? [legacy[1]] : [];
}

function isRun(ins: Instruction): boolean {
  return ins.keyword === 'RUN';
}

/** Stages built FROM this one, directly or through others. */
export function descendantStages(df: Dockerfile, stage: Stage): Stage[] {
  const found: Stage[] = [];
  const names = new Set<string>();
  if (stage.name) names.add(stage.name.toLowerCase());
  for (const s of df.stages.slice(stage.index + 1)) {
    if (names.has(s.baseImage.toLowerCase())) {
      found.push(s);
      if (s.name) names.add(s.name.toLowerCase());
    }
  }
  return found;
}

/** Summed duration of the build steps mapped to these RUN lines (cold times for cached ones, when known). */
function costOf(ctx: AnalyzerContext, runs: Instruction[]): { costMs?: number; costSteps?: string[] } {
  if (!ctx.build) return {};
  const lines = new Set(runs.map((r) => r.line));
  return costOfSteps(ctx.build.steps.filter((s) => !s.internal && s.line !== null && lines.has(s.line)));
}
