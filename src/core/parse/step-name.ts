// Reading a BuildKit vertex name: `[target platform stage i/n] INSTRUCTION`, `[internal] …`, `exporting to image`.

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
    // `[internal] …`, `[auth] …`, `[web internal] …`, `[linux/amd64 internal] …`
    const pre = tokens.slice(0, -1);
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
