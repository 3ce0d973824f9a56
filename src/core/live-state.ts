// What the live view shows, folded from live step events: pure, so the view only draws it.
import type { LiveEvent } from './live-events.js';
import type { StepStatus } from './model.js';
import { parseStepName } from './parse/step-name.js';

export interface LiveStep {
  id: string;
  /** `[build 3/5] RUN npm ci`, secrets already masked by the caller. */
  name: string;
  internal: boolean;
  status: 'running' | StepStatus;
  startAt: number;
  endAt: number | null;
  durationMs: number | null;
  lastLine: string | null;
}

export interface LiveSnapshot {
  elapsedMs: number;
  /** Non-internal steps that ended (done, cached, error, canceled), and all non-internal steps seen. */
  done: number;
  total: number;
  cached: number;
  running: LiveStep[];
  /** The last finished steps shown (the rest are collapsed into `finishedHidden`). */
  finished: LiveStep[];
  finishedHidden: number;
  /** Running steps not shown (beyond the window). */
  runningHidden: number;
}

export class LiveState {
  private readonly steps = new Map<string, LiveStep>();
  private readonly finishedOrder: LiveStep[] = [];
  private firstAt: number | null = null;

  apply(e: LiveEvent): void {
    if (this.firstAt === null) this.firstAt = e.atMs;
    switch (e.type) {
      case 'start': {
        const parts = parseStepName(e.name);
        const step: LiveStep = { id: e.id, name: e.name, internal: parts.internal, status: 'running', startAt: e.atMs, endAt: null, durationMs: null, lastLine: null };
        const old = this.steps.get(e.id);
        if (old && old.status !== 'running') this.finishedOrder.splice(this.finishedOrder.indexOf(old), 1);
        this.steps.set(e.id, step);
        return;
      }
      case 'log': {
        const s = this.steps.get(e.id);
        if (s && e.text.trim() !== '') s.lastLine = e.text;
        return;
      }
      case 'end': {
        const s = this.steps.get(e.id);
        if (!s || s.status !== 'running') return;
        s.status = e.status;
        s.endAt = e.atMs;
        s.durationMs = e.durationMs;
        this.finishedOrder.push(s);
        return;
      }
      default:
        return;
    }
  }

  /** What to draw at `now`: at most `maxRunning` running and `maxFinished` finished steps. */
  snapshot(now: number, maxRunning = 8, maxFinished = 8, startedAt?: number): LiveSnapshot {
    const user = [...this.steps.values()].filter((s) => !s.internal);
    const runningAll = [...this.steps.values()].filter((s) => s.status === 'running' && (!s.internal || now - s.startAt >= 500)).sort((a, b) => a.startAt - b.startAt);
    const finishedAll = this.finishedOrder.filter((s) => !s.internal || (s.durationMs ?? 0) >= 500 || s.status === 'error');
    const start = startedAt ?? this.firstAt ?? now;
    return {
      elapsedMs: Math.max(0, now - start),
      done: user.filter((s) => s.status !== 'running' && s.status !== 'incomplete').length,
      total: user.length,
      cached: user.filter((s) => s.status === 'cached').length,
      running: runningAll.slice(0, maxRunning),
      runningHidden: Math.max(0, runningAll.length - maxRunning),
      finished: finishedAll.slice(-maxFinished),
      finishedHidden: Math.max(0, finishedAll.length - maxFinished),
    };
  }
}
