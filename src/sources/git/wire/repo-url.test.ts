import { describe, expect, it } from 'vitest';
import { parseRepoUrl } from './repo-url.ts';

describe('parseRepoUrl', () => {
  it('splits the job token out of the URL into a Basic header', () => {
    const remote = parseRepoUrl('https://gitlab-ci-token:tok%2Fen123@gitlab.example.com/g/p.git');
    expect(remote.url).toBe('https://gitlab.example.com/g/p.git');
    expect(remote.username).toBe('gitlab-ci-token');
    expect(remote.headers()).toEqual({
      Authorization: `Basic ${btoa('gitlab-ci-token:tok/en123')}`,
    });
    expect(JSON.stringify(remote)).not.toContain('en123');
    expect(remote.redact('failed with tok/en123 and tok%2Fen123')).toBe(
      'failed with [MASKED] and [MASKED]',
    );
  });

  it('rejects non-http URLs with a config error', () => {
    expect(() => parseRepoUrl('git@gitlab.example.com:g/p.git')).toThrow(
      expect.objectContaining({ code: 'SourcesConfigError' }),
    );
  });
});
