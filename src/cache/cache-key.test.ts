import { describe, expect, it } from 'vitest';
import { defaultCacheKey, sanitizeCacheKey } from './cache-key.ts';
import { goQuote } from './go-quote.ts';

describe('sanitizeCacheKey', () => {
  // Cases from GitLab's cache/cachekey/cachekey_test.go.
  it.each([
    ['fallback_key', 'fallback_key'],
    ['.../....', '.../....'],
    ['fallback_key/ / \\  \\', 'fallback_key'],
    ['fallback_key / \\o', 'fallback_key / /o'],
    ['\t foo bar \t\r', '\t foo bar'],
    ['foo \t \r ', 'foo'],
    ['something %2F something', 'something / something'],
    ['some%2f../job/some/ref/.', 'job/some/ref'],
    ['%2E%2e%2E', '...'],
    ['%5C', '%5C'],
    ['foo/bar/../../../.././blerp', 'blerp'],
    ['a/b/c/../../d', 'a/d'],
    ['//foo/bar', 'foo/bar'],
    ['foo\\blipp\\..\\bar', 'foo/bar'],
    ['...\\foo\\bar', '.../foo/bar'],
    ['foo/ /bar', 'foo/ /bar'],
    ['foo/ /', 'foo'],
    ['key\u00a0\u3000', 'key'],
  ])('%j becomes %j', (raw, key) => {
    expect(sanitizeCacheKey(raw)).toEqual({ ok: true, key });
  });

  it('keeps the empty key empty (GitLab then calls it an empty cache key)', () => {
    expect(sanitizeCacheKey('')).toEqual({ ok: true, key: '' });
  });

  it.each(['\\.', '..', ' / ', '//\\', 'foo/bar/../..', ' \t\r\n', '%2e%2E', '.%2E', '%2F'])(
    'cannot sanitize %j',
    (raw) => {
      expect(sanitizeCacheKey(raw)).toEqual({
        ok: false,
        message: `cache key ${goQuote(raw)} could not be sanitized`,
      });
    },
  );

  it('does not treat U+FEFF as a space, as Go does not', () => {
    expect(sanitizeCacheKey('key\ufeff')).toEqual({ ok: true, key: 'key\ufeff' });
  });
});

describe('defaultCacheKey', () => {
  it('is <job name>/<ref>, cleaned as a path', () => {
    expect(defaultCacheKey('build', 'main')).toBe('build/main');
    expect(defaultCacheKey('build', 'feature/x')).toBe('build/feature/x');
    expect(defaultCacheKey('../up', 'main')).toBe('up/main');
  });
});

describe('goQuote', () => {
  it('quotes as Go %q does', () => {
    expect(goQuote('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(goQuote('\n\t\x07\x00\x7f')).toBe('"\\n\\t\\a\\x00\\x7f"');
    expect(goQuote('grüße')).toBe('"grüße"');
  });
});
