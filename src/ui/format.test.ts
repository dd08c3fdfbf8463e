import { describe, expect, it } from 'vitest';
import { formatDuration, formatElapsed } from './format.ts';

describe('formatElapsed', () => {
  it('counts whole seconds from the start, then minutes and hours', () => {
    expect(formatElapsed(0)).toBe('0 s');
    expect(formatElapsed(999)).toBe('0 s');
    expect(formatElapsed(1_000)).toBe('1 s');
    expect(formatElapsed(59_999)).toBe('59 s');
    expect(formatElapsed(60_000)).toBe('1 min 0 s');
    expect(formatElapsed(184_500)).toBe('3 min 4 s');
    expect(formatElapsed(3_723_000)).toBe('1 h 2 min');
  });

  it('never shows a negative time when the clock steps back', () => {
    expect(formatElapsed(-1_500)).toBe('0 s');
  });
});

describe('formatDuration', () => {
  it('keeps milliseconds and tenths for measured durations', () => {
    expect(formatDuration(340)).toBe('340 ms');
    expect(formatDuration(1_240)).toBe('1.2 s');
    expect(formatDuration(184_000)).toBe('3 min 4 s');
  });
});
