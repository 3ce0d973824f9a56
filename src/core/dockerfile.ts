// The Dockerfile model: instructions with their lines, flags and stages, as BuildKit reads them.
// Parsing is done by `dockerfile-ast` (see docs/dependencies.md); the text of each instruction, its
// last line and its heredoc bodies are recomputed here from the source lines, so that they follow
// BuildKit's rules (comment and blank lines inside a continuation are dropped, lines are joined
// without adding a space).
import { DockerfileParser } from 'dockerfile-ast';
import type { Instruction as AstInstruction } from 'dockerfile-ast';

export interface Instruction {
  /** Upper-case keyword: `RUN`, `COPY`, … */
  keyword: string;
  /**
   * The arguments as written (flags included), continuation lines joined (escape char and newline
   * removed, comment and blank lines inside the continuation dropped), whitespace collapsed to
   * single spaces. For a heredoc instruction, only the instruction line (`<<EOF /x`), not the bodies.
   */
  args: string;
  /** `keyword + ' ' + args`: the instruction as written, on one line. */
  text: string;
  /** 1-based first line. */
  line: number;
  /** 1-based last line, including continuation lines and heredoc bodies with their terminators. */
  endLine: number;
  /** Index into Dockerfile.stages; null for instructions before the first FROM (global ARGs). */
  stageIndex: number | null;
  /** Leading `--name=value` flags by name without dashes; a flag without a value has ''. */
  flags: Record<string, string[]>;
  /** Heredoc names (`EOF`), in order, when the instruction has heredocs. */
  heredocs?: string[];
  /** Heredoc bodies, parallel to `heredocs` (`<<-` bodies with leading tabs removed). */
  heredocBodies?: string[];
  /** Exec (JSON array) form: `RUN ["npm", "ci"]`. */
  jsonForm: boolean;
}

export interface Stage {
  index: number;
  /** The `AS` name as written, or null. */
  name: string | null;
  /**
   * The name BuildKit prints in step brackets: the AS name (lower-cased, as BuildKit does), or
   * `stage-K` for an unnamed stage; null when BuildKit prints no stage (a file with one stage).
   */
  buildkitName: string | null;
  /** The base image as written (`node:${NODE}`, `build`, `scratch`). */
  baseImage: string;
  /** The FROM `--platform` value as written, or null. */
  platform: string | null;
  /** 1-based line of the FROM. */
  line: number;
  /** The stage's instructions, FROM first. */
  instructions: Instruction[];
}

export interface Dockerfile {
  instructions: Instruction[];
  stages: Stage[];
  /** `\` unless a `# escape=` directive says otherwise. */
  escapeChar: string;
  /** Parser directives at the top of the file (`syntax`, `escape`, `check`), names lower-cased. */
  directives: Record<string, string>;
}

const HEREDOC_KEYWORDS = new Set(['RUN', 'COPY', 'ADD']);
const JSON_FORM_KEYWORDS = new Set(['RUN', 'CMD', 'ENTRYPOINT', 'SHELL', 'COPY', 'ADD', 'VOLUME']);

export function parseDockerfile(text: string): Dockerfile {
  const ast = DockerfileParser.parse(text);
  const escapeChar = ast.getEscapeCharacter();
  const directives: Record<string, string> = {};
  for (const d of ast.getDirectives()) directives[d.getName().toLowerCase()] = d.getValue();

  const lines = text.split(/\r\n|\r|\n/);
  const instructions: Instruction[] = [];
  const stages: Stage[] = [];
  for (const node of ast.getInstructions()) {
    const ins = readInstruction(node, lines, escapeChar);
    if (ins.keyword === 'FROM') {
      stages.push(readStage(ins, stages.length));
    }
    ins.stageIndex = stages.length > 0 ? stages.length - 1 : null;
    stages[stages.length - 1]?.instructions.push(ins);
    instructions.push(ins);
  }
  assignBuildkitNames(stages, instructions);
  return { instructions, stages, escapeChar, directives };
}

/** The arguments after the leading `--flags` (`RUN --mount=… npm ci` → `npm ci`). */
export function instructionBody(ins: Instruction): string {
  let rest = ins.args;
  for (;;) {
    const m = /^--[A-Za-z][\w-]*(?:=(?:"[^"]*"|'[^']*'|\S)*)?(?:\s+|$)/.exec(rest);
    if (!m) return rest;
    rest = rest.slice(m[0].length);
  }
}

function readInstruction(node: AstInstruction, lines: string[], escapeChar: string): Instruction {
  const range = node.getRange();
  const startLine = range.start.line;
  // A range that ends at column 0 of a later line ends on the line before it (dockerfile-ast does
  // this for a heredoc left open at the end of the file).
  let lastLine = range.end.line;
  if (range.end.character === 0 && lastLine > startLine) lastLine--;
  lastLine = Math.min(lastLine, lines.length - 1);

  const keyword = node.getKeyword().toUpperCase();
  const { joined, endOfLogicalLine } = joinLogicalLine(lines, startLine, range.start.character, lastLine, escapeChar);
  // `joined` starts with the keyword as written.
  const afterKeyword = joined.slice(node.getInstruction().length);
  const args = collapse(afterKeyword);

  const flags: Record<string, string[]> = {};
  if ('getFlags' in node && typeof node.getFlags === 'function') {
    for (const f of (node as unknown as { getFlags(): Array<{ getName(): string; getValue(): string | null }> }).getFlags()) {
      (flags[f.getName()] ??= []).push(f.getValue() ?? '');
    }
  }

  const ins: Instruction = {
    keyword,
    args,
    text: args ? `${keyword} ${args}` : keyword,
    line: startLine + 1,
    endLine: lastLine + 1,
    stageIndex: null,
    flags,
    jsonForm: false,
  };

  if (HEREDOC_KEYWORDS.has(keyword) && 'getHeredocs' in node) {
    const docs = (node as unknown as { getHeredocs(): AstHeredoc[] }).getHeredocs();
    if (docs.length > 0) {
      ins.heredocs = docs.map((h) => h.getName());
      ins.heredocBodies = readHeredocBodies(lines, endOfLogicalLine, lastLine, args, ins.heredocs);
    }
  }
  if (JSON_FORM_KEYWORDS.has(keyword) && !ins.heredocs) ins.jsonForm = isJsonArray(instructionBody(ins));
  return ins;
}

interface AstHeredoc {
  getName(): string;
}

/**
 * Join an instruction's first line with its continuation lines, BuildKit-style: a line ending in the
 * escape char (optionally followed by blanks) continues; comment lines and blank lines inside the
 * continuation are skipped; lines are joined as they are, without adding a space.
 */
function joinLogicalLine(lines: string[], start: number, startChar: number, last: number, escapeChar: string) {
  const cont = new RegExp(`${escapeRegExp(escapeChar)}[ \\t]*$`);
  let joined = '';
  let i = start;
  for (; i <= last; i++) {
    const raw = i === start ? (lines[i] ?? '').slice(startChar) : lines[i] ?? '';
    if (i > start && (raw.trim() === '' || raw.trimStart().startsWith('#'))) continue;
    const m = cont.exec(raw);
    if (!m) {
      joined += raw;
      break;
    }
    joined += raw.slice(0, m.index);
  }
  return { joined, endOfLogicalLine: Math.min(i, last) };
}

/**
 * Bodies of the heredocs opened on the instruction line, read from the lines that follow it, one
 * after the other, each up to its terminator (`<<-`: leading tabs removed).
 */
function readHeredocBodies(lines: string[], lineEnd: number, last: number, args: string, names: string[]): string[] {
  const bodies: string[] = [];
  let i = lineEnd + 1;
  for (const name of names) {
    const chomp = new RegExp(`<<-\\s*["']?${escapeRegExp(name)}\\b`).test(args);
    const body: string[] = [];
    for (; i <= last; i++) {
      const raw = lines[i] ?? '';
      const l = chomp ? raw.replace(/^\t+/, '') : raw;
      if (l === name) {
        i++;
        break;
      }
      body.push(l);
    }
    bodies.push(body.join('\n'));
  }
  return bodies;
}

function readStage(ins: Instruction, index: number): Stage {
  const words = instructionBody(ins).split(' ').filter(Boolean);
  const baseImage = words[0] ?? '';
  const name = words.length >= 3 && words[1]?.toLowerCase() === 'as' ? words[2] ?? null : null;
  return {
    index,
    name,
    buildkitName: null,
    baseImage,
    platform: ins.flags['platform']?.[0] ?? null,
    line: ins.line,
    instructions: [],
  };
}

/**
 * BuildKit names unnamed stages `stage-K` and prints no stage at all when the build has a single
 * state. `COPY --from=<image>` and `RUN --mount=from=<image>` add a state of their own, so a
 * one-stage file that copies from an image still gets its stage printed.
 */
function assignBuildkitNames(stages: Stage[], instructions: Instruction[]): void {
  const names = new Set(stages.map((s) => s.name?.toLowerCase()).filter((n): n is string => !!n));
  let extraStates = 0;
  for (const ins of instructions) {
    const froms = [...(ins.flags['from'] ?? [])];
    for (const m of ins.flags['mount'] ?? []) {
      const f = /(?:^|,)from=([^,]+)/.exec(m);
      if (f?.[1]) froms.push(f[1]);
    }
    for (const f of froms) {
      if (!names.has(f.toLowerCase()) && !/^\d+$/.test(f)) extraStates++;
    }
  }
  const single = stages.length + extraStates === 1;
  for (const s of stages) {
    s.buildkitName = single ? null : s.name ? s.name.toLowerCase() : `stage-${s.index}`;
  }
}

function isJsonArray(s: string): boolean {
  if (!s.startsWith('[')) return false;
  try {
    const v: unknown = JSON.parse(s);
    return Array.isArray(v) && v.every((x) => typeof x === 'string');
  } catch {
    return false;
  }
}

function collapse(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
