import { describe, expect, it } from 'vitest';
import {
  error,
  headerLines,
  jobFailed,
  jobSucceeded,
  notice,
  println,
  shortToken,
  stageHeader,
  systemFailure,
  warning,
} from './log-printer.ts';

/** Write `ESC` visibly, as docs/runner-protocol.md §9.9 does. */
const show = (s: string) => s.replaceAll('\x1b', 'ESC');

describe('log printer lines (docs/runner-protocol.md §9.1, §9.9)', () => {
  it('writes the header naming tabrunner', () => {
    const text = headerLines({
      version: '0.1.0',
      revision: 'abcd1234',
      runnerName: 'browser-runner',
      shortToken: 'AbCdEf123',
      systemId: 'r_Ab12Cd34Ef56',
    });
    expect(show(text)).toBe(
      'ESC[0KRunning with tabrunner 0.1.0 (abcd1234)ESC[0;m\n' +
        'ESC[0K  on browser-runner AbCdEf123, system ID: r_Ab12Cd34Ef56ESC[0;m\n',
    );
  });

  it('adds the feature flag line only when flags differ', () => {
    const base = { version: '1', revision: 'r', runnerName: 'n', shortToken: 's', systemId: 'i' };
    expect(headerLines({ ...base, featureFlags: [] }).split('\n')).toHaveLength(3);
    expect(show(headerLines({ ...base, featureFlags: ['FF_X:true', 'FF_Y:false'] }))).toContain(
      'ESC[0K  feature flags: FF_X:true, FF_Y:falseESC[0;m\n',
    );
  });

  it.each([
    [println('Using Shell (bash) executor...'), 'ESC[0KUsing Shell (bash) executor...ESC[0;m\n'],
    [notice('Created fresh repository.'), 'ESC[32;1mCreated fresh repository.ESC[0;m\n'],
    [warning('after_script failed'), 'ESC[0;33mWARNING: after_script failedESC[0;m\n'],
    [error('oops'), 'ESC[31;1mERROR: oopsESC[0;m\n'],
    [
      stageHeader('Preparing the "shell" executor'),
      'ESC[0KESC[36;1mPreparing the "shell" executorESC[0;mESC[0;m\n',
    ],
    [jobSucceeded(), 'ESC[32;1mJob succeededESC[0;m\n'],
    [jobFailed('exit code 1'), 'ESC[31;1mERROR: Job failed: exit code 1ESC[0;m\n'],
    [
      systemFailure('no space left'),
      'ESC[31;1mERROR: Job failed (system failure): no space leftESC[0;m\n',
    ],
  ])('%#: exact bytes', (actual, expected) => {
    expect(show(actual)).toBe(expected);
  });

  it('joins arguments with single spaces', () => {
    expect(show(println('a', 'b', 'c'))).toBe('ESC[0Ka b cESC[0;m\n');
  });
});

describe('shortToken (docs/runner-protocol.md §9.2)', () => {
  it.each([
    ['glrt-t1_AbCdEf123456789', 'AbCdEf123'],
    ['glrt-AbCdEf123456789', 'AbCdEf123'],
    ['glrtr-xyzxyzxyzxyz', 'xyzxyzxyz'],
    ['glcbt-0123456789abc', '012345678'],
    ['GR1348941Zz9y8x7w6v5u4', 'Zz9y8x7w6'],
    ['abcdefghijkl', 'abcdefghi'],
    ['short', 'short'],
  ])('%s → %s', (token, expected) => {
    expect(shortToken(token)).toBe(expected);
  });
});
