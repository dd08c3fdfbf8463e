/**
 * The runner against the emulator and real git: jobs run, log and end as GitLab expects, and
 * the trace GitLab stores is exactly the one the runner produced.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createShellExecutor } from '../../src/executors/index.ts';
import { crc32, formatChecksum } from '../../src/bytes/index.ts';
import { startHarness, text, type Harness } from '../support/runner-harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

describe('runner with the emulator', () => {
  it('runs before_script, script and after_script, and GitLab stores the exact trace', async () => {
    const [job] = await h.pipeline([
      {
        name: 'build',
        before_script: ['echo "before $CI_JOB_NAME"'],
        script: ['cat greeting.txt', 'export WHO=world', 'echo "hello $WHO"'],
        after_script: ['echo "after with status $CI_JOB_STATUS"'],
      },
    ]);
    const { runner, output } = h.makeRunner();
    const { outcomes } = await runner.run({ once: true });
    const stored = await h.finished(job!.id);

    expect(outcomes[0]).toMatchObject({ jobId: job!.id, result: 'success', reported: true });
    expect(stored.status).toBe('success');
    const produced = output(job!.id);
    expect(Buffer.from(stored.trace).equals(Buffer.from(produced))).toBe(true);
    expect(stored.reportedChecksum).toBe(formatChecksum(crc32(produced)));
    const log = text(produced);
    expect(log).toContain('Running with tabrunner');
    expect(log).toContain('before build');
    expect(log).toContain('hello from the fixture');
    expect(log).toContain('hello world');
    expect(log).toContain('after with status success');
    expect(log).toMatch(/section_start:\d+:step_script\r\x1b\[0K/);
    expect(log).toContain('\x1b[32;1mJob succeeded\x1b[0;m');
    expect(log).not.toContain(job!.token);
  });

  it('fails on the first failing line with script_failure and its exit code, and still runs after_script', async () => {
    const [job] = await h.pipeline([
      {
        name: 'test',
        script: ['echo one', 'exit 3', 'echo never-printed'],
        after_script: ['echo "cleanup for $CI_JOB_STATUS"'],
      },
    ]);
    const { runner, output } = h.makeRunner();
    await runner.run({ once: true });
    const stored = await h.finished(job!.id);

    expect(stored.status).toBe('failed');
    expect(stored.failureReason).toBe('script_failure');
    expect(stored.exitCode).toBe(3);
    const log = text(output(job!.id));
    expect(log).not.toContain('never-printed');
    expect(log).toContain('cleanup for failed');
    expect(log).toContain('ERROR: Job failed: exit code 3');
    expect(Buffer.from(stored.trace).equals(Buffer.from(output(job!.id)))).toBe(true);
  });

  it('judges each job as GitLab’s bash does: errexit, pipefail, exit N, set +e', async () => {
    const jobs = await h.pipeline([
      { name: 'multi-line', script: ['false\necho multi-line-ran'] },
      { name: 'exit-zero', script: ['exit 0', 'echo exit-zero-ran'] },
      { name: 'pipe', script: ['false | cat', 'echo pipe-ran'] },
      { name: 'set-plus-e', script: ['set +e', 'false', 'echo set-plus-e-ran'] },
    ]);
    const { runner, output } = h.makeRunner();
    for (let i = 0; i < jobs.length; i++) await runner.run({ once: true });
    const outcome = async (index: number) => {
      const job = jobs[index]!;
      const stored = await h.finished(job.id);
      return { status: stored.status, exitCode: stored.exitCode, log: text(output(job.id)) };
    };

    const multiLine = await outcome(0);
    expect(multiLine).toMatchObject({ status: 'failed', exitCode: 1 });
    expect(multiLine.log).not.toContain('multi-line-ran\n');
    const exitZero = await outcome(1);
    expect(exitZero.status).toBe('success');
    expect(exitZero.log).not.toContain('exit-zero-ran\n');
    const pipe = await outcome(2);
    expect(pipe).toMatchObject({ status: 'failed', exitCode: 1 });
    expect(pipe.log).not.toContain('pipe-ran\n');
    const setPlusE = await outcome(3);
    expect(setPlusE.status).toBe('success');
    expect(setPlusE.log).toContain('set-plus-e-ran\n');
  });

  it('takes no job when its executor cannot start, and says why', async () => {
    const [job] = await h.pipeline([{ name: 'waits', script: ['echo hi'] }]);
    const broken = createShellExecutor();
    broken.describe = () => Promise.reject(new Error('WebContainer did not boot within 30 s.'));
    const { runner, events } = h.makeRunner({ executor: broken });
    const { outcomes, reason } = await runner.run();
    expect(outcomes).toEqual([]);
    expect(reason).toBe('The shell executor cannot start: WebContainer did not boot within 30 s.');
    expect(runner.state).toBe('error');
    expect(events).toContainEqual({ type: 'error', message: reason, fatal: true });
    expect(h.emulator.state.jobs.get(job!.id)?.status).toBe('pending');
  });

  it('fails the job whose sandbox broke under it, then takes no further job, and says why', async () => {
    const [job, next] = await h.pipeline([
      { name: 'unlucky', stage: 'build', script: ['echo hi'] },
      { name: 'next', stage: 'build', script: ['echo hi'] },
    ]);
    // As the WebContainer adapter does once it cannot replace its container: describe() answered
    // before the request, the job's prepare() finds the sandbox gone, and describe() refuses
    // from then on.
    const broken = 'The WebContainer stopped working. Reload the tab to start a fresh one.';
    const executor = createShellExecutor();
    const working = executor.describe.bind(executor);
    let calls = 0;
    executor.describe = () => (++calls === 1 ? working() : Promise.reject(new Error(broken)));
    executor.prepare = () => Promise.reject(new Error(broken));
    const { runner, output, events } = h.makeRunner({ executor });
    const { outcomes, reason } = await runner.run();
    const stored = await h.finished(job!.id);
    expect(stored).toMatchObject({ status: 'failed', failureReason: 'runner_system_failure' });
    const log = text(output(job!.id));
    expect(log).toMatch(/Getting source from Git repository[\s\S]*Reload the tab/);
    expect(log).toContain(`ERROR: Job failed (system failure): ${broken}`);
    expect(outcomes).toMatchObject([{ jobId: job!.id, result: 'failed' }]);
    expect(reason).toBe(`The shell executor cannot start: ${broken}`);
    expect(runner.state).toBe('error');
    expect(events).toContainEqual({ type: 'error', message: reason, fatal: true });
    expect(h.emulator.state.jobs.get(next!.id)?.status).toBe('pending');
  });

  it('masks a masked variable in the stored trace', async () => {
    const [job] = await h.pipeline([
      {
        name: 'secret',
        variables: [{ key: 'API_SECRET', value: 'sup3r-s3cret-value', masked: true }],
        script: ['echo "the secret is $API_SECRET"'],
      },
    ]);
    const { runner } = h.makeRunner();
    await runner.run({ once: true });
    const stored = await h.finished(job!.id);
    const log = text(stored.trace);
    expect(log).toContain('the secret is [MASKED]');
    expect(log).not.toContain('sup3r-s3cret-value');
  });

  it('fails a malformed payload with a clear message and takes the next job', async () => {
    const [bad, good] = await h.pipeline([
      {
        name: 'bad',
        stage: 'build',
        script: ['echo x'],
        payload_overrides: { steps: 'not-a-list' },
      },
      { name: 'good', stage: 'build', script: ['echo fine'] },
    ]);
    const { runner } = h.makeRunner();
    await runner.run({ once: true });
    await runner.run({ once: true });
    const badJob = await h.finished(bad!.id);
    const goodJob = await h.finished(good!.id);
    expect(badJob.status).toBe('failed');
    expect(badJob.failureReason).toBe('runner_system_failure');
    expect(text(badJob.trace)).toContain('steps');
    expect(text(badJob.trace)).toContain('malformed');
    expect(goodJob.status).toBe('success');
  });

  it('stops asking after repeated 403s and says why', async () => {
    const { runner, events } = h.makeRunner({ token: 'glrt-this-token-is-wrong' });
    const { reason } = await runner.run();
    expect(runner.state).toBe('error');
    expect(reason).toMatch(/refused this runner's token 3 times/);
    expect(events.some((e) => e.type === 'error' && e.fatal)).toBe(true);
    const requests = h.emulator.requests().filter((r) => r.path === '/api/v4/jobs/request');
    expect(requests.map((r) => r.status)).toEqual([403, 403, 403]);
  });
});
