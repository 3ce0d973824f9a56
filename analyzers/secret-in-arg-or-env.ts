// A credential passed as ARG or ENV. A build-arg's value is written into the image history of every
// RUN after it (checked on the local engine: `docker history` shows `|1 NPM_TOKEN=<value> /bin/sh -c …`
// for a RUN that never mentions it), into provenance and into the cache key; an ENV is part of the
// image config, which anyone who can pull the image reads. A secret mount (`RUN
// --mount=type=secret`) never enters a layer, the history or the cache key. Messages name the
// variable, never its value. See docs/rules/secret-in-arg-or-env.md.
import type { Analyzer, AnalyzerContext, Report } from './types.js';
import { instructionBody, type Dockerfile, type Instruction } from '../src/core/dockerfile.js';

/** Name parts that make a variable a credential on their own. */
const SECRET_PARTS = new Set(['SECRET', 'SECRETS', 'PASSWORD', 'PASSWORDS', 'PASSWD', 'PASS', 'PASSPHRASE', 'TOKEN', 'TOKENS', 'APIKEY', 'CREDENTIAL', 'CREDENTIALS', 'CREDS', 'PAT']);
/** Parts that make a following `KEY` a credential (`API_KEY`, `PRIVATE_KEY`; not `GPG_KEY`, a public fingerprint). */
const KEY_QUALIFIERS = new Set(['API', 'SECRET', 'PRIVATE', 'ACCESS', 'ENCRYPTION', 'MASTER', 'LICENSE', 'SSH', 'DEPLOY', 'AUTH', 'CLIENT', 'SIGNING', 'SESSION', 'ACCOUNT']);
/** A last part that makes the variable describe a credential rather than hold it (`TOKEN_FILE`, `PASSWORD_LENGTH`). */
const DESCRIBES = new Set(['FILE', 'PATH', 'DIR', 'URL', 'URI', 'ENDPOINT', 'HOST', 'ID', 'NAME', 'USER', 'USERNAME', 'TYPE', 'LENGTH', 'LEN', 'SIZE', 'HEADER', 'VAR', 'REF', 'MOUNT', 'FINGERPRINT', 'ENABLED', 'REQUIRED', 'METHOD', 'MODE', 'EXPIRY', 'TTL', 'COUNT', 'SERVER', 'REGION', 'POLICY', 'DUMMY', 'FLAG']);
/** A literal that only holds a place (`dummy`, `changeme`, `<token>`): reported by name, without "rotate it". */
const PLACEHOLDER = /^(dummy|placeholder|changeme|change-me|change_me|example|test|none|null|unset|todo|x+|\*+|<[^>]*>|\.\.\.)$/i;

/** Values that are credentials whatever their name, with what they look like (never printed). */
const VALUE_PATTERNS: Array<[RegExp, string]> = [
  [/\bAKIA[0-9A-Z]{16}\b/, 'an AWS access key'],
  [/\bgh[pousr]_[A-Za-z0-9]{30,}|\bgithub_pat_\w{20,}/, 'a GitHub token'],
  [/\bglpat-[\w-]{20,}/, 'a GitLab token'],
  [/\bxox[abposr]-[\w-]{10,}/, 'a Slack token'],
  [/\bnpm_[A-Za-z0-9]{36}\b/, 'an npm token'],
  [/\bAIza[0-9A-Za-z_-]{35}\b/, 'a Google API key'],
  [/\bsk_live_[0-9a-zA-Z]{20,}/, 'a Stripe key'],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'a private key'],
  [/\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@$]+:[^/\s@$]+@/i, 'a URL with a password in it'],
];

interface Variable {
  name: string;
  /** The value as written, when the instruction gives one (never put in a message). */
  value: string | null;
}

export const secretInArgOrEnv: Analyzer = {
  id: 'secret-in-arg-or-env',
  description: 'A credential passed as ARG or ENV: it lands in the image history (ARG) or config (ENV); use a secret mount.',
  defaultSeverity: 'warning',
  messages: {
    arg: '`ARG {{name}}` looks like a credential: a build-arg value is written into the image history of every RUN after it (`docker history` shows `{{name}}=…`), into provenance attestations and into the cache key.',
    env: '`ENV {{name}}` looks like a credential: ENV is part of the image config, so anyone who can pull the image reads it with `docker inspect`, and every later RUN of the image history carries it.',
    valueInFile:
      '`{{keyword}} {{name}}` is set to what looks like {{kind}}, written in the Dockerfile itself: it is in the image {{where}} and in every copy of this file. Rotate it, and remove it from the file.',
    useSecret:
      'Pass it as a build secret, which never enters a layer, the history or the cache key:\nRUN --mount=type=secret,id={{id}} export {{name}}="$(cat /run/secrets/{{id}})" && {{command}}\nand build with `docker build --secret id={{id}},env={{name}} …`. (The shorter `--mount=type=secret,id={{id}},env={{name}}` needs Dockerfile syntax 1.10; the built-in frontend of Docker 26 / BuildKit 0.13 refuses it.)',
  },
  needs: ['dockerfile'],
  analyze(ctx: AnalyzerContext): Report[] {
    const df = ctx.dockerfile;
    if (!df) return [];
    const reports: Report[] = [];
    for (const ins of df.parsed.instructions) {
      if (ins.keyword !== 'ARG' && ins.keyword !== 'ENV') continue;
      for (const v of variables(ins)) {
        const kind = v.value ? valueKind(v.value) : null;
        const named = secretName(v.name);
        if (!kind && !named) continue;
        // A path to a secret file, a reference to another variable or an empty ENV holds no credential.
        if (!kind && v.value !== null && (v.value === '' || /^\/run\/secrets\//.test(v.value))) continue;
        if (!kind && ins.keyword === 'ENV' && v.value !== null && !/\$/.test(v.value) && v.value.length < 4) continue;
        const id = v.name.toLowerCase().replace(/[^a-z0-9]+/g, '_');
        const data: Record<string, string> = { name: v.name, keyword: ins.keyword, id, command: userOf(df.parsed, ins, v.name) };
        let messageId: string;
        // A value that refers to a variable (`$NPM_TOKEN`, `${KEY:-}`) is passed in, not written here.
        const literal = v.value !== null && v.value !== '' && !v.value.includes('$') && !PLACEHOLDER.test(v.value);
        if (kind || (named && literal && ins.keyword === 'ENV') || (named && literal && ins.keyword === 'ARG' && v.value!.length >= 8)) {
          messageId = 'valueInFile';
          data.kind = kind ?? 'a credential';
          data.where = ins.keyword === 'ENV' ? 'config' : 'history';
        } else messageId = ins.keyword === 'ENV' ? 'env' : 'arg';
        reports.push({ messageId, data, line: ins.line, suggestion: 'useSecret' });
      }
    }
    return reports;
  },
};

/** Does the name say it holds a credential? Parts split on `_`, `-`, `.` and camelCase. */
export function secretName(name: string): boolean {
  const parts = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toUpperCase()
    .split(/[_\-.]+/)
    .filter(Boolean);
  if (parts.length === 0 || parts.includes('PUBLIC') || parts.includes('PUB')) return false;
  if (DESCRIBES.has(parts[parts.length - 1]!)) return false;
  // `NPM_CONFIG__AUTH`, `BASIC_AUTH`: a trailing AUTH holds the credential.
  if (parts[parts.length - 1] === 'AUTH') return true;
  return parts.some((p, i) => SECRET_PARTS.has(p) || ((p === 'KEY' || p === 'KEYS') && i > 0 && KEY_QUALIFIERS.has(parts[i - 1]!)));
}

function valueKind(value: string): string | null {
  for (const [re, kind] of VALUE_PATTERNS) if (re.test(value)) return kind;
  return null;
}

/** The variables an ARG or ENV sets: `A`, `A=1 B="x y"`, or the legacy `ENV A 1 2`. */
function variables(ins: Instruction): Variable[] {
  const body = instructionBody(ins);
  if (ins.keyword === 'ENV' && !/^[A-Za-z_][\w.-]*=/.test(body)) {
    const m = /^(\S+)\s+(.*)$/.exec(body);
    return m ? [{ name: m[1]!, value: m[2]! }] : [];
  }
  const out: Variable[] = [];
  const re = /([A-Za-z_][\w.-]*)(?:=("((?:[^"\\]|\\.)*)"|'([^']*)'|(\S*)))?/g;
  for (let m = re.exec(body); m; m = re.exec(body)) {
    out.push({ name: m[1]!, value: m[2] === undefined ? null : m[3] ?? m[4] ?? m[5] ?? '' });
    // Skip to the next whitespace-separated word.
    const rest = body.slice(re.lastIndex);
    const gap = /^\S*\s*/.exec(rest)?.[0].length ?? 0;
    re.lastIndex += gap;
  }
  return out;
}

/** The body of the first later RUN of the stage that reads `$NAME`, for the suggestion; a placeholder when none does. */
function userOf(df: Dockerfile, ins: Instruction, name: string): string {
  const uses = new RegExp(`\\$\\{?${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`);
  const later = df.instructions.find((x) => x.line > ins.line && x.keyword === 'RUN' && (ins.stageIndex === null || x.stageIndex === ins.stageIndex) && uses.test(x.args));
  if (!later) return '<the command that needs it>';
  return instructionBody(later).replace(/\s+/g, ' ');
}
