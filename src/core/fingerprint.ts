// Fingerprints: for each step of a build, what its cache key depends on — the instruction as written,
// the ARGs in scope (names; values only as salted hashes), the files under its context sources
// (a digest of content and mode each: BuildKit's key uses content and metadata, not mtime), the base
// image, the steps it builds on — plus the builder and the flags that disable or bring cache. Pure:
// the Dockerfile and what io/fingerprint.ts measured in, the model out; two of them are enough for
// src/core/why.ts to explain a cache miss. Nothing secret is kept: no build-arg value in clear, and
// secret mounts are not part of the key.
import { bindMountSources, contextPath, contextUse, copySources, mountFroms, stageRef, words } from './context.js';
import { PatternList, type IgnorePattern, type MatchInfo } from './dockerignore.js';
import type { Dockerfile, Instruction } from './dockerfile.js';
import { normaliseImageRef } from './map-steps.js';

export const FINGERPRINTS_VERSION = 1;

/** An image as the build used it: the reference (ARGs expanded) and what the engine knew of it. */
export interface ImageFingerprint {
  /** The reference, ARGs expanded and normalised (`docker.io/localbase/busybox:latest`). */
  ref: string;
  /** The local image ID (`sha256:…`), when the engine has the image (the docker driver uses it until `--pull`). */
  imageId: string | null;
  /** The repo digest (`name@sha256:…`), when known. */
  repoDigest: string | null;
}

/** What a non-vertex instruction (ENV, USER, SHELL) sets for the RUN steps after it. */
export interface SettingFingerprint {
  line: number;
  text: string;
}

export interface StepFingerprint {
  /** 1-based Dockerfile line of the instruction. */
  line: number;
  /** Stage index, and its name as written (or null). */
  stage: number;
  stageName: string | null;
  keyword: string;
  /** The instruction as written (continuations joined). */
  text: string;
  /** For heredoc instructions: a digest of the bodies (they are part of the key, not of `text`). */
  heredocDigest?: string;
  /** Lines of the steps this one builds on: the step before it in its stage (or its FROM), `--from` stages. */
  parents: number[];
  /** Names of the ARGs in scope at this instruction. */
  argsInScope: string[];
  /** The ARGs that are in this step's key (every one in scope for RUN; those the text names for others), by name: a salted hash of the value, null when unset. */
  args: Record<string, string | null>;
  /** RUN: the ENV, USER and SHELL instructions of the stage before it (they are in its key). */
  settings?: SettingFingerprint[];
  /** Context sources (COPY/ADD, `RUN --mount=type=bind`), cleaned and relative to the context root; absent when none. */
  sources?: string[];
  /** FROM of an image, or `COPY --from=<image>` / `--mount=from=<image>`. */
  image?: ImageFingerprint;
}

export interface Fingerprints {
  version: typeof FINGERPRINTS_VERSION;
  /** A hash of the salt the build-arg values were hashed with (never the salt): reports compare build-args only when equal. */
  saltId: string;
  /** A hash of the machine's host name: tells a fresh runner from the same machine. */
  hostId: string;
  builder: { name: string | null; driver: string | null };
  flags: { noCache: boolean; noCacheFilter: string[]; cacheFrom: string[]; pull: boolean };
  target: string | null;
  platform: string | null;
  /** The context files under any step's sources, after the ignore file: path → `<content digest>:<mode>`. */
  files: Record<string, string>;
  steps: StepFingerprint[];
}

export interface BuildArgValue {
  name: string;
  /** The value as docker gets it (the environment's for `--build-arg NAME`); null when unset. */
  value: string | null;
}

export interface StepModelInput {
  target: string | null;
  buildArgs: readonly BuildArgValue[];
  /** The salted hash of an ARG's value (io/fingerprint.ts: HMAC-SHA256). */
  hashArg: (name: string, value: string) => string;
  /** A digest of a text (heredoc bodies). */
  digestText: (text: string) => string;
}

// ---------------------------------------------------------------------------------------------
// The step model of a Dockerfile

interface ArgDecl {
  name: string;
  default: string | null;
}

/** `ARG A B=1 "C=x y"` → its declarations. */
export function argDeclarations(ins: Instruction): ArgDecl[] {
  const out: ArgDecl[] = [];
  for (const word of words(ins.args)) {
    const eq = word.indexOf('=');
    if (eq === 0) continue;
    if (eq < 0) out.push({ name: word, default: null });
    else out.push({ name: word.slice(0, eq), default: word.slice(eq + 1).replace(/^["']|["']$/g, '') });
  }
  return out;
}

const VAR_REF = /\$\{([A-Za-z_]\w*)(?::?[-+?]([^}]*))?\}|\$([A-Za-z_]\w*)/g;

/** The variable names a text refers to (`$A`, `${B:-x}`). */
export function referencedNames(text: string): Set<string> {
  const out = new Set<string>();
  for (const m of text.matchAll(VAR_REF)) out.add(m[1] ?? m[3] ?? '');
  return out;
}

function expand(text: string, vars: ReadonlyMap<string, string | null>): string {
  if (!text.includes('$')) return text;
  return text.replace(VAR_REF, (_m, a?: string, d?: string, b?: string) => vars.get(a ?? b ?? '') ?? d ?? '');
}

const VERTEX = new Set(['FROM', 'RUN', 'COPY', 'ADD', 'WORKDIR']);
const SETTINGS = new Set(['ENV', 'USER', 'SHELL']);

/**
 * The steps of the stages the target reaches, in Dockerfile order, without what only the engine and
 * the file system know (image IDs: `image.imageId`/`repoDigest` are null; files: see `sourcePatterns`).
 */
export function stepModel(df: Dockerfile, input: StepModelInput): StepFingerprint[] {
  const use = contextUse(df, input.target ?? undefined);
  if (!use) return [];
  const cli = new Map<string, string | null>();
  for (const a of input.buildArgs) cli.set(a.name, a.value);
  // Global ARGs: the command line wins over the default.
  const globals = new Map<string, string | null>();
  for (const ins of df.instructions) {
    if (ins.stageIndex !== null) break;
    if (ins.keyword !== 'ARG') continue;
    for (const d of argDeclarations(ins)) globals.set(d.name, cli.has(d.name) ? cli.get(d.name)! : d.default !== null ? expand(d.default, globals) : null);
  }
  const reached = new Set(use.reachedStages);
  const lastLine = new Map<number, number>();
  const out: StepFingerprint[] = [];
  const hash = (name: string, value: string | null) => (value === null ? null : input.hashArg(name, value));
  for (const stage of df.stages) {
    if (!reached.has(stage.index)) continue;
    const scope = new Map<string, string | null>();
    const settings: SettingFingerprint[] = [];
    let previous: number | null = null;
    for (const ins of stage.instructions) {
      if (ins.keyword === 'ARG') {
        for (const d of argDeclarations(ins)) {
          const value = cli.has(d.name) ? cli.get(d.name)! : d.default !== null ? expand(d.default, scope) : globals.get(d.name) ?? null;
          scope.set(d.name, value);
        }
        continue;
      }
      if (SETTINGS.has(ins.keyword)) {
        settings.push({ line: ins.line, text: ins.text });
        continue;
      }
      if (!VERTEX.has(ins.keyword)) continue;
      const step: StepFingerprint = {
        line: ins.line,
        stage: stage.index,
        stageName: stage.name,
        keyword: ins.keyword,
        text: ins.text,
        parents: [],
        argsInScope: [...scope.keys()],
        args: {},
      };
      if (ins.heredocBodies && ins.heredocBodies.length > 0) step.heredocDigest = input.digestText(ins.heredocBodies.join('\0'));
      if (ins.keyword === 'FROM') {
        for (const name of referencedNames(stage.baseImage)) step.args[name] = hash(name, globals.get(name) ?? null);
        const base = expand(stage.baseImage, globals);
        const ref = stageRef(df, base, stage.index);
        if (ref !== null) {
          const p = lastLine.get(ref);
          if (p !== undefined) step.parents.push(p);
        } else if (base.toLowerCase() !== 'scratch') {
          step.image = { ref: normaliseImageRef(base), imageId: null, repoDigest: null };
        }
      } else {
        if (previous !== null) step.parents.push(previous);
        const named = referencedNames(ins.text);
        for (const [name, value] of scope) {
          if (ins.keyword === 'RUN' || named.has(name)) step.args[name] = hash(name, value);
        }
        if (ins.keyword === 'RUN' && settings.length > 0) step.settings = [...settings];
        const froms = [...(ins.flags['from'] ?? []), ...(ins.keyword === 'RUN' ? mountFroms(ins) : [])];
        for (const f of froms) {
          const from = expand(f, scope);
          const ref = stageRef(df, from, stage.index);
          if (ref !== null) {
            const p = lastLine.get(ref);
            if (p !== undefined && !step.parents.includes(p)) step.parents.push(p);
          } else if (!step.image) {
            step.image = { ref: normaliseImageRef(from), imageId: null, repoDigest: null };
          }
        }
        // A source naming a variable is kept as written (its expansion could hold a build-arg value):
        // it stands for the whole context, as BuildKit's transfer does.
        const sources = (ins.keyword === 'RUN' ? bindMountSources(ins) : copySources(ins)).map((s) => (s.includes('$') ? s : contextPath(s)));
        if (sources.length > 0) step.sources = sources;
      }
      out.push(step);
      previous = ins.line;
      lastLine.set(stage.index, ins.line);
    }
  }
  return out;
}

/** Every context source of the steps (what io/fingerprint.ts digests). */
export function sourcePatterns(steps: readonly StepFingerprint[]): string[] {
  const out = new Set<string>();
  for (const s of steps) for (const p of s.sources ?? []) out.add(p);
  return [...out];
}

/** The images the steps name (for `docker image inspect`). */
export function imageRefs(steps: readonly StepFingerprint[]): string[] {
  return [...new Set(steps.flatMap((s) => (s.image ? [s.image.ref] : [])))];
}

/** An include matcher for context sources: a source matches itself and everything below it (fsutil). */
export function sourceMatcher(sources: readonly string[]): (path: string) => boolean {
  if (sources.some((s) => s === '.' || s.includes('$'))) return () => true;
  const list = new PatternList(sources.map((s, i): IgnorePattern => ({ pattern: s, exception: false, line: i + 1, source: s })), 'include');
  const memo = new Map<string, MatchInfo>();
  const dirInfo = (dir: string): MatchInfo => {
    const known = memo.get(dir);
    if (known !== undefined) return known;
    const slash = dir.lastIndexOf('/');
    const info = list.match(dir, slash < 0 ? null : dirInfo(dir.slice(0, slash))).info;
    memo.set(dir, info);
    return info;
  };
  return (path) => {
    const slash = path.lastIndexOf('/');
    return list.match(path, slash < 0 ? null : dirInfo(path.slice(0, slash))).matched;
  };
}

// ---------------------------------------------------------------------------------------------
// File digests

/** `<content digest>:<mode>`, the form `files` keeps; a symlink's content is its target. */
export function fileDigest(contentDigest: string, mode: number, symlink: boolean): string {
  return `${symlink ? 'l' : ''}${contentDigest}:${(mode & 0o7777).toString(8)}`;
}

export type FileChangeKind = 'content' | 'mode' | 'content+mode' | 'added' | 'removed';

export interface FileChange {
  path: string;
  change: FileChangeKind;
}

function splitDigest(d: string): { content: string; mode: string } {
  const colon = d.lastIndexOf(':');
  return colon < 0 ? { content: d, mode: '' } : { content: d.slice(0, colon), mode: d.slice(colon + 1) };
}

/** The files under `sources` that differ between two `files` maps, in path order. */
export function changedFiles(before: Readonly<Record<string, string>>, after: Readonly<Record<string, string>>, sources: readonly string[]): FileChange[] {
  const match = sourceMatcher(sources);
  const out: FileChange[] = [];
  for (const [path, a] of Object.entries(after)) {
    if (!match(path)) continue;
    const b = before[path];
    if (b === undefined) {
      out.push({ path, change: 'added' });
      continue;
    }
    if (a === b) continue;
    const x = splitDigest(b);
    const y = splitDigest(a);
    const content = x.content !== y.content;
    const mode = x.mode !== y.mode;
    out.push({ path, change: content && mode ? 'content+mode' : content ? 'content' : 'mode' });
  }
  for (const path of Object.keys(before)) {
    if (!(path in after) && match(path)) out.push({ path, change: 'removed' });
  }
  return out.sort((p, q) => (p.path < q.path ? -1 : p.path > q.path ? 1 : 0));
}
