// Every analyzer, listed by hand: one file, one doc (docs/rules/<id>.md), one test each.
import type { Analyzer } from './types.js';
import { aptUpdateAlone } from './apt-update-alone.js';

export const analyzers: Analyzer[] = [
  aptUpdateAlone,
];
