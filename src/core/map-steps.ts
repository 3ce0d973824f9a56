// Map the steps of a build onto the Dockerfile it was built from: which line each step comes from,
// and the instruction as written there.
import type { Build, Step } from './model.js';
import { instructionBody, type Dockerfile, type Instruction, type Stage } from './dockerfile.js';

/**
 * Fill `line` and `sourceText` of every non-internal step (a new Build; the input is not changed).
 *
 * A step is found by its stage (`[build 3/5]` → the stage BuildKit calls `build`) and its index (BuildKit
 * numbers FROM, RUN, COPY, ADD and WORKDIR per stage), and the instruction there must agree with the
 * text the builder printed. When it does not (a Dockerfile edited since the build), the step maps to
 * the one instruction of that stage with the same text, if there is exactly one. Steps without an
 * index (legacy ENV, CMD, …) map to the instructions with the same text in order of occurrence.
 */
export function mapStepsToDockerfile(build: Build, dockerfile: Dockerfile): Build {
  const counted = new Map<Stage, Instruction[]>();
  for (const stage of dockerfile.stages) counted.set(stage, countedInstructions(stage, dockerfile));

  // How many un-indexed steps with the same stage and text have been seen so far.
  const seen = new Map<string, number>();
  const steps = build.steps.map((original): Step => {
    const step: Step = { ...original, inputs: [...original.inputs], output: [...original.output] };
    if (step.internal || step.instruction === null) return step;
    step.line = null;
    step.sourceText = null;
    const stage = findStage(step.stage, dockerfile);
    if (!stage) return step;
    const printed = step.instruction;
    let found: Instruction | undefined;
    if (step.index !== null) {
      const candidate = counted.get(stage)?.[step.index - 1];
      if (candidate && textMatches(printed, candidate)) found = candidate;
      else {
        const same = stage.instructions.filter((ins) => textMatches(printed, ins));
        if (same.length === 1) found = same[0];
      }
    } else {
      const key = `${stage.index}\u0000${normaliseSpace(printed)}`;
      const k = seen.get(key) ?? 0;
      seen.set(key, k + 1);
      found = stage.instructions.filter((ins) => textMatches(printed, ins))[k];
    }
    if (found) {
      step.line = found.line;
      step.sourceText = found.text;
    }
    return step;
  });
  mapSharedVertexes(steps, counted);
  return { ...build, steps, warnings: build.warnings.map((w) => ({ ...w })), errorExcerpt: [...build.errorExcerpt] };
}

/**
 * BuildKit shares an identical vertex between builds that run at the same time on one daemon, and
 * may print it under the other build's name (`[deps 2/4] WORKDIR /app` in a build whose stage is
 * `build`, `[1/4] FROM …` in a 3-step stage). A step left unmapped is mapped to the one counted
 * instruction of the whole Dockerfile with its text that no other step took (the first, when they
 * are written the same), and takes that instruction's stage.
 */
function mapSharedVertexes(steps: Step[], counted: Map<Stage, Instruction[]>): void {
  const taken = new Set<number>();
  for (const s of steps) if (s.line !== null) taken.add(s.line);
  for (const step of steps) {
    if (step.internal || step.instruction === null || step.line !== null || step.index === null) continue;
    const matches: Array<{ stage: Stage; ins: Instruction }> = [];
    for (const [stage, list] of counted) {
      for (const ins of list) if (!taken.has(ins.line) && textMatches(step.instruction, ins)) matches.push({ stage, ins });
    }
    // Identical instructions (`FROM alpine` in two stages) are one vertex to BuildKit: the first will do.
    // (FROMs that matched all name the printed image: their `AS` names do not matter.)
    const same = matches.length > 1 && matches.every((m) => m.ins.keyword === 'FROM' || normaliseSpace(m.ins.text) === normaliseSpace(matches[0]!.ins.text));
    if (matches.length !== 1 && !same) continue;
    const { stage, ins } = matches[0]!;
    step.line = ins.line;
    step.sourceText = ins.text;
    step.stage = stage.buildkitName;
    taken.add(ins.line);
  }
}

/** The stage a step's bracket names; a step without a stage belongs to the only stage. */
export function findStage(name: string | null, dockerfile: Dockerfile): Stage | undefined {
  if (name === null) return dockerfile.stages.length === 1 ? dockerfile.stages[0] : undefined;
  const n = name.toLowerCase();
  return (
    dockerfile.stages.find((s) => s.buildkitName === n) ??
    dockerfile.stages.find((s) => s.name?.toLowerCase() === n) ??
    dockerfile.stages.find((s) => `stage-${s.index}` === n)
  );
}

/**
 * The instructions BuildKit numbers in a stage, in order: its FROM when the base is an image (not
 * `scratch`, not an earlier stage), then RUN, COPY, ADD and WORKDIR (a `WORKDIR /` prints no step).
 */
export function countedInstructions(stage: Stage, dockerfile: Dockerfile): Instruction[] {
  const out: Instruction[] = [];
  for (const ins of stage.instructions) {
    switch (ins.keyword) {
      case 'FROM': {
        const base = expandGlobalArgs(stage.baseImage, dockerfile).toLowerCase();
        const earlier = dockerfile.stages.slice(0, stage.index).some((s) => s.name?.toLowerCase() === base);
        if (base !== 'scratch' && !earlier) out.push(ins);
        break;
      }
      case 'WORKDIR':
        if (instructionBody(ins).replace(/^["']|["']$/g, '') !== '/') out.push(ins);
        break;
      case 'RUN':
      case 'COPY':
      case 'ADD':
        out.push(ins);
        break;
    }
  }
  return out;
}

/**
 * Does the instruction text the builder printed come from this instruction? Whitespace is
 * normalised; `$VAR` and `${…}` in the written text match whatever BuildKit expanded them to; quotes
 * BuildKit removed from COPY/ADD/WORKDIR names are ignored; FROM compares image references
 * (`node` = `docker.io/library/node:latest`); a heredoc RUN may carry BuildKit's ` (first line...)`.
 */
export function textMatches(printed: string, ins: Instruction): boolean {
  let p = normaliseSpace(printed);
  if (p.startsWith('LINK ')) p = p.slice(5); // the merge vertex of `COPY --link`
  const space = p.indexOf(' ');
  const keyword = (space < 0 ? p : p.slice(0, space)).toUpperCase();
  if (keyword !== ins.keyword) return false;
  const rest = space < 0 ? '' : p.slice(space + 1);
  if (keyword === 'FROM') return fromMatches(rest, ins);

  let written = ins.args;
  let shown = rest;
  if (keyword === 'COPY' || keyword === 'ADD' || keyword === 'WORKDIR') {
    written = stripQuotes(written);
    shown = stripQuotes(shown);
  }
  const parts = literalParts(written);
  if (globMatch(parts, shown)) return true;
  // BuildKit appends ` (first line of the heredoc...)` to a RUN whose script is a heredoc.
  return !!ins.heredocs && globMatch([...parts.slice(0, -1), `${parts[parts.length - 1] ?? ''} (`, ')'], shown);
}

function fromMatches(shownArgs: string, ins: Instruction): boolean {
  const shown = imageOf(shownArgs);
  const written = imageOf(instructionBody(ins));
  if (!shown || !written) return false;
  const hasDigest = written.includes('@');
  const shownRef = hasDigest ? shown : shown.replace(/@.*$/, '');
  if (!written.includes('$')) return normaliseImageRef(written) === normaliseImageRef(shownRef);
  // A reference built from ARGs: match it against the printed one in each of its spellings.
  const parts = literalParts(written);
  return imageSpellings(shownRef).some((s) => globMatch(parts, s));
}

/** The image word of FROM arguments (flags and `AS name` dropped). */
function imageOf(args: string): string | null {
  const words = args.split(' ').filter((w) => w && !w.startsWith('--'));
  return words[0] ?? null;
}

/** `node` → `docker.io/library/node:latest`; `ghcr.io/a/b:1` unchanged; digests kept. */
export function normaliseImageRef(ref: string): string {
  const at = ref.indexOf('@');
  const digest = at >= 0 ? ref.slice(at) : '';
  let name = at >= 0 ? ref.slice(0, at) : ref;
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  let tag = '';
  if (colon > slash) {
    tag = name.slice(colon);
    name = name.slice(0, colon);
  }
  const first = name.split('/')[0] ?? '';
  const hasDomain = name.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  let domain = 'docker.io';
  let path = name;
  if (hasDomain) {
    domain = first === 'index.docker.io' ? 'docker.io' : first;
    path = name.slice(first.length + 1);
  }
  if (domain === 'docker.io' && !path.includes('/')) path = `library/${path}`;
  if (!tag && !digest) tag = ':latest';
  return `${domain}/${path}${tag}${digest}`;
}

/** The ways a normalised reference may have been written: with or without registry and `:latest`. */
function imageSpellings(ref: string): string[] {
  const out = new Set<string>([ref]);
  for (const r of [...out]) {
    if (r.startsWith('docker.io/library/')) out.add(r.slice('docker.io/library/'.length));
    if (r.startsWith('docker.io/')) out.add(r.slice('docker.io/'.length));
  }
  for (const r of [...out]) if (r.endsWith(':latest')) out.add(r.slice(0, -':latest'.length));
  return [...out];
}

/** Expand `$X` / `${X}` / `${X:-d}` in a FROM image with the defaults of the global ARGs. */
function expandGlobalArgs(text: string, dockerfile: Dockerfile): string {
  if (!text.includes('$')) return text;
  const vars = new Map<string, string>();
  for (const ins of dockerfile.instructions) {
    if (ins.stageIndex !== null) break;
    if (ins.keyword !== 'ARG') continue;
    for (const word of ins.args.split(' ')) {
      const eq = word.indexOf('=');
      if (eq > 0) vars.set(word.slice(0, eq), word.slice(eq + 1).replace(/^["']|["']$/g, ''));
    }
  }
  return text.replace(/\$\{([A-Za-z_]\w*)(?::?[-+]([^}]*))?\}|\$([A-Za-z_]\w*)/g, (_m, a?: string, d?: string, b?: string) => {
    const name = a ?? b ?? '';
    return vars.get(name) ?? d ?? '';
  });
}

const VARIABLE = /\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*/g;

/** Written text split at its variable references: the literal pieces, with "anything" between them. */
function literalParts(written: string): string[] {
  return written.split(VARIABLE);
}

/**
 * Does `text` consist of the pieces in order, with anything (or nothing) between consecutive pieces?
 * Leftmost matching of each middle piece is enough, so this is linear in practice (no regex
 * backtracking on long RUN lines with many variables).
 */
function globMatch(parts: string[], text: string): boolean {
  const first = parts[0] ?? '';
  if (parts.length === 1) return text === first;
  const last = parts[parts.length - 1] ?? '';
  if (!text.startsWith(first) || !text.endsWith(last) || first.length + last.length > text.length) return false;
  let pos = first.length;
  const end = text.length - last.length;
  for (const piece of parts.slice(1, -1)) {
    const at = text.indexOf(piece, pos);
    if (at < 0 || at + piece.length > end) return false;
    pos = at + piece.length;
  }
  return true;
}

function stripQuotes(s: string): string {
  return s.replace(/["']/g, '');
}

function normaliseSpace(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}
