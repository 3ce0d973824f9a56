// CI line prefixes and terminal noise, removed before a line reaches format detection and the format
// parsers. A log carries at most one kind of prefix: it is decided once, from the first lines that
// carry one, so text that merely looks like a prefix survives in logs that have none. Where the prefix
// carries a time, it is handed on as the line's `atMs`, which lets the parsers time steps the log
// itself does not time (the legacy builder in CI) and give the wall time.

/**
 * iso: GitHub Actions and Azure Pipelines, `2024-05-01T12:00:00.1234567Z `;
 * gitlab: GitLab FF_TIMESTAMPS, `2024-05-14T11:19:20.000000Z 00O ` (or only section markers);
 * jenkins: `[2019-10-07T12:12:30.924Z] `; jenkins-time: `17:22:33 ` (time of day only);
 * devcontainers: `2024-02-16 02:29:15.118Z: `, stamped per chunk, so also in mid-line.
 */
export type PrefixKind = 'none' | 'iso' | 'gitlab' | 'jenkins' | 'jenkins-time' | 'devcontainers';

/** Receives each cleaned line: `atMs` is the prefix's time (epoch ms) or else the caller's. */
export type LineSink = (text: string, atMs: number | undefined) => void;

/** Lines with no prefix that may come before the first prefixed one (a CI job's own preamble). */
const DECIDE_WINDOW = 64;
const DAY_MS = 86_400_000;

const CH_0 = 48;
const CH_9 = 57;
const CH_SPACE = 32;
const CH_DASH = 45;
const CH_COLON = 58;
const CH_DOT = 46;
const CH_T = 84;
const CH_Z = 90;
const CH_BRACKET = 91;
const CH_CLOSE = 93;
const CH_PLUS = 43;
const CH_ESC = 27;
const CH_BOM = 0xfeff;

/**
 * CSI sequences, also with ESC rendered as `·` by a log viewer (`·[0m`, `·[48;2;1;2;3m`); OSC
 * (`\e]0;title\a`, a terminal title in a `script` capture); and the short escapes.
 */
const ANSI = /\u001b\[[0-9;?<=>]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[()][0-9A-Za-z]|\u001b[=>78]|\u00b7\[(?:[0-9;?]+[A-Za-z]|[mK])/g;
/** An unprefixed line that proves a build log: once seen, the log has no prefix. */
const BUILD_LINE = /^(?:#\d+ |Step \d+(?:\/\d+)? : |Sending build context to Docker daemon|DEPRECATED: The legacy builder|\{|\[\+\] |\s?=> )/;
const GITLAB_SECTION = /^section_(?:start|end):\d+:/;

function isDigit(c: number): boolean {
  return c >= CH_0 && c <= CH_9;
}

function digits(s: string, from: number, n: number): number {
  let v = 0;
  for (let i = from; i < from + n; i++) {
    const c = s.charCodeAt(i);
    if (c < CH_0 || c > CH_9) return -1;
    v = v * 10 + (c - CH_0);
  }
  return v;
}

/** Where a parsed time ends and what it is. */
interface Stamp {
  end: number;
  ms: number;
}

/**
 * `YYYY-MM-DD?HH:MM:SS[.fff…]Z` at `at` (`sep` is `T` or a space), or null. Fractions of any length
 * (GitHub prints 7 digits) are cut to milliseconds.
 */
function readDateTime(s: string, at: number, sep: number): Stamp | null {
  if (s.length < at + 20) return null;
  const y = digits(s, at, 4);
  if (y < 0 || s.charCodeAt(at + 4) !== CH_DASH) return null;
  const mo = digits(s, at + 5, 2);
  if (mo < 1 || s.charCodeAt(at + 7) !== CH_DASH) return null;
  const d = digits(s, at + 8, 2);
  if (d < 1 || s.charCodeAt(at + 10) !== sep) return null;
  const h = digits(s, at + 11, 2);
  if (h < 0 || s.charCodeAt(at + 13) !== CH_COLON) return null;
  const mi = digits(s, at + 14, 2);
  if (mi < 0 || s.charCodeAt(at + 16) !== CH_COLON) return null;
  const sec = digits(s, at + 17, 2);
  if (sec < 0 || mo > 12 || d > 31 || h > 23 || mi > 59 || sec > 60) return null;
  let i = at + 19;
  let frac = 0;
  if (s.charCodeAt(i) === CH_DOT) {
    i++;
    const start = i;
    while (i < s.length && isDigit(s.charCodeAt(i))) {
      if (i - start < 3) frac = frac * 10 + (s.charCodeAt(i) - CH_0);
      i++;
    }
    const n = i - start;
    if (n === 0) return null;
    if (n === 1) frac *= 100;
    else if (n === 2) frac *= 10;
  }
  if (s.charCodeAt(i) !== CH_Z) return null;
  return { end: i + 1, ms: Date.UTC(y, mo - 1, d, h, mi, sec, frac) };
}

/** GitHub Actions / Azure: `2024-05-01T12:00:00.1234567Z ` → the text's start and the time. */
function readIso(s: string): Stamp | null {
  const t = readDateTime(s, 0, CH_T);
  if (t === null) return null;
  // An empty line's stamp may have lost its trailing space to a tool that trims lines.
  if (t.end === s.length) return t;
  return s.charCodeAt(t.end) === CH_SPACE ? { end: t.end + 1, ms: t.ms } : null;
}

/** GitLab FF_TIMESTAMPS: a fixed 32 characters, `<RFC3339 time, 6 decimals> <stream hex2><O|E><' '|'+'>`. */
function readGitlab(s: string): Stamp | null {
  if (s.length < 32 || s.charCodeAt(26) !== CH_Z || s.charCodeAt(27) !== CH_SPACE) return null;
  const t = readDateTime(s, 0, CH_T);
  if (t === null || t.end !== 27) return null;
  if (!isHex(s.charCodeAt(28)) || !isHex(s.charCodeAt(29))) return null;
  const type = s.charCodeAt(30);
  const full = s.charCodeAt(31);
  if ((type !== 79 && type !== 69) || (full !== CH_SPACE && full !== CH_PLUS)) return null;
  return { end: 32, ms: t.ms };
}

function isHex(c: number): boolean {
  return isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

/** Jenkins timestamper: `[2019-10-07T12:12:30.924Z] `. */
function readJenkins(s: string): Stamp | null {
  if (s.charCodeAt(0) !== CH_BRACKET) return null;
  const t = readDateTime(s, 1, CH_T);
  if (t === null || s.charCodeAt(t.end) !== CH_CLOSE) return null;
  if (t.end + 1 === s.length) return { end: t.end + 1, ms: t.ms };
  return s.charCodeAt(t.end + 1) === CH_SPACE ? { end: t.end + 2, ms: t.ms } : null;
}

/** Jenkins timestamper, time of day only: `17:22:33 ` → milliseconds into the day. */
function readTimeOfDay(s: string): Stamp | null {
  if (s.length < 9 || s.charCodeAt(2) !== CH_COLON || s.charCodeAt(5) !== CH_COLON || s.charCodeAt(8) !== CH_SPACE) return null;
  const h = digits(s, 0, 2);
  const mi = digits(s, 3, 2);
  const sec = digits(s, 6, 2);
  if (h < 0 || mi < 0 || sec < 0 || h > 23 || mi > 59 || sec > 60) return null;
  return { end: 9, ms: ((h * 60 + mi) * 60 + sec) * 1000 };
}

/** Dev Containers CLI: `2024-02-16 02:29:15.118Z: ` at `at`. */
function readDevcontainers(s: string, at: number): Stamp | null {
  const t = readDateTime(s, at, CH_SPACE);
  if (t === null || s.charCodeAt(t.end) !== CH_COLON) return null;
  if (t.end + 1 === s.length) return { end: t.end + 1, ms: t.ms };
  return s.charCodeAt(t.end + 1) === CH_SPACE ? { end: t.end + 2, ms: t.ms } : null;
}

/** Which prefix a line starts with. `jenkins-time` is weak evidence: it needs a second line. */
function prefixOf(s: string): PrefixKind | null {
  const c = s.charCodeAt(0);
  if (isDigit(c)) {
    if (readGitlab(s)) return 'gitlab';
    if (readIso(s)) return 'iso';
    if (readDevcontainers(s, 0)) return 'devcontainers';
    if (readTimeOfDay(s)) return 'jenkins-time';
    return null;
  }
  if (c === CH_BRACKET) return readJenkins(s) ? 'jenkins' : null;
  if (c === CH_ESC && s.includes('section_start:') && GITLAB_SECTION.test(stripAnsi(s))) return 'gitlab';
  return null;
}

/** Remove ANSI escape codes (also `·[0m`, as some CI log viewers render ESC). */
export function stripAnsi(s: string): string {
  return s.indexOf('\u001b') < 0 && s.indexOf('\u00b7[') < 0 ? s : s.replace(ANSI, '');
}

/**
 * Turns raw log lines into clean ones: strips the log's CI prefix (keeping its time), drops CI
 * bookkeeping lines, joins GitLab continuation lines, and removes ANSI codes. `\r` redraws are left
 * to the caller. Feed lines with `line()`, then call `end()`; clean lines go to the sink in order.
 */
export class LineCleaner {
  /** null until decided. */
  private mode: PrefixKind | null = null;
  private first = true;
  private held: Array<[string, number | undefined]> = [];
  private heldMeaningful = 0;
  /** Non-blank lines in a row that carry a time-of-day prefix, while undecided. */
  private weakRun = 0;
  /** The last prefix time seen: lines without a stamp of their own get it. */
  private lastAt: number | undefined;
  /** jenkins-time: the day count and last time of day, to read times across midnight. */
  private day = 0;
  private lastTimeOfDay = -1;
  /** gitlab: the line held back until the next shows whether it continues it. */
  private gitlabText: string | null = null;
  private gitlabAt: number | undefined;

  constructor(private readonly sink: LineSink) {}

  /** The prefix kind, once decided (null before). */
  get kind(): PrefixKind | null {
    return this.mode;
  }

  line(raw: string, atMs?: number): void {
    if (this.mode === 'none') {
      // The hot path: most logs have no prefix.
      if (raw.indexOf('\u001b') < 0 && raw.indexOf('\u00b7') < 0) this.sink(raw, atMs);
      else this.sink(raw.replace(ANSI, ''), atMs);
      return;
    }
    if (this.first) {
      this.first = false;
      if (raw.charCodeAt(0) === CH_BOM) raw = raw.slice(1);
    }
    if (this.mode === null) {
      this.undecided(raw, atMs);
      return;
    }
    this.decided(raw, atMs);
  }

  /** Flush what is held back; call once at the end of the input. */
  end(): void {
    if (this.mode === null) this.decide('none');
    this.flushGitlab();
  }

  private undecided(raw: string, atMs: number | undefined): void {
    this.held.push([raw, atMs]);
    const text = stripAnsi(raw);
    if (text.trim() === '') return;
    this.heldMeaningful++;
    const kind = prefixOf(raw);
    if (kind === 'jenkins-time') {
      // A build line can start with a time of day: two lines in a row make it a prefix.
      if (++this.weakRun >= 2) this.decide(kind);
      else if (this.heldMeaningful > DECIDE_WINDOW) this.decide('none');
      return;
    }
    this.weakRun = 0;
    if (kind !== null) this.decide(kind);
    else if (BUILD_LINE.test(text) || this.heldMeaningful > DECIDE_WINDOW) this.decide('none');
  }

  private decide(kind: PrefixKind): void {
    this.mode = kind;
    const held = this.held;
    this.held = [];
    for (const [raw, at] of held) this.line(raw, at);
  }

  private decided(raw: string, atMs: number | undefined): void {
    let text = raw;
    let at: number | undefined;
    switch (this.mode) {
      case 'iso': {
        const t = readIso(raw);
        if (t) {
          at = t.ms;
          text = raw.slice(t.end);
        }
        // Workflow commands (`##[group]…`, `##[endgroup]`, Azure `##[section]…`) and echoed commands.
        if (text.startsWith('##[') || text.startsWith('[command]')) {
          if (at !== undefined) this.lastAt = at;
          return;
        }
        break;
      }
      case 'gitlab': {
        const t = readGitlab(raw);
        if (t) {
          if (raw.charCodeAt(31) === CH_PLUS && this.gitlabText !== null) {
            this.gitlabText += raw.slice(32);
            return;
          }
          this.flushGitlab();
          this.gitlabText = raw.slice(32);
          this.gitlabAt = t.ms;
          return;
        }
        this.flushGitlab();
        this.gitlabOut(raw, atMs);
        return;
      }
      case 'jenkins': {
        const t = readJenkins(raw);
        if (t) {
          at = t.ms;
          text = raw.slice(t.end);
        }
        break;
      }
      case 'jenkins-time': {
        const t = readTimeOfDay(raw);
        if (t) {
          // A time far earlier than the last one is the next day.
          if (this.lastTimeOfDay >= 0 && t.ms < this.lastTimeOfDay - DAY_MS / 2) this.day++;
          this.lastTimeOfDay = t.ms;
          at = this.day * DAY_MS + t.ms;
          text = raw.slice(t.end);
        }
        break;
      }
      case 'devcontainers': {
        const t = readDevcontainers(raw, 0);
        if (t) {
          at = t.ms;
          text = raw.slice(t.end);
        } else {
          at = this.lastAt;
        }
        this.lastAt = at;
        if (text.indexOf('Z:') >= 0) text = this.removeStamps(text);
        this.emit(text, at ?? atMs);
        return;
      }
      default:
        break;
    }
    if (at !== undefined) this.lastAt = at;
    this.emit(text, at ?? this.lastAt ?? atMs);
  }

  /**
   * Dev Containers stamps each chunk it forwards, so a stamp can sit anywhere in a line (even glued to
   * a digest): remove every one. A stamp inside the line times what follows it, i.e. the next lines.
   */
  private removeStamps(line: string): string {
    let text = line;
    let from = 0;
    for (;;) {
      const z = text.indexOf('Z:', from);
      if (z < 0) return text;
      const start = z - 23;
      const t = start >= 0 ? readDevcontainers(text, start) : null;
      if (t === null) {
        from = z + 1;
        continue;
      }
      text = text.slice(0, start) + text.slice(t.end);
      from = start;
      this.lastAt = t.ms;
    }
  }

  private flushGitlab(): void {
    if (this.gitlabText === null) return;
    const text = this.gitlabText;
    this.gitlabText = null;
    this.lastAt = this.gitlabAt;
    this.gitlabOut(text, this.gitlabAt);
  }

  /** A whole GitLab line: section markers and echoed commands (`\e[32;1m$ docker build …`) are dropped. */
  private gitlabOut(text: string, at: number | undefined): void {
    const c = text.charCodeAt(0);
    if (c === CH_ESC || c === 0xb7) {
      const clean = stripAnsi(text);
      if (GITLAB_SECTION.test(clean)) return;
      if (clean.startsWith('$ ') && /^(?:\u001b|\u00b7)\[32;1m\$ /.test(text)) return;
      this.sink(clean, at ?? this.lastAt);
      return;
    }
    this.sink(stripAnsi(text), at ?? this.lastAt);
  }

  private emit(text: string, at: number | undefined): void {
    this.sink(stripAnsi(text), at);
  }
}

/** What a text that is not a build log looks like, from one of its lines. */
export type Lookalike = 'docker-desktop-record' | 'jenkins-api-dump';

const DESKTOP_STATUS = /^\t\S.* \d+\/\d+ \d+(?:\.\d+)?$/;
const DESKTOP_VERTEX = /^\[(?:internal|stage-\d+ +\d+\/\d+|[\w.-]+ +\d+\/\d+)\] \S/;

/**
 * One line of something that carries build words but is not the log of a build: Docker Desktop's
 * build record (vertex names without `#N`, TAB-indented `id current/total seconds` statuses) or a
 * Jenkins plugin's dump of Docker API messages (`BuildResponseItem[stream=…`, `[Docker] INFO: `).
 */
export function lookalikeOf(line: string): Lookalike | null {
  const c = line.charCodeAt(0);
  if (c === 9) return DESKTOP_STATUS.test(line) ? 'docker-desktop-record' : null;
  if (c === CH_BRACKET) {
    if (line.startsWith('[Docker] INFO: ')) return 'jenkins-api-dump';
    if (DESKTOP_VERTEX.test(line)) return 'docker-desktop-record';
    return null;
  }
  if (c === 44 && line.startsWith(',status=<null>,')) return 'jenkins-api-dump';
  if (line.includes('BuildResponseItem[')) return 'jenkins-api-dump';
  return null;
}

/** The one sentence that refuses a look-alike. */
export function lookalikeMessage(kind: Lookalike): string {
  const what = kind === 'docker-desktop-record'
    ? "Docker Desktop's build record (the Builds view)"
    : "a Jenkins plugin's dump of Docker API messages";
  return `This is not a build log: it looks like ${what}, not the log of a build. Pass the output of \`docker build\` itself, e.g. \`docker build --progress=plain . 2>&1 | tee build.log\`.`;
}
