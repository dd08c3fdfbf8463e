/**
 * The cache's reason to exist, end to end (issue "The cache"): a real runner against the
 * emulator on loopback runs one job in two pipelines with one `cache:` key, as a branch pushed
 * twice runs `npm ci` twice. The script fills `node_modules/` only when it is absent, as
 * `npm ci` does, with files whose content it computes (`seq`, in the shell sandbox): the first
 * run misses, creates the files and archives them; the second restores them and creates
 * nothing. Job wall time and the `restore_cache`, `step_script` and `archive_cache` stages of
 * both, side by side; medians of several samples, each on a key of its own. Measured, never
 * asserted.
 */
import { startHarness, text, type Harness } from '../test/support/runner-harness.ts';
import type { RunnerEvent, StageTiming } from '../src/runner/index.ts';

export interface CacheBenchOptions {
  /** Files the script creates, 10,000 bytes each, ten to a package. @default 2000 */
  files?: number;
  /** Miss-then-hit pairs, each on its own key. @default 5 */
  samples?: number;
}

/** One job's times in milliseconds, or their medians; a stage the job did not run is NaN. */
export interface RunTimes {
  jobMs: number;
  restoreCacheMs: number;
  stepScriptMs: number;
  archiveCacheMs: number;
}

export interface CacheBenchResult {
  files: number;
  bytes: number;
  samples: number;
  /** Size of the stored archive (the last sample's). */
  archiveBytes: number;
  miss: RunTimes;
  hit: RunTimes;
}

const FILES_PER_PACKAGE = 10;
/** Seven-digit numbers and a newline: 1,250 of them are 10,000 bytes. */
const LINES_PER_FILE = 1250;
const FILE_BYTES = LINES_PER_FILE * 8;

/** `npm ci` in miniature: create `node_modules/` unless the cache brought it. */
function installScript(files: number): string[] {
  const packages = Math.ceil(files / FILES_PER_PACKAGE);
  return [
    'if [ -d node_modules ]; then echo "node_modules restored"; else ' +
      `for p in $(seq 0 ${packages - 1}); do mkdir -p node_modules/pkg-$p; ` +
      `for f in $(seq 0 ${FILES_PER_PACKAGE - 1}); do ` +
      `n=$((1000000 + (p * ${FILES_PER_PACKAGE} + f) * ${LINES_PER_FILE})); ` +
      `seq $n $((n + ${LINES_PER_FILE - 1})) > node_modules/pkg-$p/f$f.js; ` +
      'done; done; echo "node_modules created"; fi',
  ];
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const [low, high] = [sorted[mid - 1] ?? NaN, sorted[mid] ?? NaN];
  return sorted.length % 2 ? high : (low + high) / 2;
};

const stageMs = (stages: StageTiming[], name: string) => {
  const stage = stages.find((s) => s.name === name);
  return stage ? stage.finishedAt - stage.startedAt : NaN;
};

/**
 * One job's times from its `job-finished` event; throws unless the trace shows the expected
 * miss or hit, so a run that restored nothing is never reported as a fast second run.
 */
async function runJob(
  h: Harness,
  jobId: number,
  events: RunnerEvent[],
  expect: 'miss' | 'hit',
  files: number,
): Promise<RunTimes> {
  const job = await h.finished(jobId, 600_000);
  const log = text(job.trace);
  const finished = events.find((e) => e.type === 'job-finished' && e.job.id === jobId);
  if (job.status !== 'success' || finished?.type !== 'job-finished')
    throw new Error(`job ${jobId} ${job.status}: ${log.slice(-500)}`);
  // The archive holds every file, every package's folder and node_modules/ itself.
  const saved = log.includes(`found ${files + Math.ceil(files / FILES_PER_PACKAGE) + 1} matching`);
  const shown =
    expect === 'miss'
      ? log.includes('Cache file does not exist') && log.includes('node_modules created')
      : log.includes('Successfully extracted cache') &&
        log.includes('node_modules restored') &&
        log.includes('Archive is up to date!');
  if (!shown || !saved) throw new Error(`job ${jobId} was not a cache ${expect}: ${log}`);
  return {
    jobMs: finished.finishedAt - finished.startedAt,
    restoreCacheMs: stageMs(finished.stages, 'restore_cache'),
    stepScriptMs: stageMs(finished.stages, 'step_script'),
    archiveCacheMs: stageMs(finished.stages, 'archive_cache'),
  };
}

const medians = (runs: RunTimes[]): RunTimes => ({
  jobMs: median(runs.map((r) => r.jobMs)),
  restoreCacheMs: median(runs.map((r) => r.restoreCacheMs)),
  stepScriptMs: median(runs.map((r) => r.stepScriptMs)),
  archiveCacheMs: median(runs.map((r) => r.archiveCacheMs)),
});

export async function benchCache(options: CacheBenchOptions = {}): Promise<CacheBenchResult> {
  const files = options.files ?? 2000;
  const samples = options.samples ?? 5;
  const h = await startHarness();
  try {
    const { runner, events } = h.makeRunner();
    const misses: RunTimes[] = [];
    const hits: RunTimes[] = [];
    for (let i = 0; i < samples; i += 1) {
      const spec = {
        name: 'install',
        script: installScript(files),
        // No checkout: the job's time is the cache's and the script's.
        variables: { GIT_STRATEGY: 'none' },
        cache: { key: `bench-${i}`, paths: ['node_modules/'] },
      };
      // Two pipelines, as when a branch is pushed twice.
      const [first] = await h.pipeline([spec]);
      if (!first) throw new Error('the emulator made no job');
      await runner.run({ once: true });
      misses.push(await runJob(h, first.id, events, 'miss', files));
      const [second] = await h.pipeline([spec]);
      if (!second) throw new Error('the emulator made no job');
      await runner.run({ once: true });
      hits.push(await runJob(h, second.id, events, 'hit', files));
    }
    const last = new RegExp(`^bench-${samples - 1}(-|$)`);
    const stored = await h.cache.list();
    return {
      files,
      bytes: files * FILE_BYTES,
      samples,
      archiveBytes: stored.find((e) => last.test(e.address.key))?.bytes ?? NaN,
      miss: medians(misses),
      hit: medians(hits),
    };
  } finally {
    await h.close();
  }
}

/** The table's rows: each measure as first run → second run, with their ratio. */
export function cacheRows(r: CacheBenchResult): { measure: string; value: string; goal: string }[] {
  const MB = 1024 * 1024;
  const pair = (miss: number, hit: number) =>
    `${Math.round(miss)} ms → ${Math.round(hit)} ms (ratio ${Number((hit / miss).toPrecision(2))})`;
  const size = `${(r.bytes / MB).toFixed(0)} MB, archive ${(r.archiveBytes / MB).toFixed(1)} MB`;
  return [
    {
      measure:
        `job, first run (miss: create + archive) → second (hit: restore), ` +
        `${r.files} files / ${size}, median of ${r.samples}`,
      value: pair(r.miss.jobMs, r.hit.jobMs),
      goal: 'the second run restores instead of recreating',
    },
    {
      measure: 'restore_cache, miss → hit',
      value: pair(r.miss.restoreCacheMs, r.hit.restoreCacheMs),
      goal: '',
    },
    {
      measure: 'step_script, create → skip',
      value: pair(r.miss.stepScriptMs, r.hit.stepScriptMs),
      goal: '',
    },
    {
      // The hit changed none of the restored files: the second run checks their checksums
      // and keeps the stored archive ("Archive is up to date!", docs/cache.md).
      measure: 'archive_cache, first (save) → second run (up to date)',
      value: pair(r.miss.archiveCacheMs, r.hit.archiveCacheMs),
      goal: '',
    },
  ];
}
