// Sizes and durations as docker prints them: decimal units (1 kB = 1000 B), seconds with one decimal.

const SIZE = /^(\d+(?:\.\d+)?|\.\d+)\s*([kKMGTP]?)(i?)B$/;
const DECIMAL: Record<string, number> = { '': 1, k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15 };
const BINARY: Record<string, number> = { '': 1, k: 1024, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4, P: 1024 ** 5 };

/**
 * Bytes from a size as docker prints it: `37B`, `1.06kB`, `101.05MB`, `2GB` (decimal units), also
 * `60.93 kB` (old legacy builder) and `1.5MiB` (binary units). Null when the text is not a size.
 */
export function parseSize(text: string): number | null {
  const m = SIZE.exec(text.trim());
  if (!m) return null;
  const value = Number(m[1]);
  const table = m[3] ? BINARY : DECIMAL;
  const mult = table[m[2] ?? ''];
  if (mult === undefined || !Number.isFinite(value)) return null;
  return Math.round(value * mult);
}

const SIZE_UNITS = ['kB', 'MB', 'GB', 'TB', 'PB'];

/** Docker-style size: `37B`, `1.06kB`, `101.05MB` (two decimals from 1 kB up). */
export function formatSize(bytes: number): string {
  if (!Number.isFinite(bytes)) return '?';
  if (bytes < 0) return '-' + formatSize(-bytes);
  if (bytes < 1000) return `${Math.round(bytes)}B`;
  let value = bytes / 1000;
  let unit = 0;
  // Move up a unit when two-decimal rounding would print 1000.00.
  while (unit < SIZE_UNITS.length - 1 && Math.round(value * 100) >= 100000) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(2)}${SIZE_UNITS[unit]}`;
}

/** A duration for people: `0.0s`, `12.3s` under a minute, `3m12s` under an hour, then `1h02m`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '?';
  if (ms < 0) return '-' + formatDuration(-ms);
  if (ms < 59950) return `${(ms / 1000).toFixed(1)}s`;
  const secs = Math.round(ms / 1000);
  if (secs < 3600) return `${Math.floor(secs / 60)}m${pad2(secs % 60)}s`;
  const mins = Math.round(ms / 60000);
  return `${Math.floor(mins / 60)}h${pad2(mins % 60)}m`;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
