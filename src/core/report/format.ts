// Number formatting for the renderers: sizes and durations come from src/core/units.ts (docker's
// decimal units, `3.1s` / `3m12s`); shares are formatted here.
export { formatDuration, formatSize } from '../units.js';

/** A share in whole percent; `<1%` for a small non-zero share. */
export function formatPercent(part: number, whole: number): string {
  if (whole <= 0) return '-';
  const p = (part / whole) * 100;
  if (p > 0 && p < 1) return '<1%';
  return `${Math.round(p)}%`;
}
