// Every analyzer, listed by hand: one file, one doc (docs/rules/<id>.md), one test each.
import type { Analyzer } from './types.js';
import { aptUpdateAlone } from './apt-update-alone.js';
import { contextJunk } from './context-junk.js';
import { contextSecret } from './context-secret.js';
import { contextUnusedFiles } from './context-unused-files.js';
import { dockerignoreExcludesCopySource } from './dockerignore-excludes-copy-source.js';
import { gitIgnoredInContext } from './git-ignored-in-context.js';

export const analyzers: Analyzer[] = [
  aptUpdateAlone,
  contextJunk,
  contextSecret,
  contextUnusedFiles,
  dockerignoreExcludesCopySource,
  gitIgnoredInContext,
];
