/**
 * Test support for `.gitlab-ci.yml` refusals: the message of the `CiConfigError` a parse or a
 * pipeline creation rejects with, which is what GitLab shows on a failed pipeline, so tests
 * compare it word for word with GitLab's.
 */
import { expect } from 'vitest';
import { hasErrorCode } from '../../src/errors/index.ts';

/** Predefined variables of a push pipeline on `main`, the default branch. */
export const PUSH_TO_MAIN: Record<string, string> = {
  CI_COMMIT_BRANCH: 'main',
  CI_PIPELINE_SOURCE: 'push',
  CI_DEFAULT_BRANCH: 'main',
};

/** The message `run` rejects with; fails the test when it fulfils or rejects with another error. */
export async function ciConfigError(run: Promise<unknown>): Promise<string> {
  try {
    await run;
  } catch (error) {
    expect(hasErrorCode(error, 'CiConfigError')).toBe(true);
    return (error as Error).message;
  }
  return expect.fail('expected a CiConfigError');
}
