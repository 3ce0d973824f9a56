// Errors a user can cause with their input (a missing file, a directory, a stdin that is a terminal):
// the CLI prints the message as one sentence and exits 2, never with a stack trace.
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/** A file-system error code (`ENOENT`, `EACCES`, …), if `err` carries one. */
export function errnoCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}

/** One sentence for a file that could not be opened or read. `what` names it: `The log file x`. */
export function fileErrorMessage(err: unknown, what: string, hint: string): string {
  switch (errnoCode(err)) {
    case 'ENOENT': return `${what} does not exist: ${hint}.`;
    case 'EISDIR': return `${what} is a directory, not a file: ${hint}.`;
    case 'EACCES':
    case 'EPERM': return `${what} cannot be read (permission denied): check its permissions.`;
    case 'ENOTDIR': return `${what} does not exist (a part of its path is a file, not a directory): ${hint}.`;
    default: return `${what} cannot be read (${err instanceof Error ? err.message : String(err)}).`;
  }
}
