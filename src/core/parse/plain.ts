// STUB: replaced by the real plain parser.
import { emptyBuild, type Build } from '../model.js';
import type { FormatParser } from './index.js';

export function createPlainParser(): FormatParser {
  return {
    line() {},
    end(): Build { return emptyBuild('plain', 'buildkit'); },
  };
}
