import { expect } from 'vitest';
import { TabrunnerError } from '../../src/errors/index.ts';

/**
 * Test support: the typed error `run` rejects with. A fulfilled run fails the test with
 * `expected`; an error that is no `TabrunnerError` is rethrown, so it fails the test too.
 */
export async function refusal(run: Promise<unknown>, expected: string): Promise<TabrunnerError> {
  try {
    await run;
  } catch (err) {
    if (err instanceof TabrunnerError) return err;
    throw err;
  }
  return expect.fail(expected);
}
