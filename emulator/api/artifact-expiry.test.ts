import { describe, expect, it } from 'vitest';
import { parseExpireIn } from './artifact-expiry.ts';

describe('parseExpireIn', () => {
  it.each([
    ['7d', 7 * 86_400_000],
    ['1 week', 604_800_000],
    ['2 hrs 20 min', 8_400_000],
    ['3600', 3_600_000],
    ['30 minutes', 1_800_000],
  ])('reads %s', (text, ms) => {
    expect(parseExpireIn(text)).toBe(ms);
  });

  it('reads never as no expiry and rejects nonsense', () => {
    expect(parseExpireIn('never')).toBeNull();
    expect(parseExpireIn('soon')).toBeUndefined();
    expect(parseExpireIn('3 fortnights')).toBeUndefined();
  });
});
