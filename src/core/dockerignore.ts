// The .dockerignore matcher, written to give the same answers as BuildKit. BuildKit reads the file
// with moby/patternmatcher's `ignorefile.ReadAll`, compiles the patterns with `patternmatcher.New`
// and the client (buildx, through tonistiigi/fsutil's filterFS) walks the context with
// `MatchesUsingParentResults` and prunes excluded directories that no exception can reach. Each of
// those steps has quirks that users meet (`**` glued to text, `^` in a name, exceptions that lose to
// a later pattern under a walked directory), so this is a port of that code, not a glob library:
// docs/dependencies.md says why and how it was checked against the real engine.

/** One pattern as BuildKit keeps it. */
export interface IgnorePattern {
  /** The pattern after cleaning, without the `!` (what patternmatcher calls cleanedPattern). */
  pattern: string;
  /** `!` lines: an exception that re-includes what an earlier line excluded. */
  exception: boolean;
  /** 1-based line in the ignore file. */
  line: number;
  /** The line as written, trimmed. */
  source: string;
}

/** A pattern that makes `docker build` fail (`syntax error in pattern`, `illegal exclusion pattern: "!"`). */
export class DockerignoreError extends Error {
  constructor(message: string, readonly line: number) {
    super(message);
    this.name = 'DockerignoreError';
  }
}

/**
 * Go's `filepath.Clean` on a slash-separated path: collapse `//`, drop `.` elements, resolve `..`
 * against the element before it (never above a leading `/`), drop a trailing `/`; '' becomes '.'.
 */
export function cleanPath(p: string): string {
  if (p === '') return '.';
  const rooted = p[0] === '/';
  const n = p.length;
  let out = rooted ? '/' : '';
  let r = rooted ? 1 : 0;
  let dotdot = rooted ? 1 : 0;
  while (r < n) {
    if (p[r] === '/') {
      r++;
    } else if (p[r] === '.' && (r + 1 === n || p[r + 1] === '/')) {
      r++;
    } else if (p[r] === '.' && p[r + 1] === '.' && (r + 2 === n || p[r + 2] === '/')) {
      r += 2;
      if (out.length > dotdot) {
        let w = out.length - 1;
        while (w > dotdot && out[w] !== '/') w--;
        out = out.slice(0, w);
      } else if (!rooted) {
        if (out.length > 0) out += '/';
        out += '..';
        dotdot = out.length;
      }
    } else {
      if ((rooted && out.length !== 1) || (!rooted && out.length !== 0)) out += '/';
      const start = r;
      while (r < n && p[r] !== '/') r++;
      out += p.slice(start, r);
    }
  }
  return out === '' ? '.' : out;
}

/** Go's strings.TrimSpace: ASCII and Unicode white space. */
function trimSpace(s: string): string {
  return s.replace(/^[\s\u0085]+|[\s\u0085]+$/gu, '');
}

/**
 * Read an ignore file as `ignorefile.ReadAll` then `patternmatcher.New` do: a UTF-8 BOM dropped, lines
 * starting with `#` skipped (only at column 0), blanks trimmed, `!` split off, the pattern cleaned
 * like a path and a leading `/` dropped. Throws DockerignoreError where docker build would fail.
 */
export function parseDockerignore(text: string): IgnorePattern[] {
  const patterns: IgnorePattern[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  // bufio.Scanner: a final empty "line" after the last newline is not a line.
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  lines.forEach((raw, i) => {
    const line = i + 1;
    if (raw.startsWith('#')) return;
    let p = trimSpace(raw);
    if (p === '') return;
    const source = p;
    // ReadAll: normalise, keeping the `!`.
    const invert = p[0] === '!';
    if (invert) p = trimSpace(p.slice(1));
    if (p.length > 0) {
      p = cleanPath(p);
      if (p.length > 1 && p[0] === '/') p = p.slice(1);
    }
    if (invert) p = '!' + p;
    // New: trimmed and cleaned again, then the `!` taken off.
    p = cleanPath(trimSpace(p));
    let exception = false;
    if (p[0] === '!') {
      if (p.length === 1) throw new DockerignoreError(`line ${line}: \`${source}\` is an exception with no pattern (docker build fails with "illegal exclusion pattern: \\"!\\"")`, line);
      exception = true;
      p = p.slice(1);
    }
    const syntax = globSyntaxError(p);
    if (syntax) throw new DockerignoreError(`line ${line}: \`${source}\` is not a valid pattern (${syntax}; docker build fails with "syntax error in pattern")`, line);
    patterns.push({ pattern: p, exception, line, source });
  });
  return patterns;
}

/** The syntax check of Go's filepath.Match (run by patternmatcher.New): unclosed `[`, `[]`, a trailing `\`. */
export function globSyntaxError(p: string): string | null {
  let i = 0;
  while (i < p.length) {
    const c = p[i]!;
    if (c === '\\') {
      if (i + 1 >= p.length) return 'it ends with a lone `\\`';
      i += 2;
    } else if (c === '[') {
      i++;
      if (p[i] === '^') i++;
      let ranges = 0;
      for (;;) {
        if (i < p.length && p[i] === ']' && ranges > 0) {
          i++;
          break;
        }
        const lo = classChar(p, i);
        if (lo === null) return 'a `[` class is not closed or is empty';
        i = lo;
        if (p[i] === '-') {
          const hi = classChar(p, i + 1);
          if (hi === null) return 'a range in a `[` class has no end';
          i = hi;
        }
        ranges++;
      }
    } else {
      i++;
    }
  }
  return null;
}

/** getEsc of Go's path/filepath match.go: the index after one class character, or null when bad. */
function classChar(p: string, i: number): number | null {
  const c = p[i];
  if (c === undefined || c === '-' || c === ']') return null;
  if (c === '\\') {
    if (i + 1 >= p.length) return null;
    return i + 1 + codePointLength(p, i + 1);
  }
  return i + codePointLength(p, i);
}

function codePointLength(s: string, i: number): number {
  const cp = s.codePointAt(i);
  return cp !== undefined && cp > 0xffff ? 2 : 1;
}

type MatchType = 'exact' | 'prefix' | 'suffix' | 'regexp';

/** A compiled pattern: patternmatcher's `Pattern.compile`, with its regexp translated from RE2 to JS. */
export class CompiledPattern {
  readonly type: MatchType;
  private readonly regexp: RegExp | null = null;
  /** The regexp failed to compile: Go returns ErrBadPattern at match time and the build fails. */
  readonly invalid: boolean = false;

  constructor(readonly pattern: string, readonly exception: boolean) {
    const { type, re2 } = compileToRe2(pattern);
    this.type = type;
    if (type === 'regexp') {
      try {
        this.regexp = new RegExp(re2ToJs(re2), 'u');
      } catch {
        this.invalid = true;
      }
    }
  }

  matches(path: string): boolean {
    switch (this.type) {
      case 'exact':
        return path === this.pattern;
      case 'prefix':
        return path.startsWith(this.pattern.slice(0, -2));
      case 'suffix': {
        const suffix = this.pattern.slice(2);
        if (path.endsWith(suffix)) return true;
        return suffix[0] === '/' && path === suffix.slice(1);
      }
      case 'regexp':
        return this.regexp !== null && this.regexp.test(path);
    }
  }
}

const SHOULD_ESCAPE = new Set(['.', '+', '(', ')', '|', '{', '}', '$']);

/** patternmatcher's compile: the match type and the RE2 regexp source, character for character. */
function compileToRe2(pattern: string): { type: MatchType; re2: string } {
  let re = '^';
  let type: MatchType = 'exact';
  const chars = Array.from(pattern);
  let k = 0;
  const peek = () => chars[k];
  for (let i = 0; k < chars.length; i++) {
    const ch = chars[k++]!;
    if (ch === '*') {
      if (peek() === '*') {
        k++;
        if (peek() === '/') k++;
        if (peek() === undefined) {
          if (type === 'exact') type = 'prefix';
          else {
            re += '.*';
            type = 'regexp';
          }
        } else {
          re += '(.*/)?';
          type = 'regexp';
        }
        if (i === 0) type = 'suffix';
      } else {
        re += '[^/]*';
        type = 'regexp';
      }
    } else if (ch === '?') {
      re += '[^/]';
      type = 'regexp';
    } else if (SHOULD_ESCAPE.has(ch)) {
      re += '\\' + ch;
    } else if (ch === '\\') {
      if (peek() !== undefined) {
        re += '\\' + chars[k++]!;
        type = 'regexp';
      } else {
        re += '\\';
      }
    } else if (ch === '[' || ch === ']') {
      re += ch;
      type = 'regexp';
    } else {
      re += ch;
    }
  }
  if (type === 'regexp') re += '$';
  return { type, re2: re };
}

const hex = (c: string) => `\\u{${c.codePointAt(0)!.toString(16)}}`;

const POSIX_CLASSES: Record<string, string> = {
  alnum: '0-9A-Za-z', alpha: 'A-Za-z', ascii: '\\u{0}-\\u{7f}', blank: '\\t ', cntrl: '\\u{0}-\\u{1f}\\u{7f}',
  digit: '0-9', graph: '!-~', lower: 'a-z', print: ' -~', punct: '!-/:-@\\[-`{-~', space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z', word: '0-9A-Za-z_', xdigit: '0-9A-Fa-f',
};

/** An RE2 escape `\c` outside or inside a class, as JS (u flag); throws on escapes RE2 rejects. */
function escapeToJs(c: string, inClass: boolean): string {
  switch (c) {
    case 'd': case 'D': case 'w': case 'W': case 'b': case 'B': case 'f': case 't': case 'n': case 'r': case 'v':
      if (inClass && (c === 'b' || c === 'B')) throw new Error('bad escape');
      return '\\' + c;
    case 's': return inClass ? '\\t\\n\\f\\r ' : '[\\t\\n\\f\\r ]';
    case 'S': if (inClass) throw new Error('unsupported'); return '[^\\t\\n\\f\\r ]';
    case 'a': return '\\u{7}';
    case 'A': if (inClass) throw new Error('bad escape'); return '^';
    case 'z': if (inClass) throw new Error('bad escape'); return '$';
  }
  // RE2 takes any other punctuation literally and rejects other letters and digits.
  if (/[\p{L}\p{N}]/u.test(c)) throw new Error('bad escape');
  return hex(c);
}

/**
 * Translate the RE2 source built by compileToRe2 into a JS (u flag) regexp source. Everything we
 * generate is plain; what needs care is what users write: `[...]` classes (RE2 reads `[` inside a
 * class as a literal, knows `[:alpha:]`, and takes `]` first in a class literally), a lone `]`, and
 * `\` escapes. Throws where RE2 would not compile.
 */
function re2ToJs(src: string): string {
  const chars = Array.from(src);
  let out = '';
  let i = 0;
  while (i < chars.length) {
    const c = chars[i]!;
    if (c === '\\') {
      const n = chars[i + 1];
      if (n === undefined) throw new Error('trailing backslash');
      out += escapeToJs(n, false);
      i += 2;
    } else if (c === '[') {
      i++;
      let cls = '[';
      if (chars[i] === '^') {
        cls += '^';
        i++;
      }
      let first = true;
      for (;;) {
        const d = chars[i];
        if (d === undefined) throw new Error('missing ]');
        if (d === ']' && !first) {
          i++;
          break;
        }
        first = false;
        if (d === '[' && chars[i + 1] === ':') {
          const end = chars.indexOf(':', i + 2);
          const name = end > 0 && chars[end + 1] === ']' ? chars.slice(i + 2, end).join('') : null;
          const negated = name?.startsWith('^');
          const cls2 = name !== null ? POSIX_CLASSES[negated ? name.slice(1) : name] : undefined;
          if (cls2 !== undefined && !negated) {
            cls += cls2;
            i = end + 2;
            continue;
          }
          if (name !== null) throw new Error('unsupported class');
        }
        let lo: string;
        if (d === '\\') {
          const n = chars[i + 1];
          if (n === undefined) throw new Error('bad escape');
          lo = escapeToJs(n, true);
          i += 2;
        } else {
          lo = hex(d);
          i++;
        }
        if (chars[i] === '-' && chars[i + 1] !== undefined && chars[i + 1] !== ']') {
          const h = chars[i + 1]!;
          let hi: string;
          if (h === '\\') {
            const n = chars[i + 2];
            if (n === undefined) throw new Error('bad escape');
            hi = escapeToJs(n, true);
            i += 3;
          } else {
            hi = hex(h);
            i += 2;
          }
          if (!lo.startsWith('\\u{') || !hi.startsWith('\\u{')) throw new Error('bad range');
          if (Number.parseInt(lo.slice(3, -1), 16) > Number.parseInt(hi.slice(3, -1), 16)) throw new Error('bad range');
          cls += `${lo}-${hi}`;
        } else {
          cls += lo;
        }
      }
      out += cls + ']';
    } else if (c === ']' || c === '{' || c === '}') {
      out += hex(c);
      i++;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** What a pattern list decided for a path, kept per pattern for the paths below it (patternmatcher.MatchInfo). */
export type MatchInfo = boolean[] | null;

/** The parent paths of `path` (slash-separated, relative), shortest first: `a/b/c` → `a`, `a/b`. */
function parentPaths(path: string): string[] {
  const out: string[] = [];
  let i = path.indexOf('/');
  while (i >= 0) {
    out.push(path.slice(0, i));
    i = path.indexOf('/', i + 1);
  }
  return out;
}

/**
 * A list of patterns matched as patternmatcher.PatternMatcher does (exclude patterns from
 * .dockerignore, or include patterns from COPY sources), with fsutil's directory pruning rule.
 */
export class PatternList {
  readonly compiled: CompiledPattern[];
  /** Any `!` exception. */
  readonly exclusions: boolean;
  /** fsutil's `onlyPrefixExcludeExceptions` / `onlyPrefixIncludes`: no wildcard in the relevant patterns. */
  private readonly onlyPrefix: boolean;

  constructor(readonly patterns: IgnorePattern[], readonly kind: 'exclude' | 'include' = 'exclude') {
    this.compiled = patterns.map((p) => new CompiledPattern(p.pattern, p.exception));
    this.exclusions = patterns.some((p) => p.exception);
    const relevant = (p: IgnorePattern) => (kind === 'exclude' ? p.exception : !p.exception);
    this.onlyPrefix = !patterns.some((p) => relevant(p) && /[*[\]?^\\]/.test(withoutTrailingGlob(p.pattern)));
  }

  /** A pattern whose regexp does not compile: the build fails at the first path it is tried on. */
  get invalidPattern(): IgnorePattern | undefined {
    const i = this.compiled.findIndex((c) => c.invalid);
    return i >= 0 ? this.patterns[i] : undefined;
  }

  /**
   * patternmatcher.MatchesUsingParentResults: does `path` match (last match wins, a pattern that
   * matched the parent directory counts as matching), given what its parent directory got. With no
   * parent info (a top-level entry, or a lookup from nowhere) the parent directories are tried.
   */
  match(path: string, parent: MatchInfo): { matched: boolean; info: boolean[] } {
    const n = this.compiled.length;
    const info = new Array<boolean>(n).fill(false);
    let matched = false;
    for (let i = 0; i < n; i++) {
      const pattern = this.compiled[i]!;
      let m = parent !== null ? parent[i]! : false;
      if (!m) {
        if (pattern.exception !== matched) continue;
        m = pattern.matches(path);
        if (!m && parent === null) {
          for (const dir of parentPaths(path)) {
            if (pattern.matches(dir)) {
              m = true;
              break;
            }
          }
        }
      }
      info[i] = m;
      if (m) matched = !pattern.exception;
    }
    return { matched, info };
  }

  /**
   * fsutil's pruning: a directory that matched is not walked when no pattern of the other sign could
   * match inside it (exclude: no exception; include: no include) — decided on the pattern text.
   */
  canSkipDir(dir: string): boolean {
    if (!this.onlyPrefix) return false;
    if (this.kind === 'exclude' && !this.exclusions) return true;
    const dirSlash = dir + '/';
    for (const p of this.patterns) {
      if (this.kind === 'exclude' ? !p.exception : p.exception) continue;
      if ((withoutTrailingGlob(p.pattern) + '/').startsWith(dirSlash)) return false;
    }
    return true;
  }

  /** Would an include list prune this (unmatched) directory? */
  canSkipUnmatchedDir(dir: string): boolean {
    return this.kind === 'include' && this.canSkipDir(dir);
  }
}

function withoutTrailingGlob(p: string): string {
  let s = p;
  if (s.endsWith('/**')) s = s.slice(0, -3);
  if (s.endsWith('/*')) s = s.slice(0, -2);
  return s;
}

/** Where a path stands against an ignore file, as the BuildKit walker decides it. */
export type PathStatus = 'included' | 'excluded' | 'pruned';

/** The .dockerignore of a build, ready to answer for any path of the context. */
export class Dockerignore {
  readonly list: PatternList;

  constructor(readonly patterns: IgnorePattern[]) {
    this.list = new PatternList(patterns, 'exclude');
  }

  static parse(text: string): Dockerignore {
    return new Dockerignore(parseDockerignore(text));
  }

  /** For the walker: the match of one entry given its parent directory's info. */
  match(path: string, parent: MatchInfo): { excluded: boolean; info: boolean[] } {
    const { matched, info } = this.list.match(path, parent);
    return { excluded: matched, info };
  }

  /** For the walker: an excluded directory that is not walked at all. */
  prunes(dir: string): boolean {
    return this.list.canSkipDir(dir);
  }

  /**
   * The status of any relative path (`a/b/c`), as the walk reaches it: each directory on the way is
   * matched with its parent's info, and an excluded directory that is pruned hides what is below.
   */
  status(path: string, isDir = false): PathStatus {
    const clean = cleanPath(path);
    if (clean === '.' || clean === '') return 'included';
    const parts = clean.split('/');
    let info: MatchInfo = null;
    let sofar = '';
    for (let i = 0; i < parts.length; i++) {
      sofar = i === 0 ? parts[0]! : `${sofar}/${parts[i]}`;
      const r = this.match(sofar, info);
      const last = i === parts.length - 1;
      if (r.excluded) {
        if (last) return isDir && this.prunes(sofar) ? 'pruned' : 'excluded';
        if (this.prunes(sofar)) return 'pruned';
      }
      info = r.info;
    }
    return 'included';
  }

  /** Is this file sent (not excluded, not under a pruned directory)? */
  includes(path: string): boolean {
    return this.status(path) === 'included';
  }
}
