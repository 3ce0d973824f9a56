// The build context listed by GNU find, for ContextScanner.scanListed: on Linux, `find` stats the
// files (fstatat relative to an open directory, ~2x faster than lstat from node) in its own process,
// while node loads the modules it needs, and streams `type size path` records. Only the listing
// comes from find: every decision (match, prune, odd names, special files, what is read) is taken
// by the scanner on each listed path, as it takes it on readdir's entries, so the scan is the same.
// find prunes the directories the scanner would prune (so it does not walk them for nothing), and
// leaves out directories this process cannot read, which the scanner then reads itself and reports
// as it does today. Any failure (no find, not GNU find, an error while walking) gives null: the
// caller walks the context with node instead.
import { isAscii } from 'node:buffer';
import { spawn } from 'node:child_process';
import { accessSync, closeSync, constants as fsConstants, openSync, read as fsRead, readdirSync, unlinkSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Dockerignore } from '../core/dockerignore.js';
import type { ListedDir, ListedEntry } from './context-scanner.js';

export interface FindListingOptions {
  ignore: Dockerignore | null;
  /** The find to run (tests); `find` from PATH by default. */
  command?: string;
  /** The environment for find (PATH); process.env by default. */
  env?: Record<string, string | undefined>;
  /** How many finds may run at once (one per core, up to 4, by default). */
  processes?: number;
  signal?: AbortSignal;
}

export interface FindListing {
  /** The directories find listed, by path relative to the root ('' for the root); null when find failed. */
  done: Promise<Map<string, ListedDir> | null>;
  /**
   * Have `fn` called with each directory once it is listed whole (those listed already, then the
   * others as find lists them), to go through them while find lists the rest.
   */
  onDirectory(fn: (rel: string, dir: ListedDir) => void): void;
  /** Stop find (the listing is not needed). */
  stop(): void;
}

/**
 * Start listing `root` with GNU find, now. Null where it is not worth trying (not Linux: find there
 * is not GNU find). A context with many subdirectories is listed by several finds at once (one per
 * core, up to 4): one lists the first two levels, the others share the subtrees below.
 */
export function startFindListing(root: string, options: FindListingOptions): FindListing | null {
  if (process.platform !== 'linux' && options.command === undefined) return null;
  const plan = listingPlan(root, options.ignore, options.processes ?? Math.min(4, availableParallelism()));
  const dirs = new Map<string, Listed>([['', new Listed()]]);
  for (const unit of plan.units.flat()) dirs.set(unit, new Listed());
  const runs: FindRun[] = [];
  const stopAll = () => runs.forEach((r) => r.stop());
  let backlog: Array<[string, ListedDir]> | null = [];
  let onDirectory = (rel: string, dir: ListedDir): void => {
    backlog!.push([rel, dir]);
  };
  const parsers = [new FindRecords(dirs, plan.units.length > 0 ? 2 : null), ...plan.units.map((units) => new FindRecords(dirs, null, new Set(units)))];
  for (const p of parsers) p.onComplete = (rel, dir) => onDirectory(rel, dir);
  try {
    runs.push(runFind(root, findArguments(['.'], plan.units.length > 0 ? 2 : null, plan.prune), parsers[0]!, options));
    plan.units.forEach((units, i) => runs.push(runFind(root, findArguments(units.map((u) => `./${u}`), null, plan.prune, 0), parsers[i + 1]!, options)));
  } catch {
    stopAll();
    return null;
  }
  const done = Promise.all(runs.map((r) => r.done.then((ok) => {
    if (!ok) stopAll();
    return ok;
  }))).then((oks) => (oks.every((ok) => ok) ? (dirs as Map<string, ListedDir>) : null));
  return {
    done,
    stop: stopAll,
    onDirectory: (fn) => {
      onDirectory = fn;
      const queued = backlog ?? [];
      backlog = null;
      for (const [rel, dir] of queued) fn(rel, dir);
    },
  };
}

interface FindRun {
  /** True when find exited 0 and its records were all read. */
  done: Promise<boolean>;
  stop(): void;
}

let tempFiles = 0;

/** One find, writing to an unlinked temporary file that is read as it grows. */
function runFind(root: string, args: string[], parser: FindRecords, options: FindListingOptions): FindRun {
  // A file, not a pipe: a pipe fills (64 kB) while node is busy loading its modules, and find would
  // wait for node instead of running beside it. Unlinked as soon as find has it open.
  // `wx`: created here or not at all (never a file or link already there); the name need not be
  // secret (node:crypto would cost ~4 ms to load before find can start).
  const path = join(tmpdir(), `buildlens-context-${process.pid}-${++tempFiles}-${Math.random().toString(36).slice(2)}`);
  const fd = openSync(path, 'wx+', 0o600);
  let child: ReturnType<typeof spawn>;
  try {
    child = spawn(options.command ?? 'find', args, { cwd: root, stdio: ['ignore', fd, 'ignore'], env: { ...(options.env ?? process.env), LC_ALL: 'C' } });
  } catch (err) {
    closeSync(fd);
    throw err;
  } finally {
    unlinkSync(path);
  }
  let exited: number | null | undefined;
  let wake: (() => void) | null = null;
  const stopped = () => exited !== undefined;
  const onExit = (code: number | null) => {
    if (exited === undefined) exited = code;
    wake?.();
  };
  child.on('error', () => onExit(null));
  child.on('exit', (code) => onExit(code));
  const onAbort = () => {
    child.kill();
    onExit(null);
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const read = (position: number) => new Promise<Buffer>((resolve, reject) => {
    const buf = Buffer.allocUnsafe(READ_BYTES);
    fsRead(fd, buf, 0, READ_BYTES, position, (err, n) => (err ? reject(err) : resolve(buf.subarray(0, n))));
  });
  // The records are read as find writes them (whenever this thread is free), and the rest at the end.
  const pump = async (): Promise<boolean> => {
    let position = 0;
    for (;;) {
      const ended = stopped();
      const chunk = await read(position);
      if (chunk.length > 0) {
        position += chunk.length;
        if (!parser.push(chunk)) {
          child.kill();
          return false;
        }
        continue;
      }
      if (ended) return exited === 0 && parser.end();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, POLL_MS);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = null;
    }
  };
  const done = pump().catch(() => false).finally(() => {
    options.signal?.removeEventListener('abort', onAbort);
    closeSync(fd);
  });
  return {
    done,
    stop: () => {
      if (!stopped()) child.kill();
    },
  };
}

/** How much of find's output is read at a time, and how often the file is looked at while find runs. */
const READ_BYTES = 1 << 20;
const POLL_MS = 4;
/** Split the listing only with this many subtrees (directories two levels down) to share. */
const SPLIT_MIN_UNITS = 8;

/** `*?[\` escaped for find's -path (fnmatch). */
function globEscape(name: string): string {
  return name.replace(/[*?[\]\\]/g, '\\$&');
}

/**
 * find's arguments, run in the root (so that paths are given as `./name` and no argument can be
 * taken for an option), for entries below the start points, one record each, NUL-terminated (a
 * name can hold a new line), the path as `./path`:
 *   - `P0/./path` a directory the scanner prunes (find does not enter it);
 *   - `X0/./path` a directory this process cannot read or enter (find does not enter it either);
 *   - `R<size>/./path` a regular file this process cannot read (ContextScanner's test, on the mode bits);
 *   - `<%y><size>/./path` anything else: f file, d directory, l symlink (never followed), s/p/b/c/D.
 */
export function findArguments(start: string[], maxDepth: number | null, prune: string[], minDepth = 1): string[] {
  const args = [...start, '-mindepth', String(minDepth), ...(maxDepth !== null ? ['-maxdepth', String(maxDepth)] : [])];
  if (prune.length > 0) {
    args.push('(');
    prune.forEach((p, i) => args.push(...(i > 0 ? ['-o'] : []), '-path', `./${globEscape(p)}`));
    args.push(')', '-printf', 'P0/%p\\0', '-prune', '-o');
  }
  args.push('-type', 'd', '!', '(', '-readable', '-executable', ')', '-printf', 'X0/%p\\0', '-prune', '-o');
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  if (uid !== 0) {
    const gids = typeof process.getgroups === 'function' ? [...new Set(process.getgroups())] : [];
    const inGroup = gids.length === 0 ? ['-false'] : ['(', ...gids.flatMap((g, i) => [...(i > 0 ? ['-o'] : []), '-gid', String(g)]), ')'];
    // ContextScanner.readable: the owner's bit for the owner, else the group's for a member, else the others'.
    const readable = ['(', '-uid', String(uid), '-perm', '-400', ')', '-o', '(', '!', '-uid', String(uid), ...inGroup, '-perm', '-040', ')', '-o', '(', '!', '-uid', String(uid), '!', ...inGroup, '-perm', '-004', ')'];
    args.push('-type', 'f', '!', '(', ...readable, ')', '-printf', 'R%s/%p\\0', '-o');
  }
  args.push('-printf', '%y%s/%p\\0');
  return args;
}

export interface ListingPlan {
  /** Directories find prunes (the scanner prunes them). */
  prune: string[];
  /** Subtrees two levels down, shared out between finds (none: one find lists it all). */
  units: string[][];
}

/**
 * What find prunes: the top-level directories the scanner prunes, and deeper ones a pattern names
 * without wildcards (only a saving: the scanner decides on every listed path). With `processes` > 1
 * and enough directories two levels down, those are dealt out in turn to the finds.
 */
export function listingPlan(root: string, ignore: Dockerignore | null, processes: number): ListingPlan {
  const prune = new Set<string>();
  let top;
  try {
    top = readdirSync(root, { withFileTypes: true });
  } catch {
    return { prune: [], units: [] };
  }
  const walked: string[] = [];
  for (const e of top) {
    if (!e.isDirectory() || e.name.includes('\ufffd')) continue;
    if (ignore && ignore.match(e.name, null).excluded && ignore.prunes(e.name)) prune.add(e.name);
    else walked.push(e.name);
  }
  if (ignore) {
    for (const p of ignore.patterns) {
      if (p.exception) continue;
      const path = p.pattern.endsWith('/**') ? p.pattern.slice(0, -3) : p.pattern;
      if (!path.includes('/') || /[*?[\]\\^]/.test(path) || path.startsWith('../') || path === '..') continue;
      if (prune.has(path.slice(0, path.indexOf('/')))) continue;
      if (ignore.status(path, true) === 'pruned') prune.add(path);
    }
  }
  const units: string[] = [];
  if (processes > 1) {
    for (const name of walked) {
      let below;
      try {
        below = readdirSync(`${root}/${name}`, { withFileTypes: true });
      } catch {
        continue;
      }
      for (const e of below) {
        const rel = `${name}/${e.name}`;
        if (!e.isDirectory() || e.name.includes('\ufffd') || prune.has(rel)) continue;
        if (ignore && ignore.status(rel, true) === 'pruned') continue;
        try {
          accessSync(`${root}/${rel}`, fsConstants.R_OK | fsConstants.X_OK);
        } catch {
          continue;
        }
        units.push(rel);
      }
    }
  }
  if (units.length < SPLIT_MIN_UNITS) return { prune: [...prune], units: [] };
  const shares: string[][] = Array.from({ length: processes }, () => []);
  units.forEach((u, i) => shares[i % processes]!.push(u));
  return { prune: [...prune], units: shares };
}

/** A listed entry, with its sort key: the name's bytes, one code unit each (libuv's strcmp order). */
interface KeyedEntry extends ListedEntry {
  key: string;
}

/** A directory's entries as find lists them. */
export class Listed implements ListedDir {
  entries: KeyedEntry[] = [];
  private isSorted = false;

  drop(): void {
    this.entries = [];
  }

  sorted(): readonly ListedEntry[] {
    if (!this.isSorted) {
      const e = this.entries;
      let inOrder = true;
      for (let i = 1; i < e.length && inOrder; i++) if (e[i - 1]!.key > e[i]!.key) inOrder = false;
      if (!inOrder) e.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      this.isSorted = true;
    }
    return this.entries;
  }
}

const NUL = 0;
const SLASH = 0x2f;
const DOT = 0x2e;

/**
 * find's records, parsed as they stream in: each entry goes to its parent directory's list, in
 * `dirs` (shared by the finds of one listing). The parent is found on the stack of directories
 * from the start point to the last one listed (find lists depth first), else in `dirs` (a start
 * point). With `maxDepth`, directories at that depth are not entered: listed only when another
 * find lists them (they are in `dirs` already).
 */
export class FindRecords {
  /** Directories open: byte length of the path, path, list (null: not listed), listed by this find. */
  private readonly open: Array<{ len: number; rel: string; list: Listed | null; own: boolean }> = [];
  /** Called with each directory this find has listed whole (its entries will not change). */
  onComplete: ((rel: string, list: ListedDir) => void) | null = null;
  private rest: Buffer | null = null;
  private bad = false;

  /**
   * @param units the start points of this find, when it is not the root's (find lists each one first,
   *   as a directory at depth 0: the stack starts again from it)
   */
  constructor(private readonly dirs: Map<string, Listed> = new Map([['', new Listed()]]), private readonly maxDepth: number | null = null, private readonly units: ReadonlySet<string> | null = null) {
    if (!units) this.open.push({ len: 0, rel: '', list: dirs.get('')!, own: true });
  }

  /** Take a chunk of find's output; false once it is not what was asked for. */
  push(chunk: Buffer): boolean {
    if (this.bad) return false;
    let buf = chunk;
    if (this.rest) {
      buf = Buffer.concat([this.rest, chunk]);
      this.rest = null;
    }
    let start = 0;
    // An ASCII chunk (the usual case) is decoded once and the paths sliced from it: decoding each
    // record on its own made parsing 100k records 1.3-1.5x slower.
    const text = isAscii(buf) ? buf.toString('latin1') : null;
    for (;;) {
      const end = buf.indexOf(NUL, start);
      if (end < 0) break;
      if (!this.record(buf, start, end, text)) {
        this.bad = true;
        return false;
      }
      start = end + 1;
    }
    if (start < buf.length) this.rest = Buffer.from(buf.subarray(start));
    return true;
  }

  /** True when the output ended on a whole record and every record was understood. */
  end(): boolean {
    if (this.bad || this.rest !== null) return false;
    while (this.open.length > 0) this.close();
    return true;
  }

  /** The last open directory is listed whole. */
  private close(): void {
    const d = this.open.pop()!;
    if (d.own && d.list) this.onComplete?.(d.rel, d.list);
  }

  /** The listing (the shared `dirs`), or null when the output was cut or malformed. */
  listing(): Map<string, ListedDir> | null {
    return this.end() ? this.dirs : null;
  }

  private record(buf: Buffer, start: number, end: number, text: string | null): boolean {
    const type = buf[start]!;
    let i = start + 1;
    let size = 0;
    while (i < end && buf[i]! >= 0x30 && buf[i]! <= 0x39) size = size * 10 + (buf[i++]! - 0x30);
    if (i === start + 1 || buf[i] !== SLASH || buf[i + 1] !== DOT || buf[i + 2] !== SLASH) return false;
    // the path, without find's `./`
    const pathStart = i + 3;
    if (pathStart >= end) return false;
    let slash = buf.lastIndexOf(SLASH, end - 1);
    if (slash < pathStart) slash = -1;
    const parentLen = slash < 0 ? 0 : slash - pathStart;
    const open = this.open;
    if (this.units && (type === 0x64 || type === 0x50 || type === 0x58)) {
      const rel = text !== null ? text.slice(pathStart, end) : buf.toString('utf8', pathStart, end);
      if (this.units.has(rel)) {
        // a start point (listed by the find of the levels above): what follows is below it
        const list = this.dirs.get(rel);
        if (type !== 0x64 || !list) return false;
        while (open.length > 0) this.close();
        open.push({ len: end - pathStart, rel, list, own: true });
        return true;
      }
    }
    while (open.length > 0 && open[open.length - 1]!.len !== parentLen) this.close();
    const parent = open[open.length - 1];
    if (!parent) return false;
    const nameStart = slash < 0 ? pathStart : slash + 1;
    let path: string;
    let name: string;
    let key: string;
    let valid = true;
    if (text !== null) {
      path = text.slice(pathStart, end);
      name = slash < 0 ? path : text.slice(nameStart, end);
      key = name;
    } else {
      // The whole path decoded at once (one flat string; a `/` always ends a byte sequence, so the
      // parent's part decodes as the parent's path did), the name sliced from it.
      path = buf.toString('utf8', pathStart, end);
      name = slash < 0 ? path : path.slice(path.lastIndexOf('/') + 1);
      const bytes = end - nameStart;
      // A byte that is not UTF-8 decodes to U+FFFD, one code unit; any other non-ASCII character takes
      // more bytes than code units: so a name is ASCII when it has no U+FFFD and as many units as bytes.
      const replaced = name.includes('\ufffd');
      const ascii = !replaced && name.length === bytes;
      valid = !replaced || Buffer.from(name, 'utf8').equals(buf.subarray(nameStart, end));
      key = ascii ? name : buf.toString('latin1', nameStart, end);
    }
    let t: string;
    let readable = true;
    switch (type) {
      case 0x66: t = 'f'; break; // f
      case 0x6c: t = 'l'; break; // l
      case 0x52: t = 'f'; readable = false; break; // R
      case 0x64: case 0x50: case 0x58: t = 'd'; break; // d, P, X
      case 0x73: t = 's'; break;
      case 0x70: t = 'p'; break;
      case 0x62: t = 'b'; break;
      case 0x63: t = 'c'; break;
      case 0x44: t = 'D'; break;
      default: return false;
    }
    if (parent.list) parent.list.entries.push({ name, path, key, type: t, size: valid ? size : -1, readable });
    if (t === 'd') {
      // Only a directory find entered, under a listed one, with a name node can give back, is listed:
      // the scanner reads any other one itself (and meets the same error as without find).
      const rel = path;
      let list: Listed | null = null;
      let own = false;
      if (type === 0x64 && valid && parent.list) {
        const depth = open.length;
        list = this.dirs.get(rel) ?? null;
        if (!list && (this.maxDepth === null || depth < this.maxDepth)) {
          list = new Listed();
          this.dirs.set(rel, list);
          own = true;
        }
      }
      open.push({ len: end - pathStart, rel, list, own });
    }
    return true;
  }
}
