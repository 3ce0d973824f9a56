// Number formatting for the renderers: sizes and durations come from src/core/units.ts (docker's
// decimal units, `3.1s` / `3m12s`); shares are formatted here.
import { formatDuration } from '../units.js';
export { formatDuration, formatSize } from '../units.js';

/** A share in whole percent; `<1%` for a small non-zero share. */
export function formatPercent(part: number, whole: number): string {
  if (whole <= 0) return '-';
  const p = (part / whole) * 100;
  if (p > 0 && p < 1) return '<1%';
  return `${Math.round(p)}%`;
}

/**
 * A finding's cost as the reports print it: `~6.2s at stake`, the time of the steps the finding
 * re-runs or slows down when it bites (not every build: a floating tag costs on a republish, a
 * cache breaker on an edit). Null without a cost, or under 50 ms, where `~0.0s` would say nothing.
 */
export function costText(ms: number | null | undefined): string | null {
  if (ms === null || ms === undefined || ms < 50) return null;
  return `~${formatDuration(ms)} at stake`;
}
