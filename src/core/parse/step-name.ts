// Reading a BuildKit vertex name: `[target platform stage i/n] INSTRUCTION`, `[internal] …`, `exporting to image`.
import type { Step } from '../model.js';

export interface StepNameParts {
  target: string | null;
  platform: string | null;
  stage: string | null;
  index: number | null;
  total: number | null;
  /** The instruction text after the bracket, for counted steps; null for internal steps. */
  instruction: string | null;
  internal: boolean;
}

const PLATFORM = /^[a-z0-9]+\/[a-z0-9_]+(?:\/v[0-9]+)?(?:->[a-z0-9_]+(?:\/v[0-9]+)?)?$/;
const INDEX = /^(\d+)\/(\d+)$/;

export function isPlatform(token: string): boolean {
  return PLATFORM.test(token);
}

/**
 * Split a vertex name into its parts. The bracket holds, in order, an optional bake/compose target,
 * an optional platform, an optional stage, then `i/n` (the index right-aligned, so `[ 1/12]`).
 * One bare word before `i/n` is read as the stage (plain `docker build` never prints a target);
 * `knownTargets` lets a caller that knows the compose services say otherwise.
 */
export function parseStepName(name: string, knownTargets?: ReadonlySet<string>): StepNameParts {
  const parts: StepNameParts = {
    target: null, platform: null, stage: null, index: null, total: null, instruction: null, internal: true,
  };
  if (!name.startsWith('[')) return parts;
  const close = name.indexOf(']');
  if (close < 0) return parts;
  const tokens = name.slice(1, close).trim().split(/\s+/).filter(Boolean);
  const rest = name.slice(close + 1).trim();
  const last = tokens[tokens.length - 1];
  const m = last ? INDEX.exec(last) : null;
  if (!m) {
    // `[internal] …`, `[auth] …`, `[web internal] …`, `[linux/amd64 internal] …`, and bake's
    // `[web] exporting to image` (a lone word other than internal/auth is the target).
    const pre = last === 'internal' || last === 'auth' ? tokens.slice(0, -1) : tokens;
    for (const t of pre) {
      if (isPlatform(t)) parts.platform = t;
      else parts.target = t;
    }
    return parts;
  }
  parts.index = Number(m[1]);
  parts.total = Number(m[2]);
  parts.instruction = rest || null;
  parts.internal = false;
  const pre = tokens.slice(0, -1);
  const words: string[] = [];
  for (const t of pre) {
    if (isPlatform(t)) parts.platform = t;
    else words.push(t);
  }
  if (words.length >= 2) {
    parts.target = words[0]!;
    parts.stage = words.slice(1).join(' ');
  } else if (words.length === 1) {
    if (knownTargets?.has(words[0]!)) parts.target = words[0]!;
    else parts.stage = words[0]!;
  }
  return parts;
}

/** BuildKit v0.5–v0.7 cut vertex names to 72 bytes and added `...` (Go's `limitString`). */
const TRUNCATED_AT_BYTES = 72;

/**
 * True when a name is one BuildKit cut: a trailing `...` on a name of exactly 72 + 3 UTF-8 bytes.
 * Never guessed from the look of a name: `load build definition from Dockerfile.j` is a real name.
 * (A cut inside a multi-byte character leaves a U+FFFD before the dots, a few bytes more or less.)
 */
export function isTruncatedName(name: string): boolean {
  if (!name.endsWith('...') || name.length > TRUNCATED_AT_BYTES + 3) return false;
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes === TRUNCATED_AT_BYTES + 3) return true;
  return name.charCodeAt(name.length - 4) === 0xfffd && Math.abs(bytes - (TRUNCATED_AT_BYTES + 3)) <= 2;
}

/** Give a step its name and the parts read from it: the one way every parser names a step. */
export function nameStep(step: Step, name: string, knownTargets?: ReadonlySet<string>): StepNameParts {
  const parts = parseStepName(name, knownTargets);
  step.name = name;
  step.target = parts.target;
  step.platform = parts.platform;
  step.stage = parts.stage;
  step.index = parts.index;
  step.total = parts.total;
  step.instruction = parts.instruction;
  step.internal = parts.internal;
  return parts;
}
