// Secrets stay secret: the values of secret-looking build-args (and of `--secret` env sources) are
// masked in every text buildlens writes — BuildKit prints build-arg values inside step names.
import type { DockerBuildArgs } from './docker-args.js';

/** Build-arg names that look secret: any name with one of these words in it. */
const SECRET_WORDS = /(TOKEN|PASSWORD|PASSWD|PASSPHRASE|SECRET|KEY|CREDENTIAL|AUTH|PRIVATE|PWD|COOKIE|SESSION|SIGNATURE|CERT)/;

export const MASK = '*****';

/** Values shorter than this are not masked: masking `1` or `on` would garble everything. */
export const MIN_SECRET_LENGTH = 4;

export function looksSecret(name: string): boolean {
  return SECRET_WORDS.test(name.toUpperCase());
}

/**
 * The values to mask: build-args whose names look secret or are named by `--redact`, whether given
 * on the command line or read by docker from the environment (`--build-arg NAME`), and the values of
 * `--secret` env sources.
 */
export function secretValues(docker: Pick<DockerBuildArgs, 'buildArgs' | 'secrets'>, env: Record<string, string | undefined>, redactNames: readonly string[] = []): string[] {
  const extra = new Set(redactNames.map((n) => n.toUpperCase()));
  const values = new Set<string>();
  for (const arg of docker.buildArgs) {
    if (!looksSecret(arg.name) && !extra.has(arg.name.toUpperCase())) continue;
    const value = arg.value ?? env[arg.name];
    if (value !== undefined) values.add(value);
  }
  for (const s of docker.secrets) {
    const value = s.env !== null ? env[s.env] : undefined;
    if (value !== undefined) values.add(value);
  }
  return [...values].filter((v) => v.length >= MIN_SECRET_LENGTH);
}

export type Redactor = (text: string) => string;

/** A function that masks every occurrence of any of `values` (longest first, so one inside another is masked whole). */
export function createRedactor(values: readonly string[]): Redactor {
  const sorted = [...new Set(values)].filter((v) => v.length > 0).sort((a, b) => b.length - a.length);
  if (sorted.length === 0) return (text) => text;
  return (text) => {
    let out = text;
    for (const v of sorted) if (out.includes(v)) out = out.split(v).join(MASK);
    return out;
  };
}

/** A deep copy of JSON-like data with every string masked (the build model, a report). */
export function redactDeep<T>(data: T, redact: Redactor): T {
  const walk = (x: unknown): unknown => {
    if (typeof x === 'string') return redact(x);
    if (Array.isArray(x)) return x.map(walk);
    if (x !== null && typeof x === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(x)) out[k] = walk(v);
      return out;
    }
    return x;
  };
  return walk(data) as T;
}

/**
 * A redactor for a stream of text chunks: a secret split across two chunks is still masked, by
 * holding back the tail that could start one (at most the longest value minus one character), up to
 * the last newline when there is one.
 */
export function createStreamRedactor(values: readonly string[]): { write(chunk: string): string; end(): string } {
  const redact = createRedactor(values);
  const longest = values.reduce((m, v) => Math.max(m, v.length), 0);
  if (longest === 0) return { write: (c) => c, end: () => '' };
  let held = '';
  return {
    write(chunk) {
      const text = held + chunk;
      const nl = text.lastIndexOf('\n');
      let cut = nl >= 0 ? nl + 1 : Math.max(0, text.length - (longest - 1));
      // Never cut through a whole secret that starts before the cut.
      for (let moved = true; moved && cut > 0;) {
        moved = false;
        for (const v of values) {
          for (let s = Math.max(0, cut - v.length + 1); s < cut; s++) {
            if (v.length > 0 && text.startsWith(v, s)) {
              cut = s;
              moved = true;
              break;
            }
          }
        }
      }
      held = text.slice(cut);
      return redact(text.slice(0, cut));
    },
    end() {
      const rest = redact(held);
      held = '';
      return rest;
    },
  };
}
