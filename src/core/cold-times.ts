// Cold step times from earlier builds of the same Dockerfile. A build served from the cache says a
// step took 0 s; what a cache breaker above it costs is what the step takes when it runs. The
// history keeps every `buildlens build` report: the newest one in which the step ran gives its time.
import type { Build, Step } from './model.js';
import { emptyBuild, newStep } from './model.js';

function key(s: Step): string | null {
  return s.internal || s.line === null ? null : `${s.platform ?? ''}\u0000${s.line}\u0000${s.sourceText ?? s.instruction ?? ''}`;
}

/**
 * A copy of `build` whose cached steps carry `coldMs`: the time the same step (same Dockerfile
 * line and text, same platform) took in the newest of the `earlier` builds where it ran. Every build
 * must already be mapped onto the same Dockerfile (mapStepsToDockerfile), `earlier` oldest first.
 */
export function withColdTimes(build: Build, earlier: readonly Build[]): Build {
  const cold = new Map<string, number>();
  for (const b of earlier) {
    for (const s of b.steps) {
      const k = key(s);
      if (k === null || s.status !== 'done' || s.durationMs === null) continue;
      cold.set(k, s.durationMs); // later builds overwrite earlier ones: the newest wins
    }
  }
  return {
    ...build,
    steps: build.steps.map((s) => {
      const k = key(s);
      if (s.status !== 'cached' || k === null || !cold.has(k)) return s;
      return { ...s, coldMs: cold.get(k)! };
    }),
  };
}

/** How many cached steps of a build got a cold time. */
export function coldTimedSteps(build: Build): number {
  return build.steps.filter((s) => s.coldMs !== undefined).length;
}

/**
 * A buildlens JSON report (docs/report-format.md; an array: its last element) as the Build it
 * describes, or null when it is not one. Lines and source texts are kept as the report has them.
 */
export function buildFromReportJson(json: unknown): Build | null {
  const r = (Array.isArray(json) ? json[json.length - 1] : json) as
    | { schemaVersion?: unknown; steps?: unknown; durationMs?: unknown; startedAt?: unknown; totals?: { durationMs?: unknown }; source?: { format?: string; builder?: string } }
    | undefined;
  if (!r || typeof r !== 'object' || r.schemaVersion !== 1 || !Array.isArray(r.steps)) return null;
  const build = emptyBuild((r.source?.format as Build['format']) ?? 'rawjson', r.source?.builder === 'legacy' ? 'legacy' : 'buildkit');
  if (typeof r.totals?.durationMs === 'number') build.durationMs = r.totals.durationMs;
  if (typeof r.startedAt === 'string') build.startedAt = r.startedAt;
  for (const raw of r.steps as Array<Partial<Step> & { digest?: string | null }>) {
    const step = newStep(String(raw.id ?? build.steps.length), String(raw.name ?? ''));
    Object.assign(step, {
      stage: raw.stage ?? null,
      index: raw.index ?? null,
      total: raw.total ?? null,
      instruction: raw.instruction ?? null,
      line: typeof raw.line === 'number' ? raw.line : null,
      sourceText: raw.sourceText ?? null,
      internal: raw.internal ?? false,
      status: raw.status ?? 'done',
      durationMs: typeof raw.durationMs === 'number' ? raw.durationMs : null,
      startMs: raw.startMs ?? null,
      endMs: raw.endMs ?? null,
      target: raw.target ?? null,
      platform: raw.platform ?? null,
      inputs: Array.isArray(raw.inputs) ? raw.inputs.map(String) : [],
    });
    build.steps.push(step);
  }
  return build;
}
