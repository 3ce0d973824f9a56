// The build model: the one thing every command reads. Pure data, JSON-serialisable.

/** The log shape a build was read from; `tty` is BuildKit's `--progress=tty` display captured as text. */
export type SourceFormat = 'plain' | 'rawjson' | 'legacy' | 'tty';

export type BuilderKind = 'buildkit' | 'legacy';

/**
 * done: ran and finished; cached: served from the cache; error: failed; canceled: stopped by
 * BuildKit because another step failed; incomplete: the log stops before the step ended.
 */
export type StepStatus = 'done' | 'cached' | 'error' | 'canceled' | 'incomplete';

export interface Step {
  /** Stable within one build: BuildKit's `#N` number as a string; for rawjson the order of first appearance; for legacy the Step number. */
  id: string;
  /** rawjson only: the vertex digest. */
  digest?: string;
  /** The display name as the builder printed it, e.g. `[builder 3/7] RUN go build ./...`. */
  name: string;
  /** compose service or bake target, when the log carries one. */
  target: string | null;
  /** e.g. `linux/arm64`, or `linux/amd64->arm64` for a cross-compiling stage. */
  platform: string | null;
  /** The stage name (`builder`, `stage-0`), when printed or derivable. */
  stage: string | null;
  /** `[builder 3/7]` → 3 and 7. BuildKit counts FROM, RUN, COPY, ADD and WORKDIR only. */
  index: number | null;
  total: number | null;
  /** The Dockerfile instruction text as the builder printed it (`RUN npm ci`); null for internal steps. */
  instruction: string | null;
  /** The Dockerfile line (1-based) of the instruction, once mapped against a Dockerfile. */
  line: number | null;
  /**
   * The instruction as written in the Dockerfile (continuations joined), once mapped: BuildKit
   * prints build-arg values inside step names, so this is what the step matcher compares.
   */
  sourceText: string | null;
  /** `[internal] …`, `exporting to image`, `resolve …`, `[auth] …`: kept, but not counted in totals. */
  internal: boolean;
  status: StepStatus;
  /** Milliseconds relative to the build start, when the source has absolute times. */
  startMs: number | null;
  endMs: number | null;
  /** Milliseconds; 0 for cached steps; null when unknowable (legacy text, steps that never finished). */
  durationMs: number | null;
  /** ids of the steps this one depends on, where the format tells (rawjson). */
  inputs: string[];
  /** A bounded tail of the step's output lines (see OUTPUT_TAIL_LINES). */
  output: string[];
  /** Output lines dropped from the tail. */
  outputDropped: number;
  /** The step's own error message (`process "/bin/sh -c x" did not complete successfully: exit code: 1`). */
  error: string | null;
  /**
   * For a step served from the cache: how long it took the last time it ran, from an earlier report
   * of the same Dockerfile (the history), when known. What a cache breaker above it would cost.
   */
  coldMs?: number;
}

export interface BuildWarning {
  message: string;
  /** The step the warning belongs to, when known. */
  stepId: string | null;
  /** The Dockerfile line it points at, when known. */
  line: number | null;
}

export interface BuilderInfo {
  kind: BuilderKind;
  /** buildx builder instance name (`default`), when printed. */
  name: string | null;
  /** `docker`, `docker-container`, … when printed. */
  driver: string | null;
  /** What is known of versions, e.g. `{ buildx: '0.13.1' }`. */
  versions: Record<string, string>;
}

export interface Build {
  format: SourceFormat;
  builder: BuilderInfo;
  /** UTC ISO time of the build start, when the source carries absolute times. */
  startedAt: string | null;
  /** Wall-clock duration; null where the source has no absolute times and it cannot be derived. */
  durationMs: number | null;
  /** Bytes sent as the build context (`transferring context: 2.07kB`, `Sending build context`), when known. */
  contextBytes: number | null;
  steps: Step[];
  warnings: BuildWarning[];
  /** The final error of a failed build (`failed to solve: …`), else null. */
  error: string | null;
  /** The error excerpt BuildKit prints after a failure (the `------` block and the Dockerfile snippet). */
  errorExcerpt: string[];
  /**
   * True when the log stops before the build ended (cut mid-step or mid-line). A failed build whose
   * final error was printed is complete, even if a step it stopped never printed its end (that step
   * stays `incomplete`).
   */
  incomplete: boolean;
}

export const OUTPUT_TAIL_LINES = 20;
export const OUTPUT_LINE_MAX_CHARS = 1000;

export function emptyBuild(format: SourceFormat, kind: BuilderKind): Build {
  return {
    format,
    builder: { kind, name: null, driver: null, versions: {} },
    startedAt: null,
    durationMs: null,
    contextBytes: null,
    steps: [],
    warnings: [],
    error: null,
    errorExcerpt: [],
    incomplete: false,
  };
}

export function newStep(id: string, name: string): Step {
  return {
    id,
    name,
    target: null,
    platform: null,
    stage: null,
    index: null,
    total: null,
    instruction: null,
    line: null,
    sourceText: null,
    internal: true,
    status: 'incomplete',
    startMs: null,
    endMs: null,
    durationMs: null,
    inputs: [],
    output: [],
    outputDropped: 0,
    error: null,
  };
}

/**
 * Append an output line to a step, keeping only the last OUTPUT_TAIL_LINES lines. The line may be a
 * slice of a large input chunk: parsers copy a step's tail when the step ends (see plain.ts) so the
 * chunks are not kept alive.
 */
export function pushOutput(step: Step, line: string): void {
  const text = line.length > OUTPUT_LINE_MAX_CHARS ? line.slice(0, OUTPUT_LINE_MAX_CHARS) + '…' : line;
  step.output.push(text);
  if (step.output.length > OUTPUT_TAIL_LINES) {
    step.output.shift();
    step.outputDropped++;
  }
}

/** Steps that count in totals: everything that is not internal. */
export function userSteps(build: Build): Step[] {
  return build.steps.filter((s) => !s.internal);
}

export type Severity = 'error' | 'warning' | 'info';

/**
 * One mechanical edit of a file: replace lines startLine..endLine (1-based, inclusive) with `text`
 * (several lines joined by \n; '' deletes them). An insertion before line N is startLine = N,
 * endLine = N - 1.
 */
export interface TextEdit {
  startLine: number;
  endLine: number;
  text: string;
}

/** A safe mechanical edit of the file a finding points at. */
export interface Fix {
  description: string;
  edits: TextEdit[];
}

export interface Finding {
  rule: string;
  severity: Severity;
  message: string;
  /** The Dockerfile or .dockerignore it points at (as given by the user), or null for build-only findings. */
  file: string | null;
  line: number | null;
  /** A change that alters behaviour, in words (and lines to add). */
  suggestion?: string;
  fix?: Fix;
  /** What the finding costs per build, when a build is known. */
  costMs?: number;
  /** The ids of the build steps whose time makes up costMs (so that totals count a step once). */
  costSteps?: string[];
}
