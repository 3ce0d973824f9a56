import { formatDuration, formatSize, parseSize } from '../../src/core/units.js';

describe('parseSize', () => {
  it('reads decimal sizes as docker prints them', () => {
    expect(parseSize('37B')).toBe(37);
    expect(parseSize('0B')).toBe(0);
    expect(parseSize('1.06kB')).toBe(1060);
    expect(parseSize('2.07kB')).toBe(2070);
    expect(parseSize('101.05MB')).toBe(101_050_000);
    expect(parseSize('1.5GB')).toBe(1_500_000_000);
  });
  it('reads the old spaced form, the 18.09 zero-padded form and binary units', () => {
    expect(parseSize('60.93 kB')).toBe(60_930);
    expect(parseSize('02B')).toBe(2);
    expect(parseSize('1KiB')).toBe(1024);
    expect(parseSize('2MiB')).toBe(2 * 1024 * 1024);
  });
  it('refuses what is not a size', () => {
    for (const t of ['', 'B', 'kB', '12', '1.2.3kB', 'done', '12 MBs', '-3B', '1.2XB']) expect(parseSize(t)).toBeNull();
  });
});

describe('formatSize', () => {
  it('prints docker-style sizes', () => {
    expect(formatSize(37)).toBe('37B');
    expect(formatSize(0)).toBe('0B');
    expect(formatSize(1060)).toBe('1.06kB');
    expect(formatSize(101_050_000)).toBe('101.05MB');
    expect(formatSize(1_500_000_000)).toBe('1.50GB');
  });
  it('moves to the next unit rather than printing 1000.00', () => {
    expect(formatSize(999)).toBe('999B');
    expect(formatSize(999_999)).toBe('1.00MB');
    expect(formatSize(999_994)).toBe('999.99kB');
  });
  it('round-trips through parseSize within rounding', () => {
    for (const n of [37, 1060, 2070, 101_050_000]) expect(parseSize(formatSize(n))).toBe(n);
  });
});

describe('formatDuration', () => {
  it('prints seconds with one decimal under a minute', () => {
    expect(formatDuration(0)).toBe('0.0s');
    expect(formatDuration(12_340)).toBe('12.3s');
    expect(formatDuration(59_940)).toBe('59.9s');
  });
  it('prints minutes and seconds under an hour', () => {
    expect(formatDuration(59_950)).toBe('1m00s');
    expect(formatDuration(192_000)).toBe('3m12s');
    expect(formatDuration(65_000)).toBe('1m05s');
  });
  it('prints hours and minutes from an hour', () => {
    expect(formatDuration(3_600_000)).toBe('1h00m');
    expect(formatDuration(3_720_000)).toBe('1h02m');
    expect(formatDuration(3_599_600)).toBe('1h00m');
    expect(formatDuration(36_000_000 + 59 * 60_000)).toBe('10h59m');
  });
});
