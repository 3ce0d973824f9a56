// The legacy builder (`DOCKER_BUILDKIT=0 docker build`): `Step N/M : INSTR`, ` ---> …` markers and
// unprefixed container output. The text carries no times; a caller that knows when each line arrived
// (`atMs`) lets steps be timed from one `Step` line to the next.
//
// One log can hold several builds: docker compose v1 prints `Building web` before each service's
// build and ends a failed one with `ERROR: Service 'web' failed to build: …`; builds run one after
// another start again at `Step 1/N` (after the DEPRECATED notice and `Sending build context`).
import { emptyBuild, newStep, pushOutput, type Build, type Step } from '../model.js';
import type { FormatParser } from './index.js';
import { parseSize } from '../units.js';

interface LegacyStep {
  step: Step;
  number: number;
  /** The instruction keyword, upper-cased (`RUN`). */
  keyword: string;
  usingCache: boolean;
  running: boolean;
  closed: boolean;
  startAt: number | undefined;
  endAt: number | undefined;
  /** When its ` ---> id` came. */
  closeAt: number | undefined;
}

const STEP = /^Step (\d+)(?:\/(\d+))? : (.*)$/;
const CONTEXT = /^Sending build context to Docker daemon\s+(\S.*)$/;
const IMAGE_ID = /^(?:sha256:)?[0-9a-f]{12,64}$/;
const RUNNING_IN = /^Running in [0-9a-f]+$/;
/** Docker 1.x wrote some errors through Go's logger (`2014/10/15 00:39:29 `) or logrus (`INFO[0003] `). */
const LOG_PREFIX = /^(?:\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d |[A-Z]{4}\[\d+\] )/;
const COMMAND_FAILED = /^The command .+ returned a non-zero code: -?\d+\s*$/;
const DAEMON_ERROR = /^(?:COPY failed: |ADD failed: |failed to |Error response from daemon: |unable to prepare context: )/;
/** Image pull progress printed under a FROM (or before a step runs). */
const PULL_LINE = /^(?:[0-9a-f]{12}: |\S+: Pulling from |Digest: sha256:|Status: (?:Downloaded newer image|Image is up to date) for |Pulling repository )/;
const WARNING = /^(?: ---> )?\[Warning\] (.*)$/;
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;
/** docker compose v1: `Building web` before a service's build. */
const COMPOSE_BUILDING = /^Building ([A-Za-z0-9][A-Za-z0-9_.-]*)$/;
/** docker compose v1's last line of a failed build. */
const COMPOSE_FAILED = /^ERROR: Service '[^']*' failed to build(?: ?: (.*))?$/;

/**
 * First characters of the lines that can mean something while a step runs: `Step`, `Successfully`,
 * ` ---> `, `Removing`, `[Warning]`, `The command`, `Error response`, and the Go log / logrus prefixes.
 */
const MARKER_START: boolean[] = [];
for (const c of 'S RT[EIWF0123456789') MARKER_START[c.charCodeAt(0)] = true;

/** BuildKit numbers only these instructions (`[build 2/5]`); see dockerfile2llb. */
const COUNTED = new Set(['RUN', 'COPY', 'ADD', 'WORKDIR']);

/** A whole legacy log: one build parser per build, a new one from the line that starts the next. */
export function createLegacyParser(): FormatParser & { endAll(cutMidLine: boolean): Build[] } {
  const done: Build[] = [];
  let current = createBuildParser();
  let result: Build[] | null = null;
  function endAll(cutMidLine: boolean): Build[] {
    result ??= [...done, current.end(cutMidLine)];
    return result;
  }
  return {
    line(raw: string, atMs?: number): void {
      const cur = current;
      cur.line(raw, atMs);
      if (cur.split) {
        done.push(cur.end(false));
        current = createBuildParser();
        current.line(raw, atMs);
      }
    },
    /** The last build of the log. */
    end(cutMidLine: boolean): Build {
      const all = endAll(cutMidLine);
      return all[all.length - 1]!;
    },
    endAll,
  };
}

/** One build of a legacy log. `split` turns true on a line that starts the next build (not read). */
function createBuildParser(): FormatParser & { readonly split: boolean } {
  const build = emptyBuild('legacy', 'legacy');
  let split = false;
  /** compose v1's service, from `Building web`. */
  let target: string | null = null;
  const steps: LegacyStep[] = [];
  let current: LegacyStep | null = null;
  /** The step that ended with ` ---> id`: its time runs until the next Step / Successfully built. */
  let awaitingEnd: LegacyStep | null = null;
  let declaredTotal: number | null = null;
  let finished = false;
  let failed = false;
  let firstAt: number | undefined;
  let lastAt: number | undefined;

  function settleEnd(atMs: number | undefined): void {
    if (awaitingEnd) {
      awaitingEnd.endAt ??= atMs;
      awaitingEnd = null;
    }
  }

  function close(s: LegacyStep, atMs: number | undefined): void {
    s.closed = true;
    s.running = false;
    unpinOutput(s.step);
    s.step.status = s.usingCache ? 'cached' : 'done';
    if (current === s) current = null;
    awaitingEnd = s;
    // Its time runs on until the next Step / Successfully built (the commit happens in between).
    s.endAt = undefined;
    s.closeAt = atMs;
  }

  function fail(text: string, atMs: number | undefined): void {
    const message = unpin(text);
    if (build.error === null) build.error = message;
    failed = true;
    settleEnd(atMs);
    if (current) {
      current.closed = true;
      current.running = false;
      current.step.status = 'error';
      current.step.error = message;
      current.endAt = atMs;
      unpinOutput(current.step);
      current = null;
    }
  }

  function startStep(number: number, total: number | null, instruction: string, atMs: number | undefined): void {
    settleEnd(atMs);
    if (current) {
      // A new step means the one before succeeded, even if its ` ---> id` line was lost.
      const prev = current;
      close(prev, atMs);
      settleEnd(atMs);
    }
    if (total !== null) declaredTotal = total;
    const id = String(number);
    instruction = unpin(instruction);
    const step = newStep(id, instruction);
    step.instruction = instruction;
    step.internal = false;
    const keyword = (/^\S+/.exec(instruction)?.[0] ?? '').toUpperCase();
    current = { step, number, keyword, usingCache: false, running: false, closed: false, startAt: atMs, endAt: undefined, closeAt: undefined };
    steps.push(current);
  }

  function line(raw: string, at?: number): void {
    const atMs = at !== undefined && Number.isFinite(at) ? at : undefined;
    if (atMs !== undefined) {
      firstAt ??= atMs;
      lastAt = atMs;
    }
    let text = raw;
    if (raw.includes('\x1b')) {
      text = raw.replace(ANSI, '');
      if (text === '') return; // only a colour reset (stderr wraps itself in `\e[91m…\e[0m`)
    }

    // Fast path: inside a running step, a line whose first character starts no marker is output.
    const cur: LegacyStep | null = current;
    const running = cur !== null && cur.running;
    if (running && !MARKER_START[text.charCodeAt(0)]) {
      pushOutput(cur.step, text);
      return;
    }

    const stepMatch = STEP.exec(text);
    if (stepMatch) {
      const number = Number(stepMatch[1]);
      const last = steps[steps.length - 1];
      if (last !== undefined && number <= last.number) {
        split = true; // numbering starts again: the next build
        return;
      }
      startStep(number, stepMatch[2] === undefined ? null : Number(stepMatch[2]), stepMatch[3]!.trim(), atMs);
      return;
    }
    if (!running && steps.length > 0 && (text.startsWith('Sending build context') || text.startsWith('DEPRECATED: The legacy builder') || (text.charCodeAt(0) === 66 && COMPOSE_BUILDING.test(text)))) {
      split = true; // what a build prints before its first step
      return;
    }
    if (text.charCodeAt(0) === 66 /* B */ && !running) {
      const service = COMPOSE_BUILDING.exec(text);
      if (service) {
        target = unpin(service[1]!);
        return;
      }
    }
    if (text.startsWith('ERROR: Service ')) {
      const composeFailed = COMPOSE_FAILED.exec(text);
      if (composeFailed) {
        // Keep the first error (`The command … returned …`) when the daemon printed it before.
        if (!failed) {
          fail((composeFailed[1] ?? text.slice(7)).trim(), atMs);
          build.error = unpin(text.slice(7).trim());
        }
        return;
      }
    }

    if (text.startsWith(' ---> ')) {
      const rest = text.slice(6).trim();
      const warning = WARNING.exec(text);
      if (warning) {
        addWarning(warning[1]!);
        return;
      }
      if (!current) return; // ` ---> Removed intermediate container` after the id, on old engines
      if (rest === 'Using cache') current.usingCache = true;
      else if (RUNNING_IN.test(rest)) current.running = true;
      else if (IMAGE_ID.test(rest)) close(current, atMs);
      return;
    }

    if (!running) {
      const size = CONTEXT.exec(text);
      if (size) {
        const bytes = parseSize(size[1]!);
        if (bytes !== null) build.contextBytes = bytes;
        return;
      }
      if (text.startsWith('Sending build context to Docker daemon')) return;
    }
    if (text.startsWith('Removing intermediate container ') || text.startsWith('Successfully tagged ')) return;
    if (text.startsWith('Successfully built ')) {
      finished = true;
      settleEnd(atMs);
      if (current) {
        close(current, atMs);
        settleEnd(atMs);
      }
      return;
    }
    const warning = WARNING.exec(text);
    if (warning) {
      addWarning(warning[1]!);
      return;
    }

    const unprefixed = text.replace(LOG_PREFIX, '');
    if (COMMAND_FAILED.test(unprefixed)) {
      fail(unprefixed.trim(), atMs);
      return;
    }
    // Container output can say `failed to …` too: bare daemon errors count only outside a running step.
    if (!running && DAEMON_ERROR.test(unprefixed)) {
      fail(unprefixed.trim(), atMs);
      return;
    }
    if (running && unprefixed.startsWith('Error response from daemon: ')) {
      fail(unprefixed.trim(), atMs);
      return;
    }
    if (!cur) {
      // docker compose v1 repeats the failure as `ERROR: Service 'web' failed to build: …`.
      if (build.error === null && text.startsWith('ERROR: ')) build.error = unpin(text.slice(7).trim());
      return;
    }
    if (!running && PULL_LINE.test(text)) return;
    pushOutput(cur.step, text);
  }

  function addWarning(message: string): void {
    if (build.warnings.length < 1000) build.warnings.push({ message: unpin(message.trim()), stepId: current?.step.id ?? null, line: null });
  }

  return {
    line,
    get split() {
      return split;
    },
    end(cutMidLine: boolean): Build {
      if (current) {
        current.step.status = 'incomplete';
        unpinOutput(current.step);
        current = null;
      }
      const last = steps[steps.length - 1];
      // Neither `Successfully built` nor an error: the log stops before the build ended.
      if (!finished && !failed && (steps.length > 0 || cutMidLine)) build.incomplete = true;
      // No later line timed the end of the last step: the log's last line does.
      for (const s of steps) if (s.closed && s.endAt === undefined && s.closeAt !== undefined) s.endAt = lastAt;
      // Every step of the Dockerfile was printed: stage totals are exact.
      const allSeen = finished || (declaredTotal !== null && last !== undefined && last.number >= declaredTotal);
      numberStages(steps, allSeen);
      timeSteps(steps, firstAt);
      for (const s of steps) {
        s.step.target = target;
        build.steps.push(s.step);
      }
      if (firstAt !== undefined && lastAt !== undefined) {
        build.startedAt = new Date(firstAt).toISOString();
        build.durationMs = lastAt - firstAt;
      }
      return build;
    },
  };
}

/** Parse a whole legacy log held in memory. */
export function parseLegacyLog(text: string): Build {
  const p = createLegacyParser();
  let start = 0;
  for (;;) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) break;
    p.line(lastRedraw(text.slice(start, nl)));
    start = nl + 1;
  }
  const cut = start < text.length;
  if (cut) p.line(lastRedraw(text.slice(start)));
  return p.end(cut);
}

/** `Sending build context` is redrawn with `\r`: keep what was drawn last. */
function lastRedraw(raw: string): string {
  const line = raw.replace(/\r+$/, '');
  const cr = line.lastIndexOf('\r');
  return cr >= 0 ? line.slice(cr + 1) : line;
}

interface Stage {
  name: string | null;
  base: string;
  members: LegacyStep[];
}

/**
 * Give legacy steps BuildKit's names (`[build 2/5] RUN npm ci`), so they compare with BuildKit builds:
 * a stage is named by `AS name` (lower-cased) or `stage-K`, and only when the file has several; its
 * FROM (unless `scratch` or an earlier stage), RUN, COPY, ADD and WORKDIR are numbered.
 */
function numberStages(steps: LegacyStep[], allSeen: boolean): void {
  const stages: Stage[] = [];
  for (const s of steps) {
    if (s.keyword === 'FROM') {
      const { base, name } = readFrom(s.step.instruction ?? '');
      stages.push({ name, base, members: [s] });
    } else {
      stages[stages.length - 1]?.members.push(s); // ARG before the first FROM belongs to no stage
    }
  }
  const earlier = new Set<string>();
  stages.forEach((stage, k) => {
    const stageName = stages.length > 1 ? (stage.name ?? `stage-${k}`) : null;
    const fromCounted = stage.base !== 'scratch' && !earlier.has(stage.base);
    if (stage.name) earlier.add(stage.name);
    const counted = stage.members.filter((s, i) => (i === 0 ? fromCounted : COUNTED.has(s.keyword)));
    // The last stage may go on past the end of a failed or cut log: its total is then unknown.
    const total = allSeen || k < stages.length - 1 ? counted.length : null;
    const width = total === null ? 0 : String(total).length;
    let index = 0;
    for (const s of stage.members) {
      const step = s.step;
      step.stage = stageName;
      if (!counted.includes(s)) {
        step.name = step.instruction ?? step.name;
        continue;
      }
      index++;
      step.index = index;
      step.total = total;
      const prefix = stageName === null ? '' : stageName + ' ';
      step.name = `[${prefix}${String(index).padStart(width)}/${total ?? '?'}] ${step.instruction ?? ''}`;
    }
  });
}

function readFrom(instruction: string): { base: string; name: string | null } {
  const words = instruction.split(/\s+/).slice(1).filter((w) => !w.startsWith('--'));
  const base = (words[0] ?? '').toLowerCase();
  const name = words.length >= 3 && words[1]!.toLowerCase() === 'as' ? words[2]!.toLowerCase() : null;
  return { base, name };
}

function timeSteps(steps: LegacyStep[], firstAt: number | undefined): void {
  for (const s of steps) {
    const step = s.step;
    if (step.status === 'cached') step.durationMs = 0;
    if (firstAt === undefined || s.startAt === undefined) continue;
    step.startMs = s.startAt - firstAt;
    if (step.status === 'cached') {
      step.endMs = step.startMs;
    } else if ((step.status === 'done' || step.status === 'error') && s.endAt !== undefined) {
      step.endMs = s.endAt - firstAt;
      step.durationMs = Math.max(0, s.endAt - s.startAt);
    }
  }
}

/**
 * A copy that does not keep the (large) input chunk it was sliced from alive: V8 slices share their
 * parent, and the build model outlives the input.
 */
function unpin(s: string): string {
  return (' ' + s).slice(1);
}

/** Output lines are kept as slices while the step runs (most scroll out of the tail); copy the survivors. */
function unpinOutput(step: Step): void {
  const out = step.output;
  for (let i = 0; i < out.length; i++) out[i] = unpin(out[i]!);
}
