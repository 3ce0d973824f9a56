// Escaping for GitHub-flavoured markdown. Everything a build log or a Dockerfile holds is untrusted
// (a step can print anything), and reports end up in PR comments and job summaries: no raw HTML,
// no links or images, no mentions, no broken tables, no escape from a code block.

const ZWJ = '\u200D';

/** C0/C1 control characters and ANSI escape sequences: never meaningful in a report. */
// eslint-disable-next-line no-control-regex
const ANSI = /\u001B(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001B]*(?:\u0007|\u001B\\)|[@-Z\\-_])/g;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;

/** Drop ANSI escape sequences and control characters other than tab and line breaks. */
export function stripControl(text: string): string {
  return text.replace(ANSI, '').replace(CONTROL, '');
}

/** Fold every line break (and tab) to one space: inline text and table cells hold a single line. */
function foldLines(text: string): string {
  return text.replace(/\r\n|\r|\n|\u2028|\u2029/g, ' ').replace(/\t/g, ' ');
}

/** Markdown punctuation that can start emphasis, links, images, code, headings or escapes; `|` splits table cells; `$` starts math on GitHub. */
const PUNCTUATION = /[\\`*_~[\]()!#|$]/g;
const HTML = /[&<>]/g;
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/**
 * Defuse what GitHub turns into links or notifications even without markdown syntax: bare URLs
 * (`http://`, `https://`, `ftp://`, `www.`), `@mentions` (users and `@org/team`) and e-mail
 * addresses, and issue references (`#123`, `owner/repo#123`, `GH-123`). GitHub links references
 * after rendering, in the text, so a backslash before `#` does not stop them. A zero-width joiner
 * after the scheme, after `www`, after `@`, after `#` and after `GH-` keeps the text readable but
 * unlinked. (Inside code spans and blocks GitHub links nothing.)
 */
function defuseAutolinks(text: string): string {
  return text
    .replace(/\b(https?|ftps?|mailto|xmpp)(?=:)/gi, `$1${ZWJ}`)
    .replace(/\bwww(?=\.)/gi, `www${ZWJ}`)
    .replace(/@/g, `@${ZWJ}`)
    .replace(/#(?=\d)/g, `#${ZWJ}`)
    .replace(/\b(GH-)(?=\d)/gi, `$1${ZWJ}`);
}

/**
 * Escape untrusted text for an inline position or a table cell: one line, no HTML (`<`, `>`, `&`
 * become entities), markdown punctuation backslash-escaped, `|` cannot split a table, URLs and
 * mentions defused.
 */
export function escapeMarkdown(text: string): string {
  const oneLine = foldLines(stripControl(text));
  const escaped = oneLine
    .replace(PUNCTUATION, (c) => '\\' + c)
    .replace(HTML, (c) => ENTITIES[c]!);
  return defuseAutolinks(escaped);
}

function longestRun(text: string, char: string): number {
  let best = 0;
  let run = 0;
  for (const c of text) {
    if (c === char) {
      run++;
      if (run > best) best = run;
    } else {
      run = 0;
    }
  }
  return best;
}

export interface CodeSpanOptions {
  /**
   * The span sits in a table cell (default): `|` is written `\|`, which GFM reads as a literal pipe
   * inside the cell. Outside a table pass false, or the backslash would show.
   */
  inTable?: boolean;
}

/**
 * An inline code span showing `text` literally: the backtick fence is longer than any backtick run
 * inside, line breaks are folded, and (in a table cell) `|` cannot split the row.
 */
export function codeSpan(text: string, options: CodeSpanOptions = {}): string {
  let body = foldLines(stripControl(text));
  if (options.inTable ?? true) body = body.replace(/\|/g, '\\|');
  if (body === '') return '` `';
  const fence = '`'.repeat(longestRun(body, '`') + 1);
  // A span that starts or ends with a backtick needs a space inside the fence; a span that starts and
  // ends with a space loses one on each side when rendered, so pad it to keep them.
  const pad = body.startsWith('`') || body.endsWith('`') || (body.startsWith(' ') && body.endsWith(' ') && body.trim() !== '');
  return pad ? `${fence} ${body} ${fence}` : `${fence}${body}${fence}`;
}

/**
 * A fenced code block showing `text` literally: the fence is longer than any run of backticks or
 * tildes inside, so nothing in the text can close it. It starts and ends on its own line (no
 * trailing newline); put a blank line before it when it follows HTML such as `<summary>`.
 */
export function fencedBlock(text: string, lang = ''): string {
  const body = stripControl(text).replace(/\r\n|\r|\u2028|\u2029/g, '\n').replace(/\n+$/, '');
  const fence = '`'.repeat(Math.max(3, longestRun(body, '`') + 1, longestRun(body, '~') + 1));
  // The info string of a backtick fence may not hold backticks; keep it to a plain language name.
  const info = lang.replace(/[^\w+.-]/g, '');
  return `${fence}${info}\n${body}\n${fence}`;
}
