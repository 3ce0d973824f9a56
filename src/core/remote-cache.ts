// Remote cache, the reason CI builds are slow: on a fresh runner every step is cold unless a cache is
// imported. Pure: from the build's own output (the cache import and export vertexes and their
// statuses, Build.cacheStatuses), what was imported and exported and how long it took; and, with
// what the caller knows of the invocation (CI environment, --cache-from/--cache-to, the driver),
// the findings that say what to change.
import type { Build, Finding, Severity, Step } from './model.js';

export interface CacheImport {
  stepId: string;
  /** What the vertex names: `ghcr.io/org/app:cache`, `local:…`, `gha:…`, an image. */
  source: string;
  durationMs: number | null;
  status: Step['status'];
}

export interface CacheExport {
  stepId: string;
  /** What the vertex names: `registry`, `client directory`, `GitHub Actions cache`, … */
  destination: string;
  durationMs: number | null;
  status: Step['status'];
  /** `preparing build cache for export`, when the log gives its time. */
  preparingMs: number | null;
  /** `writing layer sha256:…` statuses seen. */
  layersWritten: number;
  /** Their summed time, where the log gives one. */
  layersWriteMs: number | null;
}

export interface RemoteCache {
  imports: CacheImport[];
  exports: CacheExport[];
  /** The image export prepared its layers for an inline cache (`--cache-to type=inline`). */
  inline: boolean;
  /** Summed time of the imports / exports (where known). */
  importMs: number | null;
  exportMs: number | null;
  /**
   * Non-internal steps served from the cache in a build that imported one; null without an import.
   * BuildKit does not say whether the local or the imported cache served a step: on a fresh CI
   * runner the local cache is empty, so these are the imported cache's.
   */
  stepsFromCache: number | null;
  /** Non-internal steps that ran (done or error): what the cache did not serve. */
  stepsExecuted: number;
}

const IMPORT = 'importing cache manifest from ';
const EXPORT = 'exporting cache to ';

function sum(values: Array<number | null>): number | null {
  let total: number | null = null;
  for (const v of values) if (v !== null) total = (total ?? 0) + v;
  return total;
}

/** What the build's output says of cache import and export; null when it shows neither. */
export function summarizeRemoteCache(build: Build): RemoteCache | null {
  const statuses = build.cacheStatuses ?? [];
  const imports: CacheImport[] = [];
  const exports: CacheExport[] = [];
  for (const s of build.steps) {
    if (s.name.startsWith(IMPORT)) {
      imports.push({ stepId: s.id, source: s.name.slice(IMPORT.length), durationMs: s.durationMs, status: s.status });
    } else if (s.name.startsWith(EXPORT) || s.name === 'exporting cache') {
      const mine = statuses.filter((c) => c.stepId === s.id);
      const layers = mine.filter((c) => c.text.startsWith('writing layer '));
      exports.push({
        stepId: s.id,
        destination: s.name.startsWith(EXPORT) ? s.name.slice(EXPORT.length) : 'cache',
        durationMs: s.durationMs,
        status: s.status,
        preparingMs: mine.find((c) => c.text === 'preparing build cache for export')?.durationMs ?? null,
        layersWritten: layers.length,
        layersWriteMs: sum(layers.map((c) => c.durationMs)),
      });
    }
  }
  const inline = statuses.some((c) => c.text === 'preparing layers for inline cache');
  if (imports.length === 0 && exports.length === 0 && !inline) return null;
  let cached = 0;
  let executed = 0;
  for (const s of build.steps) {
    if (s.internal) continue;
    if (s.status === 'cached') cached++;
    else if (s.status === 'done' || s.status === 'error') executed++;
  }
  return {
    imports,
    exports,
    inline,
    importMs: sum(imports.map((i) => i.durationMs)),
    exportMs: sum(exports.map((e) => e.durationMs)),
    stepsFromCache: imports.length > 0 ? cached : null,
    stepsExecuted: executed,
  };
}

/** The CI system the environment says this runs on, or null. */
export function detectCi(env: Record<string, string | undefined>): string | null {
  const set = (name: string) => env[name] !== undefined && env[name] !== '' && env[name] !== 'false' && env[name] !== '0';
  if (env.GITHUB_ACTIONS === 'true') return 'GitHub Actions';
  if (set('GITLAB_CI')) return 'GitLab CI';
  if (set('CIRCLECI')) return 'CircleCI';
  if (set('BUILDKITE')) return 'Buildkite';
  if (set('TF_BUILD')) return 'Azure Pipelines';
  if (set('JENKINS_URL') || set('JENKINS_HOME')) return 'Jenkins';
  if (set('BITBUCKET_BUILD_NUMBER')) return 'Bitbucket Pipelines';
  if (set('CODEBUILD_BUILD_ID')) return 'AWS CodeBuild';
  if (set('TEAMCITY_VERSION')) return 'TeamCity';
  if (set('TRAVIS')) return 'Travis CI';
  if (set('DRONE')) return 'Drone';
  if (set('CI')) return 'a CI runner (CI is set)';
  return null;
}

/** A `--cache-to`/`--cache-from` value read into its type and attributes (`type=local,dest=d,mode=max`). */
export interface CacheSpec {
  type: string;
  attrs: Record<string, string>;
  raw: string;
}

/** `type=registry,ref=x,mode=max` → its parts; a bare `ref` (`--cache-from app:cache`) is type=registry. */
export function parseCacheSpec(raw: string): CacheSpec {
  const attrs: Record<string, string> = {};
  if (!raw.includes('=')) return { type: 'registry', attrs: { ref: raw }, raw };
  for (const part of raw.split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) attrs[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return { type: attrs.type ?? 'registry', attrs, raw };
}

export const REMOTE_CACHE_RULES = {
  'no-cache-from-on-ci': {
    severity: 'warning' as Severity,
    description: 'A cold build on a CI runner that imports no cache.',
    message: 'This build ran cold on {{ci}}, which starts without a build cache, and imported none: {{executed}} steps ran ({{stepsTime}}). Import the cache of an earlier build with --cache-from (and write it with --cache-to), e.g. --cache-from type=gha --cache-to type=gha,mode=max on GitHub Actions, or type=registry,ref=<image>:cache.',
  },
  'cache-to-docker-driver': {
    severity: 'error' as Severity,
    description: '--cache-to with the docker driver, which cannot export a cache.',
    message: 'The builder "{{builder}}" uses the docker driver, which cannot export a build cache (docker refused --cache-to {{cacheTo}}): create a builder that can (`docker buildx create --use --driver docker-container`), turn on the containerd image store, or use --cache-to type=inline.',
  },
  'cache-mode-min-multi-stage': {
    severity: 'warning' as Severity,
    description: '--cache-to in mode=min on a multi-stage build: the other stages are never cached.',
    message: '--cache-to {{cacheTo}} exports in mode=min{{defaulted}}: only the layers of the final stage are cached, so the {{count}} other stages ({{stages}}) run again on every fresh runner ({{stepsTime}} in this build). Add mode=max{{inlineHint}}.',
  },
  'cache-export-slower-than-build': {
    severity: 'warning' as Severity,
    description: 'Exporting the cache took longer than the steps it would save.',
    message: 'Exporting the cache ({{destination}}) took {{exportTime}}, longer than the {{stepsTime}} of steps that ran in this build: the cache costs more than it saves. Export it less often (from the main branch only), in mode=min, or to a closer cache backend.',
  },
} as const;

export type RemoteCacheRule = keyof typeof REMOTE_CACHE_RULES;

/** Exports shorter than this are never worth a finding. */
const EXPORT_NOTICEABLE_MS = 1000;

export interface RemoteCacheInput {
  build: Build;
  cache: RemoteCache | null;
  /** The CI system (detectCi), or null. */
  ci: string | null;
  /** `--cache-from` / `--cache-to` as given to docker; null when unknown (a saved log). */
  cacheFrom: string[] | null;
  cacheTo: string[] | null;
  /** formatDuration, injected so this module stays free of formatting choices. */
  formatDuration: (ms: number) => string;
}

function fill(template: string, data: Record<string, string | number>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (_, k: string) => String(data[k] ?? ''));
}

function finding(rule: RemoteCacheRule, data: Record<string, string | number>, costMs?: number): Finding {
  const meta = REMOTE_CACHE_RULES[rule];
  const f: Finding = { rule, severity: meta.severity, message: fill(meta.message, data), file: null, line: null };
  if (costMs !== undefined && costMs > 0) f.costMs = costMs;
  return f;
}

/**
 * Steps that do work the cache can save: RUN, COPY, ADD. FROM and WORKDIR end CACHED even in a
 * `--no-cache` build, so they say nothing about the cache; BuildKit also names a FROM shared by two
 * stages after either of them, so FROM steps do not tell the stages apart either.
 */
function isWork(s: Step): boolean {
  return /^(?:RUN|COPY|ADD|LINK COPY)\s/i.test(s.instruction ?? '');
}

/** The stages of these steps in Dockerfile order (by line where mapped, else by start time). */
function stagesInOrder(steps: readonly Step[]): string[] {
  const first = new Map<string, number>();
  for (const s of steps) {
    if (s.stage === null) continue;
    const at = s.line ?? (s.startMs ?? Infinity) + 1e9;
    if (!first.has(s.stage) || at < first.get(s.stage)!) first.set(s.stage, at);
  }
  return [...first.keys()].sort((a, b) => first.get(a)! - first.get(b)!);
}

/** The stage the build ends in: that of its last step by Dockerfile line, else by end time, else in log order. */
function finalStage(steps: readonly Step[]): string | null {
  let best: Step | undefined;
  const lined = steps.filter((s) => s.line !== null && s.stage !== null);
  if (lined.length > 0) {
    for (const s of lined) if (!best || s.line! > best.line!) best = s;
    return best!.stage;
  }
  const timed = steps.filter((s) => s.endMs !== null && s.stage !== null);
  for (const s of timed) if (!best || s.endMs! > best.endMs!) best = s;
  return best?.stage ?? steps.filter((s) => s.stage !== null).pop()?.stage ?? null;
}

/** The findings on cache use this build and its invocation show (cache-to-docker-driver: see dockerDriverRefusal). */
export function remoteCacheFindings(input: RemoteCacheInput): Finding[] {
  const { build, cache, ci, formatDuration } = input;
  const out: Finding[] = [];
  const user = build.steps.filter((s) => !s.internal);
  const work = user.filter(isWork);
  const ran = work.filter((s) => s.status === 'done' || s.status === 'error');
  const ranMs = ran.reduce((t, s) => t + (s.durationMs ?? 0), 0);

  const imported = (cache?.imports.length ?? 0) > 0 || (input.cacheFrom?.length ?? 0) > 0;
  const cold = work.some((s) => s.status === 'done' || s.status === 'error') && !work.some((s) => s.status === 'cached');
  if (ci !== null && !imported && cold) {
    out.push(finding('no-cache-from-on-ci', { ci, executed: ran.length, stepsTime: formatDuration(ranMs) }, ranMs));
  }

  const stages = stagesInOrder(work);
  if (input.cacheTo && stages.length >= 2) {
    for (const raw of input.cacheTo) {
      const spec = parseCacheSpec(raw);
      const mode = spec.type === 'inline' ? 'min' : spec.attrs.mode ?? 'min';
      if (mode !== 'min') continue;
      const final = finalStage(work);
      const others = stages.filter((s) => s !== final);
      const otherMs = work.filter((s) => s.stage !== null && s.stage !== final && (s.status === 'done' || s.status === 'error')).reduce((t, s) => t + (s.durationMs ?? 0), 0);
      out.push(finding('cache-mode-min-multi-stage', {
        cacheTo: raw,
        defaulted: spec.attrs.mode === undefined ? ' (the default)' : '',
        count: others.length,
        stages: others.join(', '),
        stepsTime: formatDuration(otherMs),
        inlineHint: spec.type === 'inline' ? ' with a cache type that supports it (registry, local, gha): inline cannot' : '',
      }, otherMs));
      break;
    }
  }

  if (cache && cache.exportMs !== null && cache.exportMs >= EXPORT_NOTICEABLE_MS && cache.exportMs > ranMs) {
    out.push(finding('cache-export-slower-than-build', {
      destination: cache.exports.map((e) => e.destination).join(', '),
      exportTime: formatDuration(cache.exportMs),
      stepsTime: formatDuration(ranMs),
    }, cache.exportMs - ranMs));
  }
  return out;
}

/** docker's refusal of --cache-to on the docker driver (buildx prints it before any step runs). */
const DOCKER_DRIVER_REFUSAL = /Cache export is not supported for the docker driver|cache export feature is currently not supported for docker driver/i;

/** The cache-to-docker-driver finding, when docker's output holds its refusal; else null. */
export function dockerDriverRefusal(text: string, cacheTo: readonly string[], builder: string | null): Finding | null {
  if (!DOCKER_DRIVER_REFUSAL.test(text)) return null;
  return finding('cache-to-docker-driver', { builder: builder ?? 'default', cacheTo: cacheTo.join(' ') || '(unknown)' });
}
