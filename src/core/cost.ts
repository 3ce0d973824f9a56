// What a finding costs per build, from a known build: the time of the steps it invalidates. A step
// that misses the cache makes every later step of its stage miss too (F1 in the rules catalogue), and
// a stage built `FROM` it starts from its new result, so its steps re-run as well.
import type { Build } from './model.js';
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
 * The summed durations of the build's steps that re-run when the instruction at `line` misses the
 * cache: it and every later step of its stage, and every step of the stages built FROM that stage.
 * Null when no step of the build maps to those lines.
 */
export function invalidatedCostMs(build: Build, df: Dockerfile, line: number): number | null {
  const stage = stageOfLine(df, line);
  if (stage === null) return null;
  const stages = descendantStages(df, stage);
  let sum = 0;
  let matched = 0;
  for (const s of build.steps) {
    if (s.internal || s.line === null) continue;
    const st = stageOfLine(df, s.line);
    if (st === null || !stages.has(st)) continue;
    if (st === stage && s.line < line) continue;
    // A FROM line of a descendant stage is a base-image resolve, not work that re-runs.
    if (df.stages[st]!.line === s.line) continue;
    matched++;
    sum += s.durationMs ?? 0;
  }
  return matched > 0 ? sum : null;
}

/**
 * The measured time of the step(s) built from the instruction at `line`: what a download or install
 * rule's finding costs each time that step runs. Null when no step maps to the line, or when every
 * one that does came from the cache (the build did not measure it).
 */
export function stepCostMs(build: Build, line: number): number | null {
  const steps = build.steps.filter((s) => !s.internal && s.line === line && s.durationMs !== null);
  const ran = steps.filter((s) => s.status !== 'cached');
  if (ran.length === 0) return null;
  return ran.reduce((sum, s) => sum + (s.durationMs ?? 0), 0);
}
