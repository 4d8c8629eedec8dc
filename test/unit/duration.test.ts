import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../src/config/duration.js';

describe('parseDuration', () => {
  it.each([
    ['30m', 1_800_000],
    ['24h', 86_400_000],
    ['1d', 86_400_000],
    ['45s', 45_000],
    ['1500ms', 1500],
    ['1h30m', 5_400_000],
    ['1h 30m', 5_400_000],
    ['1.5h', 5_400_000],
    [' 10S ', 10_000],
    ['2d12h', 216_000_000],
    ['365d', 31_536_000_000],
  ])('%j → %d ms', (text, ms) => {
    expect(parseDuration(text)).toEqual({ ok: true, ms });
  });

  it('distinguishes minutes from milliseconds', () => {
    expect(parseDuration('1m')).toEqual({ ok: true, ms: 60_000 });
    expect(parseDuration('1ms')).toEqual({ ok: true, ms: 1 });
  });

  it('refuses a bare number and suggests units', () => {
    const r = parseDuration('30');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.message).toBe('"30" has no unit: write 30s, 30m or 30ms');
  });

  it.each(['soon', '30 minutes', '1h30', '-5m', '5x', 'm', '1h-30m'])('refuses %j', (text) => {
    const r = parseDuration(text);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.message).toBe(`"${text}" is not a duration: use 30m, 24h, 1d, 45s, 1500ms or sums like 1h30m`);
  });

  it('refuses an empty string, an over-long string and more than a year', () => {
    expect(parseDuration('')).toEqual({ ok: false, message: 'expected a duration such as 30m, 24h, 1d, 45s or 1500ms' });
    expect(parseDuration('1s'.repeat(40))).toEqual({ ok: false, message: 'duration is too long' });
    expect(parseDuration('366d')).toEqual({ ok: false, message: '"366d" is longer than a year' });
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0ms'],
    [1, '1ms'],
    [999, '999ms'],
    [1000, '1s'],
    [45_000, '45s'],
    [90_000, '1m30s'],
    [1_800_000, '30m'],
    [5_400_000, '1h30m'],
    [86_400_000, '1d'],
    [31_536_000_000, '365d'],
    [90_061_000, '1d1h1m1s'],
  ])('%d ms → %j', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('round-trips whole seconds through parseDuration', () => {
    for (const ms of [1000, 59_000, 61_000, 3_599_000, 86_399_000, 86_401_000, 31_536_000_000]) {
      expect(parseDuration(formatDuration(ms))).toEqual({ ok: true, ms });
    }
  });

  it('prints non-finite values as they are', () => {
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe('Infinity');
  });
});
