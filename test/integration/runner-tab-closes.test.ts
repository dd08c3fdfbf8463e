/**
 * The tab closes mid-job (docs/runner-protocol.md §7.6): the runner's last words, end to end
 * against the emulator. What GitLab had not acknowledged, closing line included, goes in one
 * keepalive PATCH, then the failure in one keepalive PUT. The two are not ordered on the wire,
 * so each test fixes the order with the emulator's `slow` fault: PATCH first (the tail lands),
 * or PUT first (GitLab refuses the tail, as before the last words existed).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createGitLabClient } from '../../src/gitlab/index.ts';
import { LogText } from '../../src/job/index.ts';
import { startHarness, text, type Harness } from '../support/runner-harness.ts';
import { until } from '../support/until.ts';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

/** GitLab's runner's words for a build its process was stopped in, said of the tab. */
const TAB_CLOSED_LINE =
  '\x1b[31;1mERROR: Job failed (system failure): aborted: the tab was closed\x1b[0;m';

/** The trace's last line as GitLab shows it: docs/runner-protocol.md §9.6 timestamps undone. */
function lastLine(trace: Uint8Array): string | undefined {
  const log = new LogText();
  const lines = (log.push(trace) + log.flush()).split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.at(-1)?.replace(/^[\s\S]*\r\x1b\[0K/, '');
}

/**
 * A job that prints and then sleeps, run until its output is in the runner's trace but not in
 * GitLab's: the job's first PATCH lands, the next is answered 404, which the runner ignores until
 * the update interval has passed (60 s while nobody watches the job page, docs/runner-protocol.md
 * §6.3, §6.5). Everything after the first PATCH is then surely unsent.
 */
async function jobWithUnsentOutput() {
  h = await startHarness();
  const [job] = await h.pipeline([
    { name: 'long', script: ['echo started', 'echo unsent-output', 'sleep 30'] },
  ]);
  const id = job!.id;
  h.emulator.faults.add({
    endpoint: 'jobs/trace',
    kind: 'status',
    status: 404,
    after: 1,
    jobId: id,
  });
  // The emulator uses the fault up before it answers, so the test waits for the 404 to reach the
  // runner's client: until it has, that PATCH is in flight and the last words would start after it.
  let refusedPatchAnswered = false;
  const client = createGitLabClient({
    url: h.emulator.url,
    fetch: async (input, init) => {
      const response = await fetch(input, init);
      if (init?.method === 'PATCH' && response.status === 404) refusedPatchAnswered = true;
      return response;
    },
  });
  const { runner, output } = h.makeRunner({ client });
  const run = runner.run();
  await until(
    () => text(output(id)).includes('unsent-output') && refusedPatchAnswered,
    'the output to be written and the runner to have the second PATCH refused',
  );
  expect(job!.trace.length).toBeGreaterThan(0);
  expect(text(job!.trace)).not.toContain('unsent-output');
  return { harness: h, job: job!, runner, run, output };
}

describe('the tab closes mid-job', () => {
  it('sends the unsent tail with the closing line before the failure, and GitLab keeps both', async () => {
    const { harness, job, runner, run, output } = await jobWithUnsentOutput();
    const before = harness.emulator.requests().length;
    // Hold the PUT back so the PATCH is handled first, as it left first.
    harness.emulator.faults.add({
      endpoint: 'jobs/update',
      kind: 'slow',
      delayMs: 300,
      jobId: job.id,
    });
    runner.abandonJob();
    expect(runner.jobInFlight).toBe(false);
    await run;
    const stored = await harness.finished(job.id);
    expect(stored.status).toBe('failed');
    expect(stored.failureReason).toBe('runner_system_failure');
    // GitLab holds every byte the runner wrote, the closing line last.
    expect(text(stored.trace)).toContain('unsent-output');
    expect(lastLine(stored.trace)).toBe(TAB_CLOSED_LINE);
    expect(Buffer.from(stored.trace).equals(Buffer.from(output(job.id)))).toBe(true);
    // Exactly one PATCH and one PUT after the tab closed: the job itself said nothing more.
    expect(
      harness.emulator
        .requests()
        .slice(before)
        .map((r) => `${r.method} ${r.path} ${r.status}`),
    ).toEqual([`PATCH /api/v4/jobs/${job.id}/trace 202`, `PUT /api/v4/jobs/${job.id} 200`]);
  });

  it('loses only the tail when GitLab takes the failure first: no worse than without it', async () => {
    const { harness, job, runner, run } = await jobWithUnsentOutput();
    const sent = text(job.trace);
    harness.emulator.faults.add({
      endpoint: 'jobs/trace',
      kind: 'slow',
      delayMs: 300,
      jobId: job.id,
    });
    runner.abandonJob();
    await run;
    const stored = await harness.finished(job.id);
    expect(stored.status).toBe('failed');
    expect(stored.failureReason).toBe('runner_system_failure');
    // The PATCH came to a failed job: refused (docs/runner-protocol.md §6.2), the log as it was.
    await until(
      () => harness.emulator.requests().some((r) => r.method === 'PATCH' && r.status === 403),
      'GitLab to refuse the late PATCH',
    );
    expect(text(stored.trace)).toBe(sent);
  });
});
