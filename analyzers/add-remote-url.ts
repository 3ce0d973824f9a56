// `ADD https://…` without `--checksum`. BuildKit asks the server on every build to learn whether the
// file changed (one request per build, measured on the local engine), and when it did, the ADD and
// every later step of its stage re-run, with content nobody verified. With `--checksum=sha256:…` the
// step is keyed on the digest: no request while it is cached, and a changed file fails the build
// instead of slipping in. See docs/rules/add-remote-url.md.
import type { Analyzer, AnalyzerContext, Report } from './types.js';
import { instructionBody, type Instruction } from '../src/core/dockerfile.js';
import { stepCostMs } from '../src/core/cost.js';

export const addRemoteUrl: Analyzer = {
  id: 'add-remote-url',
  description: 'ADD of an http(s) URL without --checksum: a request on every build, and unverified content that can change under the cache.',
  defaultSeverity: 'warning',
  messages: {
    noChecksum:
      '`ADD {{url}}` has no `--checksum`: BuildKit asks the server on every build whether the file changed, and when it did this step and every later one of the stage re-run with content nothing verified.',
    addChecksum:
      'Pin the file by its digest (BuildKit 0.13 / Docker 26 take it without a `# syntax=` line):\n{{line}}\nGet the digest once with `curl -fsSL {{url}} | sha256sum`; put the version in the URL (or an ARG) so a change is a change of this line.',
  },
  needs: ['dockerfile'],
  analyze(ctx: AnalyzerContext): Report[] {
    const df = ctx.dockerfile;
    if (!df) return [];
    const lines = df.text.split(/\r\n|\r|\n/);
    const reports: Report[] = [];
    for (const ins of df.parsed.instructions) {
      if (ins.keyword !== 'ADD' || ins.flags['checksum']?.length) continue;
      const url = remoteUrls(ins)[0];
      if (!url) continue;
      const report: Report = {
        messageId: 'noChecksum',
        data: { url, line: withChecksum(lines, ins) },
        line: ins.line,
        suggestion: 'addChecksum',
      };
      if (ctx.build) {
        const cost = stepCostMs(ctx.build, ins.line);
        if (cost !== null) report.costMs = cost;
      }
      reports.push(report);
    }
    return reports;
  },
};

/** The http(s) sources of an ADD that are files, not Git repositories (`…/repo.git#ref` is a Git source). */
export function remoteUrls(ins: Instruction): string[] {
  const body = instructionBody(ins);
  let args: string[];
  if (ins.jsonForm) {
    try {
      args = JSON.parse(body) as string[];
    } catch {
      args = body.split(' ');
    }
  } else args = body.split(' ').filter(Boolean);
  return args
    .slice(0, -1)
    .map((a) => a.replace(/^["']|["']$/g, ''))
    .filter((a) => /^https?:\/\//i.test(a) && !isGitUrl(a));
}

function isGitUrl(url: string): boolean {
  return /\.git(#.*)?$/i.test(url) || /\.git\/?#/i.test(url);
}

/** The ADD's first line with `--checksum=sha256:<digest>` after `ADD`. */
function withChecksum(lines: string[], ins: Instruction): string {
  const first = lines[ins.line - 1] ?? ins.text;
  const m = /^(\s*\S+)\s*(.*)$/.exec(first);
  const line = m ? `${m[1]} --checksum=sha256:<digest> ${m[2]}` : `ADD --checksum=sha256:<digest> ${ins.args}`;
  return ins.endLine > ins.line ? `${line}\n    …` : line;
}
