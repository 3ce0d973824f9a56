// The streams and environment a command runs with: injected, so tests run the CLI in-process.
export interface CliOutput {
  write(s: string): void;
  isTTY?: boolean;
  columns?: number;
}

export interface CliIO {
  stdout: CliOutput;
  stderr: CliOutput;
  stdin: NodeJS.ReadableStream;
  env: Record<string, string | undefined>;
  cwd: string;
  /** Aborted when the process receives SIGINT or SIGTERM (its reason is an `Interrupted`). */
  signal?: AbortSignal;
}
