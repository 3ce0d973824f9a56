// Every exit code buildlens uses, and the rules that choose them: the one place that decides.
import type { Severity } from '../core/model.js';

export const EXIT = {
  /** Fine: the command did what was asked (a report of a failed build included). */
  OK: 0,
  /** Findings at or above `--fail-on`, or a budget breached. */
  FINDINGS: 1,
  /** Usage, input or environment error: bad flag, unreadable file, not a build log, docker missing. */
  USAGE: 2,
  /** Stopped by SIGINT (Ctrl-C): 128 + 2. */
  SIGINT: 130,
  /** Stopped by SIGTERM: 128 + 15. */
  SIGTERM: 143,
} as const;

export type ExitSignal = 'SIGINT' | 'SIGTERM';

export function signalExitCode(signal: ExitSignal): number {
  return signal === 'SIGINT' ? EXIT.SIGINT : EXIT.SIGTERM;
}

/** The reason a command was stopped by a signal (the AbortSignal's reason). */
export class Interrupted extends Error {
  constructor(readonly signal: ExitSignal) {
    super(`Interrupted by ${signal}.`);
    this.name = 'Interrupted';
  }
}

const RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Does `--fail-on` trip on these findings? ('none' never does.) */
export function failOnTripped(findings: ReadonlyArray<{ severity: Severity }>, failOn: Severity | 'none'): boolean {
  if (failOn === 'none') return false;
  return findings.some((f) => RANK[f.severity] <= RANK[failOn]);
}

/** `report` (and any command that only reads): 1 when `--fail-on` trips, else 0. */
export function reportExitCode(findings: ReadonlyArray<{ severity: Severity }>, failOn: Severity | 'none'): number {
  return failOnTripped(findings, failOn) ? EXIT.FINDINGS : EXIT.OK;
}

/** Exit codes of a process killed by a signal, as a shell reports them (128 + signal number). */
const SIGNAL_NUMBERS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGPIPE: 13, SIGTERM: 15 };

export interface BuildOutcome {
  /** docker's exit code; null when it was killed by a signal or never reported one. */
  dockerExitCode: number | null;
  /** The signal that killed docker, if one did. */
  dockerSignal?: string | null;
  /** Findings at or above `--fail-on` were reported. */
  failOnTripped: boolean;
  /** A budget (`--max-duration`, …) was breached. */
  budgetBreached: boolean;
}

/**
 * `build`: a failed docker build returns docker's own exit code, which wins over budgets and
 * findings (a script must see the build failed); a docker killed by a signal gives 128 + its number;
 * then 1 for findings or a breached budget; else 0.
 */
export function buildExitCode(outcome: BuildOutcome): number {
  if (outcome.dockerExitCode !== null && outcome.dockerExitCode !== 0) return outcome.dockerExitCode;
  if (outcome.dockerExitCode === null && outcome.dockerSignal) {
    return 128 + (SIGNAL_NUMBERS[outcome.dockerSignal] ?? 1);
  }
  if (outcome.failOnTripped || outcome.budgetBreached) return EXIT.FINDINGS;
  return EXIT.OK;
}
