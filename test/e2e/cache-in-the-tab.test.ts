/**
 * GitLab's `cache:` in the tab, end to end: a job saves its cache into the origin's storage and
 * the next pipeline's job, taken by another tab of the same browser profile, restores it. Both
 * tabs run the shell executor through the real relay against the emulator, in Debian's
 * headless Chromium; Settings › Storage counts the cache both tabs share.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { JobSpecJson } from '../../emulator/pipelines/index.ts';
import { connect, waitForState } from './page-helpers.ts';
import { startStack, type Stack } from './stack.ts';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
}, 180_000);

afterEach(async () => {
  await stack?.cleanup();
});

afterAll(async () => {
  await stack?.close();
});

/** Makes `.deps/made` unless the cache brought it, and says which happened. */
const install: JobSpecJson = {
  name: 'install',
  stage: 'build',
  cache: { key: 'deps', paths: ['.deps/'] },
  script: [
    'if [ -f .deps/made ]; then echo "restored: $(cat .deps/made)"; else mkdir -p .deps; echo "made $((6 * 7))" > .deps/made; fi',
  ],
};

describe('the cache in the tab', { timeout: 120_000 }, () => {
  it("saves a job's cache in the origin's storage, and another tab's next job restores it", async () => {
    const runner = stack.emulator.createRunner({ description: 'e2e cache' });
    const { context, page: first } = await stack.open();
    await connect(first, stack.emulator.url, runner.token);

    const [saving] = await stack.pipeline([install]);
    const saved = await stack.waitForJob(saving!.id, ['success', 'failed', 'canceled']);
    const savedLog = new TextDecoder().decode(saved.trace);
    expect(saved.status, savedLog).toBe('success');
    expect(savedLog).toMatch(/Creating cache deps\S*\.\.\./);
    expect(savedLog).toContain('Created cache');
    await first
      .getByRole('region', { name: 'Settings' })
      .getByText(/^Caches: .* in 1 cache /)
      .waitFor();

    // The first tab stops; a second tab of the same profile takes the next job.
    await first.getByRole('button', { name: 'Stop after this job' }).click();
    await waitForState(first, 'stopped');
    const second = await context.newPage();
    await second.goto(stack.relay.url);
    await second.getByRole('button', { name: 'Start runner' }).click();
    await waitForState(second, 'polling');

    const [restoring] = await stack.pipeline([install]);
    const restored = await stack.waitForJob(restoring!.id, ['success', 'failed', 'canceled']);
    const restoredLog = new TextDecoder().decode(restored.trace);
    expect(restored.status, restoredLog).toBe('success');
    expect(restoredLog).toContain('Successfully extracted cache');
    expect(restoredLog).toContain('restored: made 42');
  });
});
