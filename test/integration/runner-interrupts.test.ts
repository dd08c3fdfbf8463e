/**
 * Cancel and timeouts, end to end: the emulator flips the job as GitLab's UI does, or the job
 * runs past its limits, and the runner stops it and reports it the way GitLab's runner does.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createWebContainerExecutor } from '../../src/executors/webcontainer/index.ts';
import { FakeApi } from '../../src/executors/webcontainer/testing/fake-container.ts';
import { FakeProcess } from '../../src/executors/webcontainer/testing/fake-process.ts';
import { runnerFeatures, runnerInfo } from '../../src/gitlab/index.ts';
import { LogText } from '../../src/job/index.ts';
import type { JobSpecJson } from '../../emulator/pipelines/index.ts';
import { startHarness, text, type Harness } from '../support/runner-harness.ts';
import { until } from '../support/until.ts';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

/** The closing line when the runner is stopped mid-job, colours and all. */
const STOPPED_CLOSING_LINE =
  '\x1b[31;1mERROR: Job failed (system failure): the runner was stopped while the job ran ' +
  '(tab closed or runner stopped)\x1b[0;m';

/** The trace's last line as GitLab shows it: docs/runner-protocol.md §9.6 timestamps and `+` continuations undone. */
function lastLine(trace: Uint8Array): string | undefined {
  const log = new LogText();
  const lines = (log.push(trace) + log.flush()).split('\n');
  if (lines.at(-1) === '') lines.pop();
  // A section marker before it on the same line is hidden by its `\r ESC[0K`.
  return lines.at(-1)?.replace(/^[\s\S]*\r\x1b\[0K/, '');
}

describe('cancel', () => {
  it('stops the script on canceling, runs after_script, and GitLab ends the job canceled', async () => {
    h = await startHarness();
    const [job] = await h.pipeline([
      {
        name: 'long',
        script: ['echo started', 'sleep 60', 'echo never-printed'],
        after_script: ['echo "after: $CI_JOB_STATUS"'],
      },
    ]);
    h.emulator.watchJob(job!.id, 600);
    const { runner, output } = h.makeRunner();
    const run = runner.run({ once: true });
    await until(
      () => text(output(job!.id)).includes('started') && job!.trace.length > 0,
      'the first output to reach GitLab',
    );
    expect(h.emulator.cancelJob(job!.id)).toBe('canceling');
    const { outcomes } = await run;
    const stored = await h.finished(job!.id);
    expect(outcomes[0]).toMatchObject({ result: 'canceled' });
    expect(stored.status).toBe('canceled');
    const log = text(stored.trace);
    expect(log).toContain('WARNING: script canceled externally (UI, API)');
    expect(log).toContain('after: canceled');
    expect(log).toContain('ERROR: Job failed: canceled');
    expect(log).not.toContain('never-printed');
  });

  it('aborts at once, without after_script, when GitLab cancels outright', async () => {
    h = await startHarness();
    const [job] = await h.pipeline([
      { name: 'long', script: ['echo started', 'sleep 60'], after_script: ['echo after-ran'] },
    ]);
    h.emulator.watchJob(job!.id, 600);
    // Without readable headers the runner does not advertise cancel_gracefully (docs/runner-protocol.md §14), so GitLab cancels hard.
    const info = runnerInfo({
      version: '0.0.0-test',
      revision: 'test',
      executor: 'shell',
      platform: 'linux',
      architecture: 'amd64',
      features: runnerFeatures({ headersReadable: false }),
    });
    const { runner, output } = h.makeRunner({ info });
    const run = runner.run({ once: true });
    await until(
      () => text(output(job!.id)).includes('started') && job!.trace.length > 0,
      'the first output to reach GitLab',
    );
    expect(h.emulator.cancelJob(job!.id)).toBe('canceled');
    const { outcomes } = await run;
    expect(outcomes[0]).toMatchObject({ result: 'canceled' });
    expect(text(output(job!.id))).not.toContain('after-ran');
    expect(h.emulator.state.jobs.get(job!.id)?.status).toBe('canceled');
  });
});

describe('timeouts', () => {
  it('stops a job past its timeout and reports job_execution_timeout in GitLab words', async () => {
    h = await startHarness({ jobTimeoutGraceSeconds: 120 });
    const [job] = await h.pipeline([
      { name: 'slow', timeout: 2, script: ['echo started', 'sleep 60', 'echo never-printed'] },
    ]);
    const { runner } = h.makeRunner();
    await runner.run({ once: true });
    const stored = await h.finished(job!.id);
    expect(stored.status).toBe('failed');
    expect(stored.failureReason).toBe('job_execution_timeout');
    const log = text(stored.trace);
    expect(log).toContain('ERROR: Job failed: execution took longer than 2s seconds');
    expect(log).not.toContain('never-printed');
  });

  it('honours RUNNER_SCRIPT_TIMEOUT: the script stops, after_script runs with CI_JOB_STATUS=timedout', async () => {
    h = await startHarness();
    const [job] = await h.pipeline([
      {
        name: 'script-timeout',
        variables: { RUNNER_SCRIPT_TIMEOUT: '1s' },
        script: ['sleep 60'],
        after_script: ['echo "after: $CI_JOB_STATUS"'],
      },
    ]);
    const { runner } = h.makeRunner();
    await runner.run({ once: true });
    const stored = await h.finished(job!.id);
    expect(stored.failureReason).toBe('job_execution_timeout');
    expect(text(stored.trace)).toContain('after: timedout');
  });
});

describe('stopping the runner', () => {
  /** Run one job, stop the runner at once when its output shows `marker`; what GitLab kept. */
  async function stopNowAt(spec: JobSpecJson, marker: string) {
    h = await startHarness();
    const [job] = await h.pipeline([spec]);
    const { runner, output } = h.makeRunner();
    const run = runner.run();
    await until(() => text(output(job!.id)).includes(marker), `"${marker}" in the job's output`);
    runner.stop('immediate');
    await run;
    return h.finished(job!.id);
  }

  it('stop now fails the running job as runner_system_failure and reports it', async () => {
    const stored = await stopNowAt(
      { name: 'long', script: ['echo started', 'sleep 60'] },
      'started',
    );
    expect(stored.status).toBe('failed');
    expect(stored.failureReason).toBe('runner_system_failure');
    expect(lastLine(stored.trace)).toBe(STOPPED_CLOSING_LINE);
  });

  it('stop now while a failed job runs after_script: the trace still ends with the closing line', async () => {
    const stored = await stopNowAt(
      {
        name: 'broken',
        script: ['echo started', 'exit 3'],
        after_script: ['echo after-started', 'sleep 60'],
      },
      'after-started',
    );
    expect(stored.status).toBe('failed');
    expect(stored.failureReason).toBe('runner_system_failure');
    // gitlab-runner's words for a build its process stopped: a system failure, said last.
    expect(lastLine(stored.trace)).toBe(STOPPED_CLOSING_LINE);
    expect(text(stored.trace)).not.toContain('Job failed: exit code 3');
  });

  it('abandoning a job (the tab closes) reports it failed at once in one keepalive request', async () => {
    h = await startHarness();
    const [job] = await h.pipeline([{ name: 'long', script: ['echo started', 'sleep 60'] }]);
    const { runner, output } = h.makeRunner();
    const run = runner.run();
    await until(() => text(output(job!.id)).includes('started'), 'the job to start');
    expect(runner.jobInFlight).toBe(true);
    runner.abandonJob();
    expect(runner.jobInFlight).toBe(false);
    // GitLab records the report even though the runner goes on to stop in its own time.
    await until(
      () => h!.emulator.state.jobs.get(job!.id)?.status === 'failed',
      'GitLab to record the failure',
    );
    expect(h.emulator.state.jobs.get(job!.id)?.failureReason).toBe('runner_system_failure');
    await run;
  });

  it('a graceful stop lets the current job finish, then stops asking', async () => {
    h = await startHarness();
    const [job] = await h.pipeline([
      { name: 'short', script: ['echo started', 'sleep 1', 'echo done'] },
    ]);
    const { runner, output } = h.makeRunner();
    const run = runner.run();
    await until(() => text(output(job!.id)).includes('started'), 'the job to start');
    runner.stop('graceful');
    const { outcomes } = await run;
    expect(outcomes).toHaveLength(1);
    expect((await h.finished(job!.id)).status).toBe('success');
    expect(runner.state).toBe('stopped');
  });
});

describe('a cancel that costs the WebContainer', () => {
  /** A job whose `node` ignores kill(), canceled in GitLab while it runs; its stored trace. */
  async function cancelBusyJob(artifacts: JobSpecJson['artifacts']) {
    h = await startHarness();
    const [job] = await h.pipeline([
      {
        name: 'busy',
        script: ['echo started', 'node -e "for (;;) {}"'],
        after_script: ['echo after-ran'],
        artifacts,
      },
    ]);
    h.emulator.watchJob(job!.id, 600);
    // The test double of WebContainer (it cannot boot here): `node -p` answers the boot probe,
    // any other `node` is a busy loop that ignores kill() (webcontainer-core #1121).
    const api = new FakeApi((request) => {
      const process = new FakeProcess();
      if (request.args[0] === '-p') {
        process.print('["v20.19.1","/home/tabrunner"]\r\n');
        process.end(0);
      } else process.onKill = () => undefined;
      return process;
    });
    const executor = createWebContainerExecutor({
      api: async () => api,
      support: () => ({ ok: true }),
      killGraceMs: 200,
    });
    const { runner, output } = h.makeRunner({ executor });
    const run = runner.run({ once: true });
    await until(() => text(output(job!.id)).includes('started'), 'the script to start');
    expect(h.emulator.cancelJob(job!.id)).toBe('canceling');
    await run;
    await executor.dispose();
    return { stored: await h.finished(job!.id), api };
  }

  it('says a program ignored kill, skips after_script and uploads, and ends the job canceled', async () => {
    const { stored, api } = await cancelBusyJob({ name: 'out', paths: ['out/'], when: 'always' });
    expect(stored.status).toBe('canceled');
    const log = text(stored.trace);
    expect(log).toMatch(/WARNING: .*a program ignored kill\(\), so the WebContainer was torn down/);
    expect(log).toMatch(/WARNING: after_script was skipped: `node` ignored kill\(\)/);
    expect(log).toMatch(/WARNING: Artifacts were not uploaded: `node` ignored kill\(\)/);
    expect(log).not.toContain('after-ran');
    expect(api.booted).toHaveLength(2);
  });

  it('says nothing of artifacts that a canceled job would not have uploaded anyway', async () => {
    const { stored } = await cancelBusyJob({ name: 'out', paths: ['out/'], when: 'on_success' });
    expect(stored.status).toBe('canceled');
    const log = text(stored.trace);
    expect(log).toMatch(/WARNING: after_script was skipped: `node` ignored kill\(\)/);
    expect(log).not.toContain('Artifacts were not uploaded');
    expect(log).not.toContain('Uploading artifacts');
  });
});
