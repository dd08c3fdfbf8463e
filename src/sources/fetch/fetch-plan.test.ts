import { describe, expect, it } from 'vitest';
import { planFetch, type GitInfo } from './fetch-plan.ts';

const sha = 'a'.repeat(40);
function info(overrides: Partial<GitInfo>): GitInfo {
  return {
    repo_url: '',
    repo_object_format: '',
    ref: 'main',
    sha,
    before_sha: '',
    ref_type: 'branch',
    refspecs: [],
    depth: 0,
    protected: null,
    ...overrides,
  };
}

describe('planFetch', () => {
  it('asks for the pipeline ref first, then the branch, then the SHA', () => {
    expect(
      planFetch(
        info({
          refspecs: [
            '+refs/heads/main:refs/remotes/origin/main',
            '+refs/pipelines/9:refs/pipelines/9',
          ],
        }),
      ),
    ).toEqual(['refs/pipelines/9', 'refs/heads/main', sha]);
  });

  it('narrows depth-0 wildcards to the job ref', () => {
    expect(
      planFetch(
        info({
          ref: 'v1.0',
          ref_type: 'tag',
          refspecs: ['+refs/heads/*:refs/remotes/origin/*', '+refs/tags/*:refs/tags/*'],
        }),
      ),
    ).toEqual(['refs/tags/v1.0', sha]);
  });

  it('uses a merge-request ref as given', () => {
    expect(planFetch(info({ ref: 'refs/merge-requests/3/head' }))).toEqual([
      'refs/merge-requests/3/head',
      sha,
    ]);
  });
});
