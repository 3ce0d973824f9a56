// The analyzer interface. An analyzer is pure: it reads an AnalyzerContext and reports findings as
// data; the message text lives in its `messages` and is filled in by the runner (src/core/analyze.ts).
import type { Build, Fix, Severity } from '../src/core/model.js';
import type { Dockerfile } from '../src/core/dockerfile.js';
import type { EcosystemOverrides } from '../src/core/ecosystems.js';

/** A file of the build context, in memory (tests) or as scanned (later: the context scanner). */
export interface ContextFile {
  /** Path relative to the context root, with `/` separators. */
  path: string;
  size: number;
  /** Text content when it was read (manifests such as package.json); omitted otherwise. */
  content?: string;
  /** A symlink is sent as a link, never followed; omitted means a regular file. */
  kind?: 'file' | 'symlink';
  /** lstat facts, when the scan was asked for them (`withStats`: the fingerprint's digest cache). */
  stat?: { mode: number; mtimeMs: number; ino: number };
}

export interface AnalyzerContext {
  /** The Dockerfile as given by the user (path for findings) and parsed; absent when only a log is known. */
  dockerfile?: { path: string; text: string; parsed: Dockerfile };
  /** The build, when a log or a live build is known (steps mapped to Dockerfile lines when possible). */
  build?: Build;
  /** The build context, when scanned. */
  context?: {
    root: string;
    files: ContextFile[];
    /** The ignore file that applies (`<Dockerfile>.dockerignore` or `.dockerignore`); `missing` when there is none yet (path is where it would go). */
    dockerignore?: { path: string; text: string; missing?: boolean };
    /** True when `files` is already the context as the build sees it (the scanner's output); else analyzers apply the ignore file. */
    filtered?: boolean;
    /** Files the ignore file keeps out that the scanner met (`.gitignore` files with content), when known. */
    excluded?: ContextFile[];
    /** The build target (`--target`), when given: stages it does not reach are not built. */
    target?: string;
  };
  /** Ecosystem overrides from `.buildlens.json` (install commands, cache paths, manifests); read through ecosystemTable. */
  ecosystems?: EcosystemOverrides;
}

/** What an analyzer reports: the runner turns it into a Finding. */
export interface Report {
  /** A key of the analyzer's `messages`. */
  messageId: string;
  /** Values for `{{name}}` placeholders in the message. */
  data?: Record<string, string | number>;
  /** Which file it points at: the Dockerfile (default) or the .dockerignore. */
  file?: 'dockerfile' | 'dockerignore';
  line: number | null;
  /** A behaviour-changing change, as a message key of `messages` plus data, or plain text of lines to add. */
  suggestion?: string;
  fix?: Fix;
  costMs?: number;
  /** The ids of the build steps whose time makes up costMs (see src/core/cost.ts). */
  costSteps?: string[];
}

export interface Analyzer {
  /** kebab-case, the same as its file name, doc (docs/rules/<id>.md) and test file. */
  id: string;
  description: string;
  defaultSeverity: Severity;
  /** Message templates with `{{name}}` placeholders. */
  messages: Record<string, string>;
  /** What it needs to run; the runner skips it when the context lacks it. */
  needs: Array<'dockerfile' | 'build' | 'context'>;
  analyze(ctx: AnalyzerContext): Report[];
}
