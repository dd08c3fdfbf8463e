import { describe, expect, it } from 'vitest';
import { cacheDefinitions } from './cache-spec.ts';

const refusal = (cache: unknown) => {
  try {
    cacheDefinitions(cache, 'jobs:build');
  } catch (err) {
    return (err as Error).message;
  }
  return 'accepted';
};

describe('cacheDefinitions', () => {
  it("fills in GitLab's defaults and keeps a list of caches in order", () => {
    expect(cacheDefinitions({ paths: ['.npm/'] }, 'jobs:build')).toEqual([
      {
        key: 'default',
        untracked: false,
        unprotect: false,
        policy: 'pull-push',
        paths: ['.npm/'],
        when: 'on_success',
        fallbackKeys: [],
      },
    ]);
    const caches = cacheDefinitions(
      [
        { key: 'a', policy: 'pull', when: 'always', untracked: true, fallback_keys: ['b'] },
        { key: { files: ['package-lock.json'], prefix: '$CI_JOB_NAME' }, policy: '$POLICY' },
        { key: { files: ['Gemfile.lock'] }, unprotect: true },
      ],
      'jobs:build',
    );
    expect(caches.map((c) => [c.key, c.policy, c.when, c.untracked, c.unprotect])).toEqual([
      ['a', 'pull', 'always', true, false],
      [
        { files: ['package-lock.json'], prefix: '$CI_JOB_NAME' },
        '$POLICY',
        'on_success',
        false,
        false,
      ],
      [{ files: ['Gemfile.lock'], prefix: null }, 'pull-push', 'on_success', false, true],
    ]);
    expect(cacheDefinitions(undefined, 'jobs:build')).toEqual([]);
  });

  it("refuses what GitLab refuses, in GitLab's words", () => {
    const cases: [unknown, string][] = [
      ['npm', 'jobs:build:cache config can only be a hash or an array'],
      [
        Array.from({ length: 5 }, () => ({})),
        'jobs:build:cache config no more than 4 caches can be created',
      ],
      [['npm'], 'jobs:build:cache config should be a hash'],
      [{ key: 'k', path: ['x'] }, 'jobs:build:cache config contains unknown keys: path'],
      [{ key: 'a/b' }, 'jobs:build:cache:key config cannot contain the "/" character'],
      [{ key: 'a%2Fb' }, 'jobs:build:cache:key config cannot contain the "/" character'],
      [{ key: '..' }, 'jobs:build:cache:key config cannot be "." or ".."'],
      [{ key: '%2E' }, 'jobs:build:cache:key config cannot be "." or ".."'],
      [{ key: 12 }, 'jobs:build:cache:key should be a hash, a string or a symbol'],
      [{ key: { prefix: 'p' } }, 'jobs:build:cache:key config missing required keys: files'],
      [
        { key: { files: ['a'], other: 1 } },
        'jobs:build:cache:key config contains unknown keys: other',
      ],
      [{ key: { files: 'a' } }, 'jobs:build:cache:key:files config should be an array of strings'],
      [{ key: { files: [] } }, 'jobs:build:cache:key:files config requires at least 1 item'],
      [
        { key: { files: ['a', 'b', 'c'] } },
        'jobs:build:cache:key:files config has too many items (maximum is 2)',
      ],
      [
        { key: { files: ['a'], prefix: 'x/y' } },
        'jobs:build:cache:key:prefix config cannot contain the "/" character',
      ],
      [
        { policy: 'sometimes' },
        'jobs:build:cache policy should be a variable or one of: pull-push, push, pull',
      ],
      [{ when: 'never' }, 'jobs:build:cache when should be one of: on_success, on_failure, always'],
      [
        { fallback_keys: ['a', 'b', 'c', 'd', 'e', 'f'] },
        'jobs:build:cache fallback keys has to many entries (maximum 5)',
      ],
      [
        { fallback_keys: 'a' },
        'jobs:build:cache:fallback_keys config should be an array of strings',
      ],
      [{ paths: '.npm/' }, 'jobs:build:cache:paths config should be an array of strings'],
      [{ untracked: 'yes' }, 'jobs:build:cache:untracked config should be a boolean value'],
    ];
    for (const [cache, message] of cases)
      expect(refusal(cache), JSON.stringify(cache)).toBe(message);
    // Dots inside a key, and escapes that are not a slash, are fine.
    expect(refusal({ key: 'random-..string' })).toBe('accepted');
    expect(refusal({ key: '.hidden%20key' })).toBe('accepted');
  });
});
