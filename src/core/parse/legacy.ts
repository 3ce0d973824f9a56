// STUB: replaced by the real legacy parser.
import { emptyBuild, type Build } from '../model.js';
import type { FormatParser } from './index.js';

export function createLegacyParser(): FormatParser {
  return {
    line() {},
    end(): Build { return emptyBuild('legacy', 'legacy'); },
  };
}
