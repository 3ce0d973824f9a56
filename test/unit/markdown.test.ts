import { codeSpan, escapeMarkdown, fencedBlock, stripControl } from '../../src/core/markdown.js';

const ZWJ = '\u200D';

/** The characters that must never reach GitHub unescaped from inline text. */
function assertInert(out: string): void {
  expect(out).not.toMatch(/[<>\n\r]/);
  // Every markdown-active character is preceded by a backslash.
  for (const m of out.matchAll(/[[\]()!*_`~#|$]/g)) {
    expect(out[m.index! - 1]).toBe('\\');
  }
  // No `&` except the start of an entity this function wrote.
  for (const m of out.matchAll(/&/g)) {
    expect(out.slice(m.index!)).toMatch(/^&(amp|lt|gt);/);
  }
}

describe('escapeMarkdown', () => {
  it('turns HTML into entities', () => {
    const out = escapeMarkdown('<img src=x onerror=alert(1)>');
    expect(out).toBe('&lt;img src=x onerror=alert\\(1\\)&gt;');
    assertInert(out);
  });

  it('cannot close a <details> block or open a script', () => {
    expect(escapeMarkdown('</details><script>alert(1)</script>')).toBe('&lt;/details&gt;&lt;script&gt;alert\\(1\\)&lt;/script&gt;');
  });

  it('does not let an entity through as markup', () => {
    expect(escapeMarkdown('&lt;b&gt;')).toBe('&amp;lt;b&amp;gt;');
  });

  it('defuses links and images', () => {
    const link = escapeMarkdown('[click](javascript:alert(1))');
    expect(link).toBe('\\[click\\]\\(javascript:alert\\(1\\)\\)');
    assertInert(link);
    const img = escapeMarkdown('![x](http://evil/x.png)');
    expect(img.startsWith('\\!\\[x\\]\\(')).toBe(true);
    expect(img).toContain(`http${ZWJ}://`);
    assertInert(img);
  });

  it('defuses bare URLs so GitHub does not autolink them', () => {
    const out = escapeMarkdown('see https://evil.example and HTTP://x.y and www.evil.example');
    expect(out).not.toMatch(/https?:\/\//i);
    expect(out).not.toMatch(/www\./i);
    expect(out).toBe(`see https${ZWJ}://evil.example and HTTP${ZWJ}://x.y and www${ZWJ}.evil.example`);
  });

  it('defuses @mentions and e-mail addresses', () => {
    expect(escapeMarkdown('ping @octocat')).toBe(`ping @${ZWJ}octocat`);
    expect(escapeMarkdown('me@example.com')).not.toMatch(/@[a-z]/);
  });

  it('keeps a pipe from splitting a table cell', () => {
    const cell = escapeMarkdown('a | b');
    expect(cell).toBe('a \\| b');
    const row = `| ${cell} | next |`;
    // Splitting on unescaped pipes gives exactly the two intended cells.
    expect(row.split(/(?<!\\)\|/).length - 2).toBe(2);
  });

  it('folds newlines so a cell or a line cannot be broken out of', () => {
    const out = escapeMarkdown('line 1\n# heading\r\n- item\rlast');
    expect(out).not.toMatch(/[\r\n]/);
    expect(out).toBe('line 1 \\# heading - item last');
  });

  it('escapes emphasis, code, strikethrough, backslashes and math', () => {
    expect(escapeMarkdown('*a* _b_ `c` ~~d~~ \\ $x$')).toBe('\\*a\\* \\_b\\_ \\`c\\` \\~\\~d\\~\\~ \\\\ \\$x\\$');
  });

  it('drops ANSI escape sequences and control characters', () => {
    expect(escapeMarkdown('\u001b[31mred\u001b[0m\u0007')).toBe('red');
  });

  it('leaves plain text alone', () => {
    expect(escapeMarkdown('RUN npm ci')).toBe('RUN npm ci');
  });
});

describe('codeSpan', () => {
  it('wraps plain text in single backticks', () => {
    expect(codeSpan('RUN npm ci')).toBe('`RUN npm ci`');
  });

  it('uses a fence longer than any backtick run inside', () => {
    const out = codeSpan('echo `date` and ``x`` done');
    expect(out).toBe('```echo `date` and ``x`` done```');
  });

  it('pads a span that starts or ends with a backtick', () => {
    expect(codeSpan('`x`')).toBe('`` `x` ``');
  });

  it('escapes pipes in a table cell, not outside one', () => {
    expect(codeSpan('a | b')).toBe('`a \\| b`');
    expect(codeSpan('a | b', { inTable: false })).toBe('`a | b`');
  });

  it('folds newlines (a heredoc) to one line', () => {
    expect(codeSpan('RUN <<EOF\necho hi\nEOF')).toBe('`RUN <<EOF echo hi EOF`');
  });

  it('keeps HTML inside the span (GitHub shows it literally) and never empty', () => {
    expect(codeSpan('</details>')).toBe('`</details>`');
    expect(codeSpan('')).toBe('` `');
  });
});

describe('fencedBlock', () => {
  it('fences text with three backticks and a language', () => {
    expect(fencedBlock('a\nb\n', 'text')).toBe('```text\na\nb\n```');
  });

  it('cannot be closed by a fence inside', () => {
    const inside = 'before\n```\n</details>\n<img src=x onerror=alert(1)>\n````\nafter';
    const out = fencedBlock(inside);
    const lines = out.split('\n');
    const fence = lines[0]!;
    expect(fence).toBe('`````');
    // No line inside is a closing fence (a run of at least as many backticks, alone on the line).
    for (const line of lines.slice(1, -1)) expect(line.trim().startsWith(fence)).toBe(false);
    expect(lines[lines.length - 1]).toBe(fence);
    expect(lines.slice(1, -1).join('\n')).toBe(inside);
  });

  it('is longer than any tilde run too', () => {
    expect(fencedBlock('~~~~\nx').split('\n')[0]).toBe('`````');
  });

  it('sanitises the language so it cannot break the info string', () => {
    expect(fencedBlock('x', 'js`\n<b>').split('\n')[0]).toBe('```jsb');
  });
});

describe('stripControl', () => {
  it('keeps tabs and newlines, drops the rest', () => {
    expect(stripControl('a\tb\nc\u0000d\u001b[1me')).toBe('a\tb\ncde');
  });
});
