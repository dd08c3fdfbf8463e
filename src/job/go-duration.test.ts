import { describe, expect, it } from 'vitest';
import { formatGoDuration, parseGoDuration } from './go-duration.ts';

describe('Go durations', () => {
  it.each([
    ['10m', 600_000],
    ['1h30m', 5_400_000],
    ['1.5h', 5_400_000],
    ['90s', 90_000],
    ['250ms', 250],
    ['0', 0],
    ['-2m', -120_000],
    ['1h0m0s', 3_600_000],
  ])('parses %s', (text, ms) => {
    expect(parseGoDuration(text)).toBe(ms);
  });

  it.each(['', '10', 'm', '1x', '1h 30m', '.s', 'abc'])('rejects %j', (text) => {
    expect(parseGoDuration(text)).toBeUndefined();
  });

  it.each([
    [3_600_000, '1h0m0s'],
    [300_000, '5m0s'],
    [90_000, '1m30s'],
    [1_500, '1.5s'],
    [30_000, '30s'],
    [250, '250ms'],
    [0, '0s'],
    [7_200_000, '2h0m0s'],
  ])('formats %d ms as %s', (ms, text) => {
    expect(formatGoDuration(ms)).toBe(text);
  });
});
