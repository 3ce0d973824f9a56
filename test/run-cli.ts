// Run the CLI in-process, as tests do: fake streams, a working directory, an environment.
import { Readable } from 'node:stream';
import { runCli, type CliIO } from '../src/cli/main.js';

export interface CliRun { code: number; stdout: string; stderr: string }

export async function runCliIn(cwd: string, argv: string[], opts: { env?: CliIO['env']; stdin?: string } = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: { write: (s: string) => void (stdout += s) },
    stderr: { write: (s: string) => void (stderr += s) },
    stdin: Readable.from(opts.stdin === undefined ? [] : [opts.stdin]),
    env: opts.env ?? {},
    cwd,
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}
