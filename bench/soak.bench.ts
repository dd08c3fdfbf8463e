/**
 * A tab that runs for days, compressed: hundreds of jobs in one Chromium tab of the built app,
 * through the real relay to the emulator (real `git http-backend`), with the shell executor.
 * Every `every` jobs it samples the page's JS heap and DOM nodes (after a forced GC, through
 * CDP) and each stage's median time over those jobs (from the history the page keeps in
 * IndexedDB, to the millisecond). What grows with the tab's age shows as a first-vs-last ratio.
 * A job that fails keeps its trace in a temp folder, named in the result.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CDPSession, Page } from 'playwright-core';
import { connect } from '../test/e2e/page-helpers.ts';
import { startStack, type Stack } from '../test/e2e/stack.ts';

export interface SoakOptions {
  /** Jobs to run in the tab. */
  jobs: number;
  /** Jobs between samples. */
  every: number;
  /** Lines each job prints (about 60 bytes each): the history keeps up to 50 such logs. */
  logLines: number;
}

export interface SoakSample {
  /** Jobs finished when sampled. */
  jobs: number;
  heapMiB: number;
  /** DOM nodes alive (CDP's count, after a GC). */
  domNodes: number;
  /** Median milliseconds of each stage over the jobs since the last sample. */
  stageMs: Record<string, number>;
  /** Median milliseconds from a job's start to its end, same jobs. */
  jobMs: number;
  /**
   * The page's main-thread busy time per job since the last sample (CDP `TaskDuration`): less
   * sensitive than wall time to other processes on a busy machine.
   */
  pageTaskMsPerJob: number;
  /** Of that busy time, per job: script, style recalculation and layout. */
  pageScriptMsPerJob: number;
  pageStyleMsPerJob: number;
  pageLayoutMsPerJob: number;
}

export interface SoakFailure {
  jobId: number;
  failureReason: string | null;
  tracePath: string;
}

export interface SoakResult {
  jobs: number;
  samples: SoakSample[];
  failures: SoakFailure[];
  /** Where failed jobs' traces were written (null: none failed). */
  failedTraces: string | null;
  /** Last sample over first, per stage and for the job; heap and DOM nodes too. */
  ratios: Record<string, number>;
}

/** A job with a log of `lines` lines, like a short test run. */
const script = (lines: number) => [
  'echo "soak job $CI_JOB_ID"',
  `for i in $(seq 1 ${lines}); do echo "line $i: the quick brown fox jumps over the lazy dog"; done`,
  'ls',
];

interface HistoryStages {
  jobId: number;
  startedAt: number;
  finishedAt: number;
  stages: { name: string; startedAt: number; finishedAt: number }[];
}

/**
 * The history's timings, without the logs leaving the page. A string, so the bundler's helpers
 * never reach the page.
 */
const READ_HISTORY = `new Promise((resolve, reject) => {
  const open = indexedDB.open('tabrunner-app');
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const db = open.result;
    const all = db.transaction('history').objectStore('history').getAll();
    all.onerror = () => reject(all.error);
    all.onsuccess = () => {
      db.close();
      resolve(all.result.map((e) => ({
        jobId: e.jobId, startedAt: e.startedAt, finishedAt: e.finishedAt, stages: e.stages,
      })));
    };
  };
})`;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
};

const round = (value: number) => Math.round(value * 10) / 10;

/** The history entries of `ids`, once the page saved them all (saving runs after the job). */
async function historyOf(page: Page, ids: number[]): Promise<HistoryStages[]> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const entries = (await page.evaluate(READ_HISTORY)) as HistoryStages[];
    const wanted = entries.filter((e) => ids.includes(e.jobId));
    if (wanted.length === ids.length || Date.now() > deadline) return wanted;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const BUSY = ['TaskDuration', 'ScriptDuration', 'RecalcStyleDuration', 'LayoutDuration'] as const;
type Busy = Record<(typeof BUSY)[number], number>;

/** The page's main-thread busy seconds so far, in all and by kind. */
async function busySeconds(cdp: CDPSession): Promise<Busy> {
  const { metrics } = await cdp.send('Performance.getMetrics');
  const value = (name: string) => metrics.find((m) => m.name === name)?.value ?? NaN;
  return Object.fromEntries(BUSY.map((name) => [name, value(name)])) as Busy;
}

async function sample(
  page: Page,
  cdp: CDPSession,
  jobs: number,
  ids: number[],
  busy: Busy,
): Promise<SoakSample> {
  const entries = await historyOf(page, ids);
  const perJob = (seconds: number) => round((seconds * 1000) / ids.length);
  const byStage = new Map<string, number[]>();
  for (const entry of entries) {
    for (const stage of entry.stages) {
      const times = byStage.get(stage.name) ?? [];
      times.push(stage.finishedAt - stage.startedAt);
      byStage.set(stage.name, times);
    }
  }
  await cdp.send('HeapProfiler.collectGarbage');
  const { metrics } = await cdp.send('Performance.getMetrics');
  const metric = (name: string) => metrics.find((m) => m.name === name)?.value ?? NaN;
  return {
    jobs,
    heapMiB: round(metric('JSHeapUsedSize') / 1048576),
    domNodes: metric('Nodes'),
    stageMs: Object.fromEntries([...byStage].map(([name, times]) => [name, round(median(times))])),
    jobMs: round(median(entries.map((e) => e.finishedAt - e.startedAt))),
    pageTaskMsPerJob: perJob(busy.TaskDuration),
    pageScriptMsPerJob: perJob(busy.ScriptDuration),
    pageStyleMsPerJob: perJob(busy.RecalcStyleDuration),
    pageLayoutMsPerJob: perJob(busy.LayoutDuration),
  };
}

function ratios(first: SoakSample, last: SoakSample): Record<string, number> {
  const ratio = (a: number, b: number) => Math.round((b / a) * 100) / 100;
  const out: Record<string, number> = {
    heap: ratio(first.heapMiB, last.heapMiB),
    pageTask: ratio(first.pageTaskMsPerJob, last.pageTaskMsPerJob),
    domNodes: ratio(first.domNodes, last.domNodes),
    job: ratio(first.jobMs, last.jobMs),
  };
  for (const [name, ms] of Object.entries(first.stageMs)) {
    const later = last.stageMs[name];
    // A stage of 0 ms has no meaningful ratio.
    if (later !== undefined && ms > 0) out[name] = ratio(ms, later);
  }
  return out;
}

async function soak(stack: Stack, options: SoakOptions): Promise<SoakResult> {
  const runner = stack.emulator.createRunner({ description: 'soak' });
  const { page } = await stack.open();
  await connect(page, stack.emulator.url, runner.token);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');

  const samples: SoakSample[] = [];
  const failures: SoakFailure[] = [];
  let failedTraces: string | null = null;
  let done = 0;
  while (done < options.jobs) {
    const count = Math.min(options.every, options.jobs - done);
    const busyBefore = await busySeconds(cdp);
    const jobs = await stack.pipeline(
      Array.from({ length: count }, (_, i) => ({
        name: `soak-${done + i + 1}`,
        script: script(options.logLines),
      })),
    );
    for (const job of jobs) {
      const finished = await stack.waitForJob(job.id, ['success', 'failed', 'canceled'], 120_000);
      if (finished.status === 'success') continue;
      failedTraces ??= await mkdtemp(join(tmpdir(), 'tabrunner-soak-failed-'));
      const tracePath = join(failedTraces, `job-${finished.id}.log`);
      await writeFile(tracePath, finished.trace);
      failures.push({ jobId: finished.id, failureReason: finished.failureReason, tracePath });
      console.error(`soak: job ${finished.id} ${finished.status}; trace in ${tracePath}`);
    }
    done += count;
    // Busy time up to the last job's end, before sampling adds its own reads.
    const ids = jobs.map((j) => j.id);
    await historyOf(page, ids);
    const busyAfter = await busySeconds(cdp);
    const busy = Object.fromEntries(
      BUSY.map((name) => [name, busyAfter[name] - busyBefore[name]]),
    ) as Busy;
    samples.push(await sample(page, cdp, done, ids, busy));
  }
  const first = samples[0];
  const last = samples[samples.length - 1];
  return {
    jobs: done,
    samples,
    failures,
    failedTraces,
    ratios: first && last ? ratios(first, last) : {},
  };
}

/** Run `options.jobs` jobs in one tab; see the module comment. */
export async function benchSoak(options: SoakOptions): Promise<SoakResult> {
  const stack = await startStack();
  try {
    return await soak(stack, options);
  } finally {
    await stack.close();
  }
}

// `npx tsx bench/soak.bench.ts [jobs] [log lines]`: the soak alone, its samples as they are.
if (import.meta.url === `file://${process.argv[1]}`) {
  const jobs = Number(process.argv[2] ?? 300);
  const logLines = Number(process.argv[3] ?? 1000);
  console.log(JSON.stringify(await benchSoak({ jobs, every: 25, logLines }), null, 2));
}
