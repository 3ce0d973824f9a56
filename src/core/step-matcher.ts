// The one way to say that a step of one build is the same step in another build (cache comparisons,
// before/after reports). Indexes and `#N` ids shift when a Dockerfile changes; what stays is where
// the step runs (target, platform, stage) and the instruction as written.
import type { Build, Step } from './model.js';

/** What the matcher reads of a step: a Step of the model, or a step of a JSON report. */
export type MatchableStep = Pick<Step, 'name' | 'target' | 'platform' | 'stage' | 'instruction' | 'sourceText' | 'internal'>;

export interface StepMatch<S extends MatchableStep = Step> {
  pairs: Array<{ before: S; after: S }>;
  /** Steps only in `after`, in its order. */
  added: S[];
  /** Steps only in `before`, in its order. */
  removed: S[];
}

/**
 * The identity of a step within its build, without the occurrence number: internal steps by their
 * name; others by target, platform, stage and the instruction as written (`sourceText` once mapped
 * to a Dockerfile, else the instruction as printed, build-arg values and all).
 */
export function stepBaseKey(step: MatchableStep): string {
  if (step.internal || step.instruction === null) return `internal\u0000${normaliseSpace(step.name)}`;
  let text = normaliseSpace(step.sourceText ?? step.instruction);
  // `COPY --link` shows as two vertices, `COPY …` and `LINK COPY …`, mapped to the same line.
  if (step.sourceText !== null && /^LINK /.test(step.instruction)) text = `LINK ${text}`;
  return ['step', step.target ?? '', step.platform ?? '', step.stage ?? '', text].join('\u0000');
}

/** A stable key per step of a build: the base key plus its occurrence (the 2nd `RUN make` is `…#2`). */
export function stepKeys<S extends MatchableStep = Step>(build: { steps: readonly S[] }): Map<S, string> {
  const counts = new Map<string, number>();
  const keys = new Map<S, string>();
  for (const step of build.steps) {
    const base = stepBaseKey(step);
    const n = (counts.get(base) ?? 0) + 1;
    counts.set(base, n);
    keys.set(step, `${base}#${n}`);
  }
  return keys;
}

/**
 * The key of one step: its base key plus its occurrence number, which needs the build it belongs to
 * (pass it; without it the step counts as the first of its kind).
 */
export function stepKey(step: Step, build?: Build): string {
  if (build) {
    const key = stepKeys(build).get(step);
    if (key !== undefined) return key;
  }
  return `${stepBaseKey(step)}#1`;
}

/** Pair the steps of two builds (or two JSON reports: anything with `steps`). */
export function matchSteps<S extends MatchableStep = Step>(before: { steps: readonly S[] }, after: { steps: readonly S[] }): StepMatch<S> {
  const beforeKeys = stepKeys(before);
  const byKey = new Map<string, S>();
  for (const [step, key] of beforeKeys) byKey.set(key, step);
  const pairs: StepMatch<S>['pairs'] = [];
  const added: S[] = [];
  const matched = new Set<S>();
  for (const [step, key] of stepKeys(after)) {
    const b = byKey.get(key);
    if (b) {
      pairs.push({ before: b, after: step });
      matched.add(b);
    } else added.push(step);
  }
  const removed = before.steps.filter((s) => !matched.has(s));
  return { pairs, added, removed };
}

function normaliseSpace(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}
