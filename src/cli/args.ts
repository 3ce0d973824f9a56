// Argument parsing on node's util.parseArgs (strict), with its errors turned into one sentence.
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A command line the user got wrong: printed as one sentence plus where to find the help, exit 2. */
export class UsageError extends Error {
  constructor(message: string, readonly command?: string) {
    super(message);
    this.name = 'UsageError';
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

function quoted(message: string): string | undefined {
  return /'([^']+)'/.exec(message)?.[1];
}

/** Parse `args` for `command` strictly; any mistake becomes a UsageError naming the flag. */
export function parseCommandArgs<O extends Options>(command: string, args: string[], options: O) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    const code = (err as { code?: string }).code;
    const message = err instanceof Error ? err.message : String(err);
    const what = quoted(message);
    switch (code) {
      case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
        throw new UsageError(`unknown option \`${what ?? message}\` for \`buildlens ${command}\``, command);
      case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
        const flag = what?.match(/--[\w-]+/)?.[0] ?? what?.split(' ')[0] ?? '';
        if (/does not take an argument/.test(message)) throw new UsageError(`option \`${flag}\` takes no value`, command);
        if (/ambiguous/.test(message)) throw new UsageError(`option \`${flag}\` needs a value, but it is followed by another option (write \`${flag}=VALUE\` if the value starts with \`-\`)`, command);
        throw new UsageError(`option \`${flag}\` needs a value`, command);
      }
      case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
        throw new UsageError(`unexpected argument \`${what ?? message}\``, command);
      default:
        throw new UsageError(message.replace(/\.$/, ''), command);
    }
  }
}

/** Check a flag's value against the allowed ones. */
export function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[], command: string): T | undefined {
  if (value === undefined) return undefined;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  const list = allowed.length > 1 ? `${allowed.slice(0, -1).join(', ')} or ${allowed[allowed.length - 1]}` : allowed.join('');
  throw new UsageError(`\`${flag}\` must be ${list}, not \`${value}\``, command);
}

/** The closest of `candidates` to `word`, when it is a plausible typo (edit distance ≤ 2). */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}
