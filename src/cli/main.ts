// The CLI entry: argument dispatch, one-sentence errors, exit codes, signals. It imports nothing heavy:
// each command's implementation is loaded with import() only when that command runs, so that
// `buildlens --help` starts fast (bench/startup.mjs).
import { ConfigError } from '../core/config.js';
import { ParseError } from '../core/parse/index.js';
import { InputError } from '../io/errors.js';
import { UsageError, closest, parseCommandArgs } from './args.js';
import { EXIT, Interrupted, signalExitCode, type ExitSignal } from './exit-codes.js';
import { COMMANDS, GENERAL_HELP, commandHelp, type CommandName } from './help.js';
import type { CliIO } from './io.js';
import { toolVersion } from './version.js';

export type { CliIO, CliOutput } from './io.js';

/** `report, build, context, lint and help`. */
function commandList(): string {
  return `${COMMANDS.slice(0, -1).join(', ')} and ${COMMANDS[COMMANDS.length - 1]}`;
}

function isCommand(name: string): name is CommandName {
  return (COMMANDS as readonly string[]).includes(name);
}

async function dispatch(argv: string[], io: CliIO): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    io.stderr.write(GENERAL_HELP);
    io.stderr.write('\nbuildlens: no command given: run `buildlens report <file>`, or `buildlens --help`.\n');
    return EXIT.USAGE;
  }
  if (first === '-h' || first === '--help') {
    io.stdout.write(GENERAL_HELP);
    return EXIT.OK;
  }
  if (first === '-V' || first === '--version') {
    io.stdout.write(toolVersion() + '\n');
    return EXIT.OK;
  }
  if (first.startsWith('-')) {
    throw new UsageError(`unknown option \`${first}\` (options go after the command, as in \`buildlens report build.log --no-color\`)`);
  }
  switch (first) {
    case 'help': {
      const { values, positionals } = parseCommandArgs('help', rest, { help: { type: 'boolean', short: 'h' } });
      if (values.help || positionals.length === 0) {
        io.stdout.write(values.help ? commandHelp('help') : GENERAL_HELP);
        return EXIT.OK;
      }
      if (positionals.length > 1) throw new UsageError('`help` takes one command name', 'help');
      const topic = positionals[0]!;
      if (!isCommand(topic)) throw new UsageError(`there is no command \`${topic}\`: the commands are ${commandList()}`, 'help');
      io.stdout.write(commandHelp(topic));
      return EXIT.OK;
    }
    case 'report': {
      const { runReport } = await import('./commands/report.js');
      return runReport(rest, io);
    }
    case 'build': {
      const { runBuild } = await import('./commands/build.js');
      return runBuild(rest, io);
    }
    case 'context': {
      const { runContext } = await import('./commands/context.js');
      return runContext(rest, io);
    }
    case 'lint': {
      const { runLint } = await import('./commands/lint.js');
      return runLint(rest, io);
    }
    case 'compare': {
      const { runCompare } = await import('./commands/compare.js');
      return runCompare(rest, io);
    }
    case 'why': {
      const { runWhy } = await import('./commands/why.js');
      return runWhy(rest, io);
    }
    default: {
      const guess = closest(first, COMMANDS);
      throw new UsageError(`unknown command \`${first}\`${guess ? ` (did you mean \`${guess}\`?)` : `: the commands are ${commandList()}`}`);
    }
  }
}

function interruption(err: unknown, io: CliIO): ExitSignal | null {
  if (err instanceof Interrupted) return err.signal;
  const reason: unknown = io.signal?.aborted ? io.signal.reason : undefined;
  return reason instanceof Interrupted ? reason.signal : null;
}

/** Run the CLI with `argv` (without node and the script) on `io`; resolves to the exit code. */
export async function runCli(argv: string[], io: CliIO): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (err) {
    const signal = interruption(err, io);
    if (signal) return signalExitCode(signal);
    if (err instanceof UsageError) {
      const more = err.command && err.command !== 'help' ? ` (or \`buildlens help ${err.command}\`)` : '';
      io.stderr.write(`buildlens: ${err.message}; run \`buildlens --help\`${more} to see the usage.\n`);
      return EXIT.USAGE;
    }
    if (err instanceof InputError || err instanceof ParseError || err instanceof ConfigError) {
      io.stderr.write(`buildlens: ${err.message}\n`);
      return EXIT.USAGE;
    }
    // A bug, not something the user did: say so, and keep the stack for whoever reports it.
    const message = err instanceof Error ? err.message : String(err);
    io.stderr.write(`buildlens: internal error: ${message} (this is a bug: please report it${io.env.BUILDLENS_DEBUG ? '' : '; set BUILDLENS_DEBUG=1 to see the stack trace'}).\n`);
    if (io.env.BUILDLENS_DEBUG && err instanceof Error && err.stack) io.stderr.write(err.stack + '\n');
    return EXIT.USAGE;
  }
}

/** The process entry (bin/buildlens.js): real streams, signals, and process.exitCode. */
export async function main(): Promise<void> {
  const controller = new AbortController();
  let interrupted: ExitSignal | null = null;
  const onSignal = (signal: ExitSignal) => {
    // A second signal while the command winds down: stop now.
    if (interrupted) process.exit(signalExitCode(interrupted));
    interrupted = signal;
    process.exitCode = signalExitCode(signal);
    controller.abort(new Interrupted(signal));
  };
  const onInt = () => onSignal('SIGINT');
  const onTerm = () => onSignal('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  // `buildlens report x | head`: a closed pipe is not an error worth a stack trace.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : EXIT.OK);
    throw err;
  });
  const io: CliIO = {
    stdout: process.stdout,
    stderr: process.stderr,
    // A getter: touching process.stdin costs time and a handle, and most runs never read it.
    get stdin() {
      return process.stdin;
    },
    env: process.env,
    cwd: process.cwd(),
    signal: controller.signal,
  };
  try {
    const code = await runCli(process.argv.slice(2), io);
    process.exitCode = interrupted ? signalExitCode(interrupted) : code;
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }
}
