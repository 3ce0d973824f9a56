// The build context listed by GNU find, for ContextScanner.scanListed: on Linux, `find` stats the
// files (fstatat relative to an open directory, ~2x faster than lstat from node) in its own process,
// while node loads the modules it needs, and streams `type size path` records. Only the listing
// comes from find: every decision (match, prune, odd names, special files, what is read) is taken
// by the scanner on each listed path, as it takes it on readdir's entries, so the scan is the same.
// find prunes the directories the scanner would prune (so it does not walk them for nothing), and
// leaves out directories this process cannot read, which the scanner then reads itself and reports
// as it does today. Any failure (no find, not GNU find, an error while walking) gives null: the
// caller walks the context with node instead.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, read as fsRead, readdirSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Dockerignore } from '../core/dockerignore.js';
import type { ListedDir, ListedEntry } from './context-scanner.js';

export interface FindListingOptions {
  ignore: Dockerignore | null;
  /** The find to run (tests); `find` from PATH by default. */
  command?: string;
  /** The environment for find (PATH); process.env by default. */
  env?: Record<string, string | undefined>;
  signal?: AbortSignal;
}

export interface FindListing {
  /** The directories find listed, by path relative to the root ('' for the root); null when find failed. */
  done: Promise<Map<string, ListedDir> | null>;
  /** Stop find (the listing is not needed). */
  stop(): void;
}

/**
 * Start listing `root` with GNU find, now. Null where it is not worth trying (not Linux: find there
 * is not GNU find).
 */
export function startFindListing(root: string, options: FindListingOptions): FindListing | null {
  if (process.platform !== 'linux' && options.command === undefined) return null;
  const args = findArguments(root, options.ignore);
  // find writes to an unlinked temporary file, not a pipe: a pipe fills (64 kB) while node is busy
  // loading its modules, and find would wait for node instead of running beside it.
  let fd: number;
  let child: ReturnType<typeof spawn>;
  try {
    const path = join(tmpdir(), `buildlens-context-${process.pid}-${randomBytes(6).toString('hex')}`);
    fd = openSync(path, 'wx+', 0o600);
    try {
      child = spawn(options.command ?? 'find', args, { cwd: root, stdio: ['ignore', fd, 'ignore'], env: { ...(options.env ?? process.env), LC_ALL: 'C' } });
    } finally {
      unlinkSync(path);
    }
  } catch {
    return null;
  }
  const parser = new FindRecords();
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

  // The records are read as find writes them (whenever this thread is free), and the rest at the end.
  const read = (position: number) => new Promise<Buffer>((resolve, reject) => {
    const buf = Buffer.allocUnsafe(READ_BYTES);
    fsRead(fd, buf, 0, READ_BYTES, position, (err, n) => (err ? reject(err) : resolve(buf.subarray(0, n))));
  });
  const pump = async (): Promise<Map<string, ListedDir> | null> => {
    let position = 0;
    for (;;) {
      const done = stopped();
      const chunk = await read(position);
      if (chunk.length > 0) {
        position += chunk.length;
        if (!parser.push(chunk)) {
          child.kill();
          return null;
        }
        continue;
      }
      if (done) return exited === 0 ? parser.end() : null;
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
  const done = pump().catch(() => null).finally(() => {
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

/** `*?[\` escaped for find's -path (fnmatch). */
function globEscape(name: string): string {
  return name.replace(/[*?[\]\\]/g, '\\$&');
}

/**
 * find's arguments, run in `root` (so that names are given as `./name` and no argument can be taken
 * for an option): entries below the root, one record each, NUL-terminated (a name can hold a new line):
 *   - `P0/path` a directory the scanner prunes (find does not enter it);
 *   - `X0/path` a directory this process cannot read or enter (find does not enter it either);
 *   - `R<size>/path` a regular file this process cannot read (ContextScanner's test, on the mode bits);
 *   - `<%y><size>/path` anything else: f file, d directory, l symlink (never followed), s/p/b/c/D.
 */
export function findArguments(root: string, ignore: Dockerignore | null): string[] {
  const args = ['.', '-mindepth', '1'];
  const prune = ignore ? prunedDirs(root, ignore) : [];
  if (prune.length > 0) {
    args.push('(');
    prune.forEach((p, i) => args.push(...(i > 0 ? ['-o'] : []), '-path', `./${globEscape(p)}`));
    args.push(')', '-printf', 'P0/%P\\0', '-prune', '-o');
  }
  args.push('-type', 'd', '!', '(', '-readable', '-executable', ')', '-printf', 'X0/%P\\0', '-prune', '-o');
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  if (uid !== 0) {
    const gids = typeof process.getgroups === 'function' ? [...new Set(process.getgroups())] : [];
    const inGroup = gids.length === 0 ? ['-false'] : ['(', ...gids.flatMap((g, i) => [...(i > 0 ? ['-o'] : []), '-gid', String(g)]), ')'];
    // ContextScanner.readable: the owner's bit for the owner, else the group's for a member, else the others'.
    const readable = ['(', '-uid', String(uid), '-perm', '-400', ')', '-o', '(', '!', '-uid', String(uid), ...inGroup, '-perm', '-040', ')', '-o', '(', '!', '-uid', String(uid), '!', ...inGroup, '-perm', '-004', ')'];
    args.push('-type', 'f', '!', '(', ...readable, ')', '-printf', 'R%s/%P\\0', '-o');
  }
  args.push('-printf', '%y%s/%P\\0');
  return args;
}

/**
 * Directories the scanner will prune, to prune in find too: the top-level ones, and deeper ones a
 * pattern names without wildcards. (Only a saving: the scanner decides on every listed path.)
 */
function prunedDirs(root: string, ignore: Dockerignore): string[] {
  const out = new Set<string>();
  try {
    for (const e of readdirSync(root, { withFileTypes: true })) {
      if (!e.isDirectory() || e.name.includes('\ufffd')) continue;
      if (ignore.match(e.name, null).excluded && ignore.prunes(e.name)) out.add(e.name);
    }
  } catch {
    return [];
  }
  for (const p of ignore.patterns) {
    if (p.exception) continue;
    const path = p.pattern.endsWith('/**') ? p.pattern.slice(0, -3) : p.pattern;
    if (!path.includes('/') || /[*?[\]\\^]/.test(path) || path.startsWith('../') || path === '..') continue;
    if (out.has(path.slice(0, path.indexOf('/')))) continue;
    if (ignore.status(path, true) === 'pruned') out.add(path);
  }
  return [...out];
}

/** A listed entry, with its sort key: the name's bytes, one code unit each (libuv's strcmp order). */
interface KeyedEntry extends ListedEntry {
  key: string;
}

class Listed implements ListedDir {
  readonly entries: KeyedEntry[] = [];
  private isSorted = false;

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

/** find's records, parsed as they stream in: each entry goes to its parent directory's list. */
export class FindRecords {
  private readonly dirs = new Map<string, Listed>([['', new Listed()]]);
  /** The directories from the root to the last one listed: byte length of the path, path, list (null: not listed). */
  private readonly open: Array<{ len: number; rel: string; list: Listed | null }> = [{ len: 0, rel: '', list: this.dirs.get('')! }];
  private rest: Buffer | null = null;
  private bad = false;

  /** Take a chunk of find's output; false once it is not what was asked for. */
  push(chunk: Buffer): boolean {
    if (this.bad) return false;
    let buf = chunk;
    if (this.rest) {
      buf = Buffer.concat([this.rest, chunk]);
      this.rest = null;
    }
    let start = 0;
    for (;;) {
      const end = buf.indexOf(NUL, start);
      if (end < 0) break;
      if (!this.record(buf, start, end)) {
        this.bad = true;
        return false;
      }
      start = end + 1;
    }
    if (start < buf.length) this.rest = buf.subarray(start);
    return true;
  }

  /** The listing, or null when the output was cut or malformed. */
  end(): Map<string, ListedDir> | null {
    if (this.bad || this.rest) return null;
    return this.dirs;
  }

  private record(buf: Buffer, start: number, end: number): boolean {
    const type = buf[start]!;
    let i = start + 1;
    let size = 0;
    while (i < end && buf[i]! >= 0x30 && buf[i]! <= 0x39) size = size * 10 + (buf[i++]! - 0x30);
    if (i === start + 1 || buf[i] !== SLASH) return false;
    const pathStart = i + 1;
    if (pathStart >= end) return false;
    let slash = buf.lastIndexOf(SLASH, end - 1);
    if (slash < pathStart) slash = -1;
    const parentLen = slash < 0 ? 0 : slash - pathStart;
    const open = this.open;
    while (open.length > 0 && open[open.length - 1]!.len !== parentLen) open.pop();
    const parent = open[open.length - 1];
    if (!parent) return false;
    const nameStart = slash < 0 ? pathStart : slash + 1;
    const name = buf.toString('utf8', nameStart, end);
    const bytes = end - nameStart;
    // A byte that is not UTF-8 decodes to U+FFFD, one code unit; any other non-ASCII character takes
    // more bytes than code units: so a name is ASCII when it has no U+FFFD and as many units as bytes.
    const replaced = name.includes('\ufffd');
    const ascii = !replaced && name.length === bytes;
    const valid = !replaced || Buffer.from(name, 'utf8').equals(buf.subarray(nameStart, end));
    const key = ascii ? name : buf.toString('latin1', nameStart, end);
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
    if (parent.list) parent.list.entries.push({ name, key, type: t, size: valid ? size : -1, readable });
    if (t === 'd') {
      // Only a directory find entered, under a listed one, with a name node can give back, is listed:
      // the scanner reads any other one itself (and meets the same error as without find).
      const rel = parent.rel === '' ? name : `${parent.rel}/${name}`;
      let list: Listed | null = null;
      if (type === 0x64 && valid && parent.list) {
        list = new Listed();
        this.dirs.set(rel, list);
      }
      open.push({ len: end - pathStart, rel, list });
    }
    return true;
  }
}
