import { describe, expect, it } from 'vitest';
import { hasErrorCode } from '../../src/errors/index.ts';
import { ciConfigError } from '../test-support/index.ts';
import { parseCiConfig } from './ci-config.ts';

const PROJECT = { CI_PROJECT_PATH: 'group/app', CI_DEFAULT_BRANCH: 'main' };
const branch = (name: string, source = 'push') => ({
  ...PROJECT,
  CI_COMMIT_BRANCH: name,
  CI_COMMIT_REF_NAME: name,
  CI_PIPELINE_SOURCE: source,
});
const TAG = {
  ...PROJECT,
  CI_COMMIT_TAG: 'v1.0',
  CI_COMMIT_REF_NAME: 'v1.0',
  CI_PIPELINE_SOURCE: 'push',
};
const MERGE_REQUEST = {
  ...PROJECT,
  CI_COMMIT_REF_NAME: 'feature',
  CI_MERGE_REQUEST_IID: '3',
  CI_PIPELINE_SOURCE: 'merge_request_event',
};

const jobNames = async (yaml: string, predefined: Record<string, string>) => {
  try {
    return (await parseCiConfig(yaml, predefined)).jobs.map((job) => job.name);
  } catch (error) {
    // An empty pipeline is an error; here it just means no job was added.
    if (hasErrorCode(error, 'CiConfigError') && /no jobs/.test((error as Error).message)) return [];
    throw error;
  }
};

const configError = (yaml: string) => ciConfigError(parseCiConfig(yaml, branch('main')));

describe('parseCiConfig: only and except', () => {
  it('defaults to only branches and tags, so merge-request pipelines get no plain jobs', async () => {
    const yaml = 'plain:\n  script: [x]\n';
    expect(await jobNames(yaml, branch('feature'))).toEqual(['plain']);
    expect(await jobNames(yaml, TAG)).toEqual(['plain']);
    expect(await jobNames(yaml, MERGE_REQUEST)).toEqual([]);
    // `workflow: rules` drops the default, as GitLab does (gitlab!21742).
    const withWorkflow = `workflow:\n  rules:\n    - when: always\n${yaml}`;
    expect(await jobNames(withWorkflow, MERGE_REQUEST)).toEqual(['plain']);
  });

  it('matches branch names, regexes, tags, sources and project paths (GitLab docs examples)', async () => {
    const yaml = `
issues:
  script: [x]
  only: [main, /^issue-.*$/, merge_requests]
  except: [branches@gitlab-org/gitlab]
releases:
  script: [x]
  only: [tags]
triggered:
  script: [x]
  only: [api, web, pipelines, schedules]
pushed:
  script: [x]
  only: [pushes]
other-project:
  script: [x]
  only: [main@other/project]
case-insensitive:
  script: [x]
  only: [/^ISSUE-/i]
`;
    expect(await jobNames(yaml, branch('main'))).toEqual(['issues', 'pushed']);
    expect(await jobNames(yaml, branch('issue-42'))).toEqual([
      'issues',
      'pushed',
      'case-insensitive',
    ]);
    expect(await jobNames(yaml, branch('feature'))).toEqual(['pushed']);
    expect(await jobNames(yaml, TAG)).toEqual(['releases', 'pushed']);
    expect(await jobNames(yaml, MERGE_REQUEST)).toEqual(['issues']);
    expect(await jobNames(yaml, branch('feature', 'api'))).toEqual(['triggered']);
    expect(await jobNames(yaml, branch('feature', 'schedule'))).toEqual(['triggered']);
    expect(
      await jobNames(yaml, { ...branch('main'), CI_PROJECT_PATH: 'gitlab-org/gitlab' }),
    ).toEqual(['pushed']);
  });

  it('needs every only key to match, and drops a job when any except key matches', async () => {
    const yaml = `
staging:
  script: [x]
  only:
    variables: [$RELEASE == "staging", $STAGING]
production:
  script: [x]
  only:
    refs: [main]
    variables: [$RELEASE == "production"]
always-but:
  script: [x]
  except:
    refs: [tags]
    variables: [$SKIP]
`;
    expect(await jobNames(yaml, branch('main'))).toEqual(['always-but']);
    expect(await jobNames(yaml, { ...branch('feature'), RELEASE: 'staging' })).toEqual([
      'staging',
      'always-but',
    ]);
    expect(await jobNames(yaml, { ...branch('feature'), RELEASE: 'production' })).toEqual([
      'always-but',
    ]);
    expect(await jobNames(yaml, { ...branch('main'), RELEASE: 'production' })).toEqual([
      'production',
      'always-but',
    ]);
    expect(await jobNames(yaml, { ...branch('main'), SKIP: 'yes' })).toEqual([]);
    // `only: variables` keeps the default refs: no merge-request pipelines.
    expect(await jobNames(yaml, { ...MERGE_REQUEST, STAGING: 'yes' })).toEqual([]);
  });

  it("refuses what GitLab refuses, and kubernetes by name, in GitLab's words", async () => {
    expect(
      await configError('j:\n  script: [x]\n  only: [main]\n  rules:\n    - when: always\n'),
    ).toBe('jobs:j config key may not be used with `rules`: only');
    expect(
      await configError('j:\n  script: [x]\n  only: [main]\n  except: [tags]\n  rules: []\n'),
    ).toBe('jobs:j config key may not be used with `rules`: only, except');
    expect(await configError('j:\n  script: [x]\n  only: main\n')).toBe(
      'jobs:j:only has to be either an array of conditions or a hash',
    );
    expect(await configError('j:\n  script: [x]\n  except: { refs: [main], when: x }\n')).toBe(
      'jobs:j:except config contains unknown keys: when',
    );
    expect(await configError('j:\n  script: [x]\n  only: { kubernetes: active }\n')).toBe(
      'jobs:j:only config uses keywords the emulator does not support: kubernetes',
    );
    expect(await configError('j:\n  script: [x]\n  only: [1]\n')).toBe(
      'jobs:j:only config should be an array of strings or regular expressions',
    );
  });
});
