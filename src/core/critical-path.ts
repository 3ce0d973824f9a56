// The critical path: the chain of steps that set the wall time. From the last step to end, walk back
// through what it waited for — its inputs where the log has the step graph (rawjson), else the step
// that ended last before it started (its own stage first) — and compare the chain with the sum of all
// step times: sum / wall is how parallel the build was.
import type { Step } from './model.js';

export interface CriticalPath {
  /** Non-internal steps on the chain, first to last. */
  stepIds: string[];
  /** The summed durations of those steps. */
  durationMs: number;
  /** The build's wall time, when known. */
  wallMs: number | null;
  /** The summed durations of every non-internal timed step. */
  stepsDurationMs: number;
  /** stepsDurationMs / wallMs, when the wall time is known and not zero. */
  parallelism: number | null;
  /** `graph` when the log gave the step graph (rawjson), `times` when it was inferred from start and end times. */
  basis: 'graph' | 'times';
}

/** Steps that start within this of another's end are taken to have waited for it (clocks are ms-coarse). */
const SLACK_MS = 50;

type TimedStep = Pick<Step, 'id' | 'internal' | 'stage' | 'startMs' | 'endMs' | 'durationMs' | 'inputs' | 'status'>;

/** Null when the steps carry no start and end times (plain logs read from a file, legacy). */
export function computeCriticalPath(steps: readonly TimedStep[], wallMs: number | null): CriticalPath | null {
  const timed = steps.filter((s) => s.startMs !== null && s.endMs !== null);
  if (timed.length === 0) return null;
  const byId = new Map(timed.map((s) => [s.id, s]));
  const hasGraph = timed.some((s) => s.inputs.length > 0);
  let last = timed[0]!;
  for (const s of timed) if (s.endMs! > last.endMs! || (s.endMs === last.endMs && !s.internal && last.internal)) last = s;

  const chain: TimedStep[] = [];
  const seen = new Set<string>();
  let cur: TimedStep | undefined = last;
  while (cur && !seen.has(cur.id)) {
    chain.push(cur);
    seen.add(cur.id);
    const start = cur.startMs!;
    let preds: TimedStep[];
    if (hasGraph && cur.inputs.length > 0) {
      preds = cur.inputs.map((id) => byId.get(id)).filter((s): s is TimedStep => s !== undefined);
    } else {
      const before = timed.filter((s) => !seen.has(s.id) && s.endMs! <= start + SLACK_MS && s.startMs! <= start);
      const sameStage = cur.stage !== null ? before.filter((s) => s.stage === cur!.stage) : [];
      preds = sameStage.length > 0 ? sameStage : before;
    }
    // BuildKit stamps a cached step with the time it reported it, often long after its inputs were
    // ready: a step that waited for a cached input and one that ran waited for the one that ran.
    const open = preds.filter((s) => !seen.has(s.id));
    const ran = open.filter((s) => s.status !== 'cached');
    cur = latestEnd(ran.length > 0 ? ran : open);
  }
  chain.reverse();
  const user = chain.filter((s) => !s.internal);
  let stepsDurationMs = 0;
  for (const s of steps) if (!s.internal && s.durationMs !== null) stepsDurationMs += s.durationMs;
  const durationMs = user.reduce((sum, s) => sum + (s.durationMs ?? 0), 0);
  return {
    stepIds: user.map((s) => s.id),
    durationMs,
    wallMs,
    stepsDurationMs,
    parallelism: wallMs !== null && wallMs > 0 ? Math.round((stepsDurationMs / wallMs) * 100) / 100 : null,
    basis: hasGraph ? 'graph' : 'times',
  };
}

function latestEnd(steps: readonly TimedStep[]): TimedStep | undefined {
  let best: TimedStep | undefined;
  for (const s of steps) if (!best || s.endMs! > best.endMs!) best = s;
  return best;
}

/** Steps on the path worth naming: those that took at least this long. */
const NAMED_FROM_MS = 100;

/**
 * The one-line summary: `wall 5.3s; critical path: assets › RUN sleep 5 (5.2s); steps sum 8.4s`.
 * Steps of one stage follow each other with `→`; the stage is named where it changes. `step` gives a
 * step's stage, text and duration; `fmt` formats a duration; `ascii` uses `>` and `->` instead, for
 * output that must stay plain ASCII.
 */
export function criticalPathText(
  path: CriticalPath,
  step: (id: string) => { stage: string | null; text: string; durationMs: number | null } | undefined,
  fmt: (ms: number) => string,
  ascii = false,
): string {
  const [inStage, next] = ascii ? [' > ', ' -> '] : [' › ', ' → '];
  const named = path.stepIds
    .map((id) => step(id))
    .filter((s): s is { stage: string | null; text: string; durationMs: number } => s !== undefined && (s.durationMs ?? 0) >= NAMED_FROM_MS);
  const parts: string[] = [];
  if (path.wallMs !== null) parts.push(`wall ${fmt(path.wallMs)}`);
  let chain = '';
  let stage: string | null | undefined;
  for (const s of named) {
    const item = `${s.text} (${fmt(s.durationMs)})`;
    if (chain === '') chain = s.stage ? `${s.stage}${inStage}${item}` : item;
    else chain += s.stage !== stage && s.stage ? `${next}${s.stage}${inStage}${item}` : `${next}${item}`;
    stage = s.stage;
  }
  parts.push(`critical path: ${chain === '' ? 'no step took noticeable time' : chain}`);
  parts.push(`steps sum ${fmt(path.stepsDurationMs)}`);
  if (path.parallelism !== null) parts.push(`parallelism ${path.parallelism.toFixed(1)}x`);
  return parts.join('; ');
}
