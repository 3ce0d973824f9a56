// Why each step ran: two reports with fingerprints (src/core/fingerprint.ts) in, for every step that
// ran in AFTER the first cause of its re-run out, following the chain to its root — an earlier step
// that ran (parent-rebuilt, with its own cause), the base image, the instruction, the files under its
// sources, a build-arg in scope, or, when every input matches BEFORE, the cache itself was not there
// (cache-unavailable, with what the evidence points to). Pure: reports in, data out.
import { changedFiles, type FileChange, type Fingerprints, type ImageFingerprint, type StepFingerprint } from './fingerprint.js';
import type { Report, ReportStep } from './report/report.js';
import { diffLines } from './diff.js';

export const WHY_VERSION = 1;

/** Files named in a cause; the rest is counted. */
export const FILES_SHOWN = 5;

export type CauseKind = 'files-changed' | 'build-arg-changed' | 'instruction-changed' | 'base-image-changed' | 'parent-rebuilt' | 'cache-unavailable' | 'unknown';

/**
 * What points to the cache not being there when the inputs match: `no-cache` / `no-cache-filter`
 * (AFTER's flags), `different-builder` (another builder name or driver), `no-cache-imported` (another
 * machine, no `--cache-from`: a fresh runner), `cache-import-missed` (another machine whose
 * `--cache-from` did not have it), `pruned-or-evicted` (same machine and builder: the cache was
 * pruned or garbage-collected).
 */
export type CacheEvidence = 'no-cache' | 'no-cache-filter' | 'different-builder' | 'no-cache-imported' | 'cache-import-missed' | 'pruned-or-evicted';

export interface Cause {
  kind: CauseKind;
  /** files-changed: the first FILES_SHOWN changes, and how many in all. */
  files?: { changes: FileChange[]; total: number };
  /** build-arg-changed: the ARG names (never values). */
  args?: string[];
  /** instruction-changed: the line that changed (the step's own, or an ENV/USER/SHELL before it), old and new text. */
  instruction?: { line: number; before: string | null; after: string | null };
  /** base-image-changed: the FROM (or `--from` image) line, the image before and after. */
  image?: { line: number; before: ImageFingerprint | null; after: ImageFingerprint };
  /** parent-rebuilt: the earlier step that ran, and its own cause. */
  parent?: { line: number; instruction: string; cause: Cause };
  /** cache-unavailable: what the evidence points to, and the builders when they differ. */
  evidence?: CacheEvidence[];
  builders?: { before: string; after: string };
  /** unknown: why buildlens cannot tell. */
  reason?: string;
}

export interface WhyStep {
  /** The step's id in AFTER. */
  id: string;
  line: number | null;
  stage: string | null;
  instruction: string;
  durationMs: number | null;
  cause: Cause;
}

export interface WhyReport {
  version: typeof WHY_VERSION;
  /** Where each report came from, and how the text reports name it. */
  before: { file: string | null; label: string; startedAt: string | null };
  after: { file: string | null; label: string; startedAt: string | null };
  /** Non-internal steps of AFTER, and how many of them ran. */
  steps: number;
  executed: number;
  /** `compared`, or `unknown` when the reports hashed build-args with different salts. */
  buildArgs: 'compared' | 'unknown';
  explained: WhyStep[];
  notes: string[];
}

export interface WhyOptions {
  beforeFile?: string | null;
  afterFile?: string | null;
  /** How to name them (default: the file). */
  beforeLabel?: string;
  afterLabel?: string;
}

/** The fingerprints of a report (an added optional field: older reports have none). */
export function fingerprintsOf(report: Report): Fingerprints | null {
  const f = (report as Report & { fingerprints?: unknown }).fingerprints;
  return f && typeof f === 'object' && Array.isArray((f as Fingerprints).steps) ? (f as Fingerprints) : null;
}

function ran(s: ReportStep): boolean {
  return !s.internal && (s.status === 'done' || s.status === 'error');
}

function stepKey(s: StepFingerprint): string {
  return `${s.keyword} ${s.text}`;
}

/** AFTER line → the BEFORE step it is (same text, aligned within its stage), or null; and for an unpaired one, the BEFORE step it replaced when the gap says so. */
function pairSteps(before: readonly StepFingerprint[], after: readonly StepFingerprint[]): { same: Map<number, StepFingerprint>; replaced: Map<number, StepFingerprint> } {
  const same = new Map<number, StepFingerprint>();
  const replaced = new Map<number, StepFingerprint>();
  const stageKey = (s: StepFingerprint) => (s.stageName ? `n:${s.stageName.toLowerCase()}` : `i:${s.stage}`);
  const groups = (list: readonly StepFingerprint[]) => {
    const m = new Map<string, StepFingerprint[]>();
    for (const s of list) m.set(stageKey(s), [...(m.get(stageKey(s)) ?? []), s]);
    return m;
  };
  const b = groups(before);
  for (const [key, a] of groups(after)) {
    const x = b.get(key) ?? [];
    // The line diff of the instruction texts: what stayed; the gaps are what changed.
    let i = 0;
    let j = 0;
    let gapBefore: StepFingerprint[] = [];
    let gapAfter: StepFingerprint[] = [];
    const closeGap = () => {
      gapAfter.forEach((s, k) => {
        const old = gapBefore[k];
        if (old) replaced.set(s.line, old);
      });
      gapBefore = [];
      gapAfter = [];
    };
    for (const op of diffLines(x.map(stepKey), a.map(stepKey))) {
      if (op.kind === ' ') {
        closeGap();
        same.set(a[j++]!.line, x[i++]!);
      } else if (op.kind === '-') gapBefore.push(x[i++]!);
      else gapAfter.push(a[j++]!);
    }
    closeGap();
  }
  return { same, replaced };
}

export function imageChanged(before: ImageFingerprint, after: ImageFingerprint): boolean {
  if (before.ref !== after.ref) return true;
  if (before.imageId !== null && after.imageId !== null && before.imageId !== after.imageId) return true;
  return before.repoDigest !== null && after.repoDigest !== null && before.repoDigest !== after.repoDigest;
}

function builderText(f: Fingerprints): string {
  return `${f.builder.name ?? 'unknown'} (${f.builder.driver ?? 'unknown driver'})`;
}

function sameBuilder(b: Fingerprints, a: Fingerprints): boolean {
  const differ = (x: string | null, y: string | null) => x !== null && y !== null && x !== y;
  return !differ(b.builder.name, a.builder.name) && !differ(b.builder.driver, a.builder.driver);
}

/** Explain every step that ran in AFTER. */
export function explainRebuild(before: Report, after: Report, options: WhyOptions = {}): WhyReport {
  const fb = fingerprintsOf(before);
  const fa = fingerprintsOf(after);
  const userSteps = after.steps.filter((s) => !s.internal);
  // A FROM vertex only resolves the image: its effect shows in the steps after it (base-image-changed).
  const executed = userSteps.filter((s) => ran(s) && !/^FROM\b/i.test(s.instruction ?? ''));
  const out: WhyReport = {
    version: WHY_VERSION,
    before: { file: options.beforeFile ?? null, label: options.beforeLabel ?? options.beforeFile ?? 'the earlier build', startedAt: before.startedAt },
    after: { file: options.afterFile ?? null, label: options.afterLabel ?? options.afterFile ?? 'the later build', startedAt: after.startedAt },
    steps: userSteps.length,
    executed: executed.length,
    buildArgs: 'compared',
    explained: [],
    notes: [],
  };
  const row = (s: ReportStep, cause: Cause): WhyStep => ({ id: s.id, line: s.line, stage: s.stage, instruction: s.sourceText ?? s.instruction ?? s.name, durationMs: s.durationMs, cause });
  if (!fa || !fb) {
    const which = !fa && !fb ? 'neither report has' : !fa ? 'AFTER has no' : 'BEFORE has no';
    const reason = `${which} fingerprints (${!fa && !fb ? 'they were' : 'it was'} not written by \`buildlens build\` of this version)`;
    // The full reason once, in the notes; each row only says what is missing.
    out.explained = executed.map((s) => row(s, { kind: 'unknown', reason: 'no fingerprints to compare' }));
    if (executed.length > 0) out.notes.push(`Cannot explain: ${reason}.`);
    return out;
  }
  const saltsMatch = fb.saltId === fa.saltId;
  if (!saltsMatch) {
    out.buildArgs = 'unknown';
    out.notes.push('build-arg comparison unknown: the reports hashed build-arg values with different salts (set the same BUILDLENS_SALT on both machines to compare them).');
  }
  const byLine = new Map(fa.steps.map((s) => [s.line, s]));
  const { same, replaced } = pairSteps(fb.steps, fa.steps);
  const ranLines = new Set(userSteps.filter(ran).map((s) => s.line).filter((l): l is number => l !== null));

  const evidence = (step: StepFingerprint): Cause => {
    const ev: CacheEvidence[] = [];
    if (fa.flags.noCache) ev.push('no-cache');
    const filter = fa.flags.noCacheFilter.map((f) => f.toLowerCase());
    if (filter.includes((step.stageName ?? '').toLowerCase()) || filter.includes(String(step.stage))) ev.push('no-cache-filter');
    const cause: Cause = { kind: 'cache-unavailable', evidence: ev };
    if (!sameBuilder(fb, fa)) {
      ev.push('different-builder');
      cause.builders = { before: builderText(fb), after: builderText(fa) };
    }
    if (fb.hostId !== fa.hostId) ev.push(fa.flags.cacheFrom.length === 0 ? 'no-cache-imported' : 'cache-import-missed');
    if (ev.length === 0) ev.push('pruned-or-evicted');
    return cause;
  };

  const memo = new Map<number, Cause>();
  const causeOf = (step: StepFingerprint, seen: Set<number>): Cause => {
    const known = memo.get(step.line);
    if (known) return known;
    if (seen.has(step.line)) return { kind: 'unknown', reason: 'the steps depend on each other in a loop' };
    seen.add(step.line);
    const cause = findCause(step, seen);
    memo.set(step.line, cause);
    return cause;
  };

  /** The cause of the FROM's image, or of the stage it builds on; null when nothing changed there. */
  const fromCause = (from: StepFingerprint, seen: Set<number>): Cause | null => {
    const old = same.get(from.line);
    if (!old) return { kind: 'instruction-changed', instruction: { line: from.line, before: replaced.get(from.line)?.text ?? null, after: from.text } };
    if (from.image && old.image && imageChanged(old.image, from.image)) return { kind: 'base-image-changed', image: { line: from.line, before: old.image, after: from.image } };
    for (const p of from.parents) {
      const parent = byLine.get(p);
      if (parent && ranLines.has(p)) return { kind: 'parent-rebuilt', parent: { line: p, instruction: parent.text, cause: causeOf(parent, seen) } };
    }
    return null;
  };

  const findCause = (step: StepFingerprint, seen: Set<number>): Cause => {
    // The chain first: what this step builds on.
    for (const p of step.parents) {
      const parent = byLine.get(p);
      if (!parent) continue;
      if (parent.keyword === 'FROM') {
        const c = fromCause(parent, seen);
        if (c) return c;
      } else if (ranLines.has(p)) {
        return { kind: 'parent-rebuilt', parent: { line: p, instruction: parent.text, cause: causeOf(parent, seen) } };
      }
    }
    // Then its own inputs.
    const old = same.get(step.line);
    if (!old) return { kind: 'instruction-changed', instruction: { line: step.line, before: replaced.get(step.line)?.text ?? null, after: step.text } };
    if ((old.heredocDigest ?? null) !== (step.heredocDigest ?? null)) return { kind: 'instruction-changed', instruction: { line: step.line, before: old.text, after: step.text } };
    const settingsBefore = (old.settings ?? []).map((s) => s.text);
    const settingsAfter = (step.settings ?? []).map((s) => s.text);
    if (settingsBefore.join('\n') !== settingsAfter.join('\n')) {
      const added = (step.settings ?? []).find((s) => !settingsBefore.includes(s.text));
      const removed = (old.settings ?? []).find((s) => !settingsAfter.includes(s.text));
      return { kind: 'instruction-changed', instruction: { line: added?.line ?? step.line, before: removed?.text ?? null, after: added?.text ?? null } };
    }
    if (step.image && old.image && imageChanged(old.image, step.image)) return { kind: 'base-image-changed', image: { line: step.line, before: old.image, after: step.image } };
    if (step.sources) {
      const changes = changedFiles(fb.files, fa.files, step.sources);
      if (changes.length > 0) return { kind: 'files-changed', files: { changes: changes.slice(0, FILES_SHOWN), total: changes.length } };
    }
    if (saltsMatch) {
      const names = new Set([...Object.keys(step.args), ...Object.keys(old.args)]);
      const changed = [...names].filter((n) => (step.args[n] ?? null) !== (old.args[n] ?? null)).sort();
      if (changed.length > 0) return { kind: 'build-arg-changed', args: changed };
    } else if (Object.keys(step.args).length > 0 && !fa.flags.noCache) {
      return { kind: 'unknown', reason: `build-arg comparison unknown (different salts) for ${Object.keys(step.args).sort().join(', ')}` };
    }
    return evidence(step);
  };

  for (const s of executed) {
    const fp = s.line !== null ? byLine.get(s.line) : undefined;
    if (!fp) {
      out.explained.push(row(s, { kind: 'unknown', reason: s.line === null ? 'the step is not mapped to a Dockerfile line' : `line ${s.line} is not a step of AFTER's fingerprints` }));
      continue;
    }
    out.explained.push(row(s, causeOf(fp, new Set())));
  }
  // Dockerfile order (the log's order depends on the builder).
  out.explained.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
  return out;
}

/** The root of a chain of parent-rebuilt causes. */
export function rootCause(cause: Cause): Cause {
  let c = cause;
  while (c.kind === 'parent-rebuilt' && c.parent) c = c.parent.cause;
  return c;
}

const EVIDENCE_TEXT: Record<CacheEvidence, string> = {
  'no-cache': 'the build ran with --no-cache',
  'no-cache-filter': 'its stage is in --no-cache-filter',
  'different-builder': 'another builder built it',
  'no-cache-imported': 'another machine built it and no cache was imported (a fresh runner: add --cache-from)',
  'cache-import-missed': 'another machine built it and the imported cache (--cache-from) did not have the step',
  'pruned-or-evicted': 'its cache was pruned or evicted (same machine and builder, no flag disabling the cache)',
};

export function evidenceText(e: CacheEvidence): string {
  return EVIDENCE_TEXT[e];
}

function shortImage(i: ImageFingerprint | null): string {
  if (!i) return 'none';
  const id = i.imageId ?? i.repoDigest?.split('@')[1] ?? null;
  return id ? `${i.ref} (${id.replace(/^sha256:/, '').slice(0, 12)})` : i.ref;
}

function fileChangeText(c: FileChange): string {
  switch (c.change) {
    case 'content': return 'content';
    case 'mode': return 'mode';
    case 'content+mode': return 'content and mode';
    case 'added': return 'added';
    case 'removed': return 'removed';
  }
}

function list(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/**
 * One cause in words, for the text and markdown reports; `code` quotes a path or an instruction
 * (backticks in text, a code span in markdown).
 */
export function causeText(cause: Cause, code: (s: string) => string = (s) => `\`${s}\``): string {
  switch (cause.kind) {
    case 'files-changed': {
      const f = cause.files!;
      const modeOnly = f.changes.every((c) => c.change === 'mode');
      const added = f.changes.every((c) => c.change === 'added');
      const removed = f.changes.every((c) => c.change === 'removed');
      const names = f.changes.map((c) => code(c.path));
      const more = f.total - f.changes.length;
      const named = list(more > 0 ? [...names, `${more} more file${more === 1 ? '' : 's'}`] : names);
      if (modeOnly) return `the mode of ${named} changed`;
      if (added) return `${named} ${f.total === 1 ? 'was' : 'were'} added`;
      if (removed) return `${named} ${f.total === 1 ? 'was' : 'were'} removed`;
      const detail = f.changes.length > 1 || f.changes[0]!.change !== 'content' ? ` (${f.changes.map((c) => `${code(c.path)}: ${fileChangeText(c)}`).join(', ')})` : '';
      return `${named} changed${detail}`;
    }
    case 'build-arg-changed': return `build-arg ${list(cause.args!.map((a) => code(a)))} changed`;
    case 'instruction-changed': {
      const i = cause.instruction!;
      if (i.before === null && i.after !== null) return `line ${i.line} is new: ${code(i.after)}`;
      if (i.after === null && i.before !== null) return `${code(i.before)} was removed above line ${i.line}`;
      return `line ${i.line} changed: ${code(i.before ?? '')} -> ${code(i.after ?? '')}`;
    }
    case 'base-image-changed': {
      const i = cause.image!;
      return `the image of line ${i.line} changed: ${code(shortImage(i.before))} -> ${code(shortImage(i.after))}`;
    }
    case 'parent-rebuilt': {
      const p = cause.parent!;
      // Name the step it builds on, then the root of the chain with its own cause.
      let root = p;
      while (root.cause.kind === 'parent-rebuilt' && root.cause.parent) root = root.cause.parent;
      if (root === p) return `line ${p.line} ${code(p.instruction)} ran: ${causeText(p.cause, code)}`;
      return `line ${p.line} ${code(p.instruction)} ran, because line ${root.line} ${code(root.instruction)} ran: ${causeText(root.cause, code)}`;
    }
    case 'cache-unavailable': {
      const ev = (cause.evidence ?? []).map((e) => (e === 'different-builder' && cause.builders ? `${EVIDENCE_TEXT[e]} (${cause.builders.before} -> ${cause.builders.after})` : EVIDENCE_TEXT[e]));
      return `its inputs match BEFORE, yet it ran: ${ev.join('; ')}`;
    }
    case 'unknown': return `unknown: ${cause.reason ?? 'no evidence'}`;
  }
}

/** The root cause as the build summary says it: "`package-lock.json` changed". */
export function rootCauseText(cause: Cause, code?: (s: string) => string): string {
  const root = rootCause(cause);
  if (root.kind === 'cache-unavailable') return (root.evidence ?? []).map((e) => EVIDENCE_TEXT[e]).join('; ');
  return causeText(root, code);
}
