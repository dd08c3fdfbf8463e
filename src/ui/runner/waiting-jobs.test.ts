import { describe, expect, it } from 'vitest';
import { waitingJobsText } from './waiting-jobs.ts';

const available = [
  { name: 'shell', available: true, reason: '' },
  { name: 'webcontainer', available: true, reason: '' },
];

describe('waitingJobsText', () => {
  it('names the jobs, agrees in number and lists each tag once', () => {
    const jobs = [
      { name: 'unit', tags: ['node'] },
      { name: 'lint', tags: ['node', 'fast'] },
    ];
    expect(waitingJobsText(jobs, available)).toEqual({
      names: 'unit and lint',
      needs: 'need',
      them: 'them',
      tags: 'node, fast',
      cannotRun: null,
    });
    expect(waitingJobsText([{ name: 'unit', tags: ['node'] }], available)).toMatchObject({
      names: 'unit',
      needs: 'needs',
      them: 'it',
    });
  });

  it('says why this browser cannot run them, never an empty reason', () => {
    const jobs = [{ name: 'unit', tags: ['node'] }];
    const unavailable = [
      { name: 'shell', available: true, reason: '' },
      { name: 'webcontainer', available: false, reason: 'This page is not cross-origin isolated.' },
    ];
    expect(waitingJobsText(jobs, unavailable).cannotRun).toBe(
      'This page is not cross-origin isolated.',
    );
    expect(waitingJobsText(jobs, [{ name: 'shell', available: true, reason: '' }]).cannotRun).toBe(
      'this build of tabrunner has no WebContainer executor.',
    );
  });
});
