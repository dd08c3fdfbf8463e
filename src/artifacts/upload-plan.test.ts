import { describe, expect, it } from 'vitest';
import type { JobArtifact } from '../gitlab/index.ts';
import { artifactFilename } from './artifact-filename.ts';
import { planArtifactUploads } from './upload-plan.ts';

function artifact(overrides: Partial<JobArtifact>): JobArtifact {
  return {
    name: '',
    untracked: false,
    paths: ['dist/'],
    exclude: [],
    when: '',
    artifact_type: 'archive',
    artifact_format: 'zip',
    expire_in: '',
    ...overrides,
  };
}

const expand = (value: string): string => value.replace('$CI_JOB_NAME', 'build');

describe('planArtifactUploads', () => {
  it('uploads on_success (and empty when) entries after success, in the success section', () => {
    const plan = planArtifactUploads(
      [
        artifact({ when: '' }),
        artifact({ when: 'on_failure', name: 'debug' }),
        artifact({
          when: 'always',
          name: 'junit.xml',
          artifact_type: 'junit',
          artifact_format: 'gzip',
          paths: ['rspec.xml'],
          expire_in: '7d',
        }),
      ],
      'success',
      expand,
    );
    expect(plan?.section).toBe('upload_artifacts_on_success');
    expect(plan?.header).toBe('Uploading artifacts for successful job');
    expect(plan?.uploads.map((u) => u.filename)).toEqual(['artifacts.zip', 'junit.xml.gz']);
    expect(plan?.uploads[1]?.query).toEqual({
      expire_in: '7d',
      artifact_format: 'gzip',
      artifact_type: 'junit',
    });
  });

  it('uploads on_failure and always entries after failure, in the failure section', () => {
    const plan = planArtifactUploads(
      [
        artifact({ when: 'on_success' }),
        artifact({ when: 'on_failure', name: 'logs-$CI_JOB_NAME' }),
        artifact({ when: 'always', name: 'all' }),
      ],
      'failure',
      expand,
    );
    expect(plan?.section).toBe('upload_artifacts_on_failure');
    expect(plan?.header).toBe('Uploading artifacts for failed job');
    expect(plan?.uploads.map((u) => u.filename)).toEqual(['logs-build.zip', 'all.zip']);
  });

  it('skips entries with no paths, no exclude and no untracked, and plans nothing then', () => {
    expect(planArtifactUploads([artifact({ paths: [] })], 'success', expand)).toBeNull();
    const untrackedOnly = planArtifactUploads(
      [artifact({ paths: [], untracked: true })],
      'success',
      expand,
    );
    expect(untrackedOnly?.uploads).toHaveLength(1);
  });

  it('sends only the non-empty query parameters', () => {
    const plan = planArtifactUploads(
      [artifact({ artifact_type: '', artifact_format: '', expire_in: '' })],
      'success',
      expand,
    );
    expect(plan?.uploads[0]?.query).toEqual({});
    expect(plan?.uploads[0]?.filename).toBe('artifacts.zip');
  });
});

describe('artifactFilename (docs/runner-protocol.md §8.1)', () => {
  it.each([
    ['my-build', 'zip', 'my-build.zip'],
    ['my-build', '', 'my-build.zip'],
    ['junit.xml', 'gzip', 'junit.xml.gz'],
    ['gl-sast-report.json', 'raw', 'gl-sast-report.json'],
    ['out', 'tarzstd', 'out.tar.zst'],
    ['dir/sub/name', 'zip', 'name.zip'],
    ['', 'zip', 'default.zip'],
    ['.', 'gzip', 'default.gz'],
    ['trailing/', 'zip', 'trailing.zip'],
  ])('%s as %s → %s', (name, format, expected) => {
    expect(artifactFilename(name, format)).toBe(expected);
  });
});
