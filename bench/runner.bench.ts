/**
 * The runner against the emulator on loopback (issue "Runner core"): job pickup latency with
 * long polling and with short polling, the per-job overhead of a one-line job without a clone,
 * and trace latency (a line printed → stored by GitLab). Measured, never asserted.
 */
import { performance } from 'node:perf_hooks';
import { startHarness, type Harness } from '../test/support/runner-harness.ts';

export interface RunnerBenchRow {
  name: string;
  samples: number;
  medianMs: number;
  p90Ms: number;
  goalMs: number;
}

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
};

const row = (name: string, values: number[], goalMs: number): RunnerBenchRow => ({
  name,
  samples: values.length,
  medianMs: Math.round(quantile(values, 0.5) * 10) / 10,
  p90Ms: Math.round(quantile(values, 0.9) * 10) / 10,
  goalMs,
});

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setImmediate(resolve));
}

/** Queue a job while the runner idles, and time queued → payload handed to the runner. */
async function pickup(h: Harness, longPolling: boolean, samples: number): Promise<number[]> {
  const { runner, events } = h.makeRunner({ longPolling, checkIntervalSeconds: 3 });
  const running = runner.run();
  const times: number[] = [];
  for (let i = 0; i < samples; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 400 + Math.random() * 300));
    const before = events.length;
    const [job] = await h.pipeline([
      { name: `pickup-${i}`, script: ['true'], variables: { GIT_STRATEGY: 'none' } },
    ]);
    await until(() => events.slice(before).some((e) => e.type === 'job-finished'));
    const started = events.slice(before).find((e) => e.type === 'job-started');
    // Both are this process's wall clock: the emulator stamps queuedAt when the job is queued.
    if (started?.type === 'job-started' && job?.queuedAt) times.push(started.at - job.queuedAt);
  }
  runner.stop('graceful');
  await running;
  return times;
}

/** Queued → final update accepted for a one-line job without sources, minus its script time. */
async function overhead(h: Harness, samples: number): Promise<number[]> {
  const { runner, events } = h.makeRunner();
  const running = runner.run();
  const times: number[] = [];
  for (let i = 0; i < samples; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const before = events.length;
    const [job] = await h.pipeline([
      { name: `overhead-${i}`, script: ['true'], variables: { GIT_STRATEGY: 'none' } },
    ]);
    await until(() => job?.status === 'success');
    const total = (job?.finishedAt ?? NaN) - (job?.queuedAt ?? NaN);
    const stage = events.slice(before).find((e) => e.type === 'job-finished');
    const script =
      stage?.type === 'job-finished'
        ? stage.stages.find((s) => s.name === 'step_script')
        : undefined;
    times.push(total - (script ? script.finishedAt - script.startedAt : 0));
  }
  runner.stop('graceful');
  await running;
  return times;
}

/** A line printed by the script → the same bytes stored by the emulator. */
async function traceLatency(h: Harness, samples: number): Promise<number[]> {
  const script = Array.from({ length: samples }, (_, i) => [
    `echo "marker-${i}"`,
    'sleep 1.5',
  ]).flat();
  const [job] = await h.pipeline([
    { name: 'trace-latency', script, variables: { GIT_STRATEGY: 'none' } },
  ]);
  const { runner, events } = h.makeRunner();
  const running = runner.run({ once: true });
  const decoder = new TextDecoder();
  const times: number[] = [];
  for (let i = 0; i < samples; i += 1) {
    const marker = `marker-${i}\n`;
    await until(() =>
      events.some((e) => e.type === 'job-output' && decoder.decode(e.chunk).includes(marker)),
    );
    const printed = performance.now();
    await until(() => decoder.decode(job?.trace ?? new Uint8Array()).includes(marker));
    times.push(performance.now() - printed);
  }
  await running;
  return times;
}

export async function benchRunner(samples = 10): Promise<RunnerBenchRow[]> {
  const h = await startHarness({ longPollSeconds: 50 });
  try {
    return [
      row('job pickup, long polling', await pickup(h, true, samples), 100),
      row('job pickup, short polling (3 s)', await pickup(h, false, samples), 3000),
      row('per-job overhead, one-line job, no clone', await overhead(h, samples), 150),
      row(
        'trace latency, line printed → stored',
        await traceLatency(h, Math.min(samples, 6)),
        1500,
      ),
    ];
  } finally {
    await h.close();
  }
}
