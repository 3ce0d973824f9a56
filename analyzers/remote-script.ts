// A RUN that pipes a download into a shell (`curl … | sh`, `wget -O- … | bash`, `sh -c "$(curl …)"`),
// or downloads a file whose URL names no version without checking its digest. BuildKit caches a RUN
// on its command text (F3 in the rules catalogue), never on what the server sends: the layer keeps
// whatever came the day the cache was filled, and the next re-run silently runs or installs whatever
// is there then. See docs/rules/remote-script.md.
import type { Analyzer, AnalyzerContext, Report } from './types.js';
import { commandWords } from '../src/core/ecosystems.js';
import { stepCostMs } from '../src/core/cost.js';
import { runScript } from './apt-update-alone.js';

/** Interpreters a download can be piped into. */
const INTERPRETER = /^(sh|bash|dash|ash|zsh|ksh|python[\d.]*|perl|ruby|node|php)$/;
/** Something in the RUN that checks what was downloaded. */
const VERIFIES = /\b(sha(1|224|256|384|512)sum|shasum|md5sum|b2sum|gpg\s+(--batch\s+)?--verify|gpgv|cosign\s+verify|minisign|openssl\s+dgst)\b/;
/** A URL that names a version: a variable, `1.2`, `v1`, a commit id, `?version=`. */
const PINNED = /\$\{?\w|(^|[^A-Za-z0-9])v?\d+\.\d+|\/v\d+([/._-]|$)|[0-9a-f]{40}|[?&](version|ref|tag)=[\w.]/;
/** Path words that say the URL follows whatever is newest. */
const FLOATING = /\/(latest|nightly|edge|main|master|HEAD|stable|current)(\/|$)|[-_.]latest[-_.]/i;

export const remoteScript: Analyzer = {
  id: 'remote-script',
  description: 'curl | sh, or an unpinned download, in a RUN: the cached layer keeps what came once, and a re-run takes whatever the server sends then.',
  defaultSeverity: 'warning',
  messages: {
    pipeToShell:
      '`{{command}}` pipes a download into `{{shell}}`: BuildKit caches this RUN on its text, not on the script, so the layer keeps what the script did the day the cache was filled, and the next re-run runs whatever the server sends then, unverified.',
    unpinnedDownload:
      '`{{command}}` downloads {{url}}, which names no version, and nothing in this RUN checks its digest: the cached layer keeps the file of the day the cache was filled, and a re-run silently fetches whatever is there then.',
    runPinned:
      'Fetch the script as a file pinned by its digest, then run it (BuildKit skips the request while it is cached):\nADD --checksum=sha256:<digest> {{url}} /tmp/{{file}}\nRUN {{run}}\nGet the digest once with `curl -fsSL {{url}} | sha256sum`, and prefer a URL that names a version.',
    pinDownload:
      'Name a version in the URL (an ARG), and check the digest in the same RUN (`echo "<sha256>  {{file}}" | sha256sum -c -`), or fetch it with `ADD --checksum=sha256:<digest> {{url}} /tmp/{{file}}`.',
  },
  needs: ['dockerfile'],
  analyze(ctx: AnalyzerContext): Report[] {
    const df = ctx.dockerfile;
    if (!df) return [];
    const reports: Report[] = [];
    for (const ins of df.parsed.instructions) {
      if (ins.keyword !== 'RUN') continue;
      let script: string;
      try {
        script = runScript(ins).replace(/\\\n/g, ' ');
      } catch {
        continue;
      }
      const report = pipedScript(script) ?? unpinnedDownload(script);
      if (!report) continue;
      const out: Report = { ...report, line: ins.line };
      if (ctx.build) {
        const cost = stepCostMs(ctx.build, ins.line);
        if (cost !== null) out.costMs = cost;
      }
      reports.push(out);
    }
    return reports;
  },
};

/** The pipelines of a script: split on `&&`, `||`, `;`, newlines, each split into its `|` stages. */
function pipelines(script: string): string[][] {
  return script
    .split(/&&|\|\||;|\n/)
    .map((p) => p.split('|').map((s) => s.replace(/\s+/g, ' ').trim()))
    .filter((p) => p.some(Boolean));
}

function isDownload(stage: string): boolean {
  const w = commandWords(stage.replace(/^[({]\s*/, ''));
  return w[0] === 'curl' || w[0] === 'wget';
}

function urlOf(stage: string): string | null {
  for (const raw of stage.split(' ')) {
    const word = raw.replace(/^["']|["']$/g, '');
    if (/^(https?|ftp):\/\//i.test(word)) return word;
  }
  const variable = stage.split(' ').map((w) => w.replace(/^["']|["']$/g, '')).find((w, i) => i > 0 && /^\$\{?\w+\}?$/.test(w));
  return variable ?? null;
}

function fileName(url: string): string {
  // The last segment of the URL's path; a bare host (`https://sh.rustup.rs`) or a variable gives install.sh.
  const path = url.replace(/^[a-z]+:\/\/[^/]*/i, '').replace(/[?#].*$/, '').replace(/\/+$/, '');
  const base = path.slice(path.lastIndexOf('/') + 1);
  return /^[\w.-]+$/.test(base) && base.includes('.') ? base : 'install.sh';
}

/** The words of a simple command, quotes kept together, with `sudo`/`env` (and their flags) and `VAR=value` prefixes dropped. */
function quotedWords(command: string): string[] {
  const words = command.match(/(?:[^\s"']+|"[^"]*"|'[^']*')+/g) ?? [];
  let i = 0;
  while (i < words.length && (/^(sudo|env|time|exec|nice|nohup)$/.test(words[i]!) || /^[A-Za-z_]\w*=/.test(words[i]!) || (i > 0 && /^(sudo|env)$/.test(words[i - 1]!) && words[i]!.startsWith('-')))) i++;
  const rest = words.slice(i);
  if (rest[0]) rest[0] = rest[0].replace(/^.*\//, '');
  return rest;
}

/** `curl … | sh`, `sh -c "$(curl …)"`, `bash <(curl …)`. */
function pipedScript(script: string): Omit<Report, 'line'> | null {
  for (const stages of pipelines(script)) {
    const d = stages.findIndex(isDownload);
    if (d < 0) continue;
    for (let k = d + 1; k < stages.length; k++) {
      const w = quotedWords(stages[k]!);
      if (!INTERPRETER.test(w[0] ?? '')) continue;
      const url = urlOf(stages[d]!) ?? '<url>';
      const file = fileName(url);
      const args = w.slice(1);
      while (args.length > 0 && ['-s', '-', '--', '-E'].includes(args[0]!)) args.shift();
      const run = [w[0], `/tmp/${file}`, ...args].join(' ');
      return { messageId: 'pipeToShell', data: { command: shorten(stages.slice(d, k + 1).join(' | ')), shell: w[0]!, url, file, run }, suggestion: 'runPinned' };
    }
  }
  const sub = /\b(sh|bash|zsh|dash|ash|eval|source|python[\d.]*)\b[^;&|]*?(\$\(|<\(|`)\s*((curl|wget)\b[^)`]*)/.exec(script);
  if (sub) {
    const url = urlOf(sub[3]!) ?? '<url>';
    const file = fileName(url);
    const shell = sub[1] === 'eval' || sub[1] === 'source' ? 'sh' : sub[1]!;
    return { messageId: 'pipeToShell', data: { command: shorten(sub[0].trim()), shell: sub[1]!, url, file, run: `${shell} /tmp/${file}` }, suggestion: 'runPinned' };
  }
  return null;
}

/** A curl/wget of a URL that names no version, with no digest check in the RUN. */
function unpinnedDownload(script: string): Omit<Report, 'line'> | null {
  if (VERIFIES.test(script)) return null;
  for (const stages of pipelines(script)) {
    const d = stages.findIndex(isDownload);
    if (d < 0) continue;
    // A signing key fetched for apt or gpg: keys are checked by what uses them, and rarely change.
    if (stages.slice(d + 1).some((s) => /^(sudo )?(gpg|apt-key|tee)\b/.test(s))) continue;
    const url = urlOf(stages[d]!);
    if (!url || !/^(https?|ftp):\/\//i.test(url) || /^[a-z]+:\/\/(localhost|127\.0\.0\.1|\[::1\])([:/]|$)/i.test(url)) continue;
    if (/\.(asc|gpg|key|pub|sig)$|gpg|keyring/i.test(url)) continue;
    if (PINNED.test(url) && !FLOATING.test(url)) continue;
    return { messageId: 'unpinnedDownload', data: { command: shorten(stages[d]!), url, file: fileName(url) }, suggestion: 'pinDownload' };
  }
  return null;
}

function shorten(command: string): string {
  return command.length > 80 ? `${command.slice(0, 79)}…` : command;
}
