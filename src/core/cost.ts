// What a finding costs per build, from a known build: the time of the steps it invalidates. A step
// that misses the cache makes every later step of its stage miss too (F1 in the rules catalogue), and
// a stage built `FROM` it starts from its new result, so its steps re-run as well.
import type { Build, Finding, Step } from './model.js';
import type { Dockerfile } from './dockerfile.js';

/** The stage (index) a Dockerfile line belongs to, or null. */
export function stageOfLine(df: Dockerfile, line: number): number | null {
  for (let i = df.stages.length - 1; i >= 0; i--) {
    if (df.stages[i]!.line <= line) return i;
  }
  return null;
}

/** Stages built FROM stage `index`, directly or through another stage, `index` included. */
export function descendantStages(df: Dockerfile, index: number): Set<number> {
  const out = new Set([index]);
  for (let i = index + 1; i < df.stages.length; i++) {
    const base = df.stages[i]!.baseImage.toLowerCase();
    for (const j of out) {
      const s = df.stages[j]!;
      if ((s.name && s.name.toLowerCase() === base) || base === String(j)) {
        out.add(i);
        break;
      }
    }
  }
  return out;
}

/**
 * What a step costs when it runs: its measured time, or for a step served from the cache the time
 * it took when it last ran (`coldMs`, from the history); null when neither is known.
 */
export function stepTimeMs(s: Step): number | null {
  if (s.status === 'cached') return s.coldMs ?? null;
  return s.durationMs;
}

/**
 * The build steps that re-run when the instruction at `line` misses the cache: it and every later
 * step of its stage, and every step of the stages built FROM that stage. Null when none maps.
 */
export function invalidatedSteps(build: Build, df: Dockerfile, line: number): Step[] | null {
  const stage = stageOfLine(df, line);
  if (stage === null) return null;
  const stages = descendantStages(df, stage);
  const out: Step[] = [];
  for (const s of build.steps) {
    if (s.internal || s.line === null) continue;
    const st = stageOfLine(df, s.line);
    if (st === null || !stages.has(st)) continue;
    if (st === stage && s.line < line) continue;
    // A FROM line of a descendant stage is a base-image resolve, not work that re-runs.
    if (df.stages[st]!.line === s.line) continue;
    out.push(s);
  }
  return out.length > 0 ? out : null;
}

/**
 * The summed durations of the build's steps that re-run when the instruction at `line` misses the
 * cache (see invalidatedSteps); a cached step counts with its cold time from the history when known.
 * Null when no step of the build maps to those lines, or when none of them has a time.
 */
export function invalidatedCostMs(build: Build, df: Dockerfile, line: number): number | null {
  const steps = invalidatedSteps(build, df, line)?.filter((s) => stepTimeMs(s) !== null);
  // Every step from the cache and none priced from the history: the build does not say.
  if (!steps || steps.length === 0) return null;
  return steps.reduce((sum, s) => sum + stepTimeMs(s)!, 0);
}

/** costMs and costSteps for a report, from the steps whose time it stands for; {} when none has a time. */
export function costOfSteps(steps: readonly Step[] | null): { costMs?: number; costSteps?: string[] } {
  if (!steps || steps.length === 0) return {};
  const timed = steps.filter((s) => stepTimeMs(s) !== null);
  if (timed.length === 0) return {};
  return { costMs: timed.reduce((sum, s) => sum + stepTimeMs(s)!, 0), costSteps: timed.map((s) => s.id) };
}

/** The build steps made from the instruction at `line` (one per platform in a multi-platform build). */
export function stepsAtLine(build: Build, line: number): Step[] {
  return build.steps.filter((s) => !s.internal && s.line === line);
}

/**
 * What the findings put at stake per build: each step counted once however many findings name it
 * (two cache breakers above the same install do not cost it twice), plus the cost of findings that
 * do not say which steps make up theirs. Null when no finding has a cost.
 */
export function atStakeMs(findings: ReadonlyArray<Pick<Finding, 'costMs' | 'costSteps'> & { line?: number | null }>, build: Build | null): number | null {
  let any = false;
  let sum = 0;
  const counted = new Set<string>();
  const byId = new Map((build?.steps ?? []).map((s) => [s.id, s]));
  for (const f of findings) {
    if (f.costMs === undefined) continue;
    any = true;
    let ids = f.costSteps;
    // A finding priced by the time of its own step (stepCostMs) names no steps: those of its line, when they add up.
    if (!ids && build && f.line != null) {
      const own = stepsAtLine(build, f.line).filter((s) => stepTimeMs(s) !== null);
      if (own.length > 0 && own.reduce((t, s) => t + stepTimeMs(s)!, 0) === f.costMs) ids = own.map((s) => s.id);
    }
    if (!ids || ids.some((id) => !byId.has(id))) {
      sum += f.costMs;
      continue;
    }
    for (const id of ids) {
      if (counted.has(id)) continue;
      counted.add(id);
      sum += stepTimeMs(byId.get(id)!) ?? 0;
    }
  }
  return any ? sum : null;
}

/**
 * The measured time of the step(s) built from the instruction at `line`: what a download or install
 * rule's finding costs each time that step runs. Null when no step maps to the line, or when every
 * one that does came from the cache (the build did not measure it).
 */
export function stepCostMs(build: Build, line: number): number | null {
  // A cached step counts with its cold time from the history (stepTimeMs), when known.
  const ran = build.steps.filter((s) => !s.internal && s.line === line && stepTimeMs(s) !== null && (s.status !== 'cached' || s.coldMs !== undefined));
  if (ran.length === 0) return null;
  return ran.reduce((sum, s) => sum + (stepTimeMs(s) ?? 0), 0);
}
