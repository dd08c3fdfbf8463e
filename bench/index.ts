/**
 * `npm run bench`: every benchmark, measured side by side in one run, printed as JSON and a
 * table with each goal. `--quick` uses smaller inputs. Nothing here is a test: goals are shown,
 * not asserted. A benchmark that fails becomes a `failed: …` row; the others are still printed.
 */
import { artifactsRows, benchArtifacts } from './artifacts.bench.ts';
import { benchCache, cacheRows } from './cache.bench.ts';
import { benchCliStart } from './cli-start.bench.ts';
import { benchFirstPage, firstPageRows } from './first-page.bench.ts';
import { benchListing } from './listing.bench.ts';
import { benchRunner } from './runner.bench.ts';
import { benchSoak } from './soak.bench.ts';
import { benchSources } from './sources.bench.ts';
import { benchSourcesPack } from './sources-pack.bench.ts';
import { benchTracePipeline } from './trace-pipeline.bench.ts';
import { benchWebContainer } from './webcontainer.bench.ts';
import { benchWebContainerExport } from './webcontainer-export.bench.ts';
import { benchWorkerSize, workerSizeRows } from './worker-size.bench.ts';

interface Line {
  benchmark: string;
  measure: string;
  value: string;
  goal: string;
}

/** A line without the benchmark's name, which `measure` adds. */
type Row = Omit<Line, 'benchmark'>;

const quick = process.argv.includes('--quick');
const lines: Line[] = [];
const results: Record<string, unknown> = {};

/** Run one benchmark and keep its result and table rows; a failure is its row, not the end. */
async function measure<T>(
  benchmark: string,
  key: string,
  run: () => Promise<T>,
  rows: (result: T) => Row[],
): Promise<void> {
  try {
    const result = await run();
    results[key] = result;
    for (const row of rows(result)) lines.push({ benchmark, ...row });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    results[key] = { failed: message };
    lines.push({ benchmark, measure: '', value: `failed: ${message}`, goal: '' });
  }
}

function isSkipped(result: object): result is { skipped: string } {
  return 'skipped' in result && typeof result.skipped === 'string';
}

/** A benchmark that may not run here (offline): its rows, or one row saying why it was skipped. */
function rowsOrSkip<R extends object>(
  result: R | { skipped: string },
  skippedMeasure: string,
  rows: (result: R) => Row[],
): Row[] {
  if (isSkipped(result)) return [{ measure: skippedMeasure, value: result.skipped, goal: '' }];
  return rows(result);
}

await measure(
  'runner',
  'runner',
  () => benchRunner(quick ? 4 : 10),
  (runner) =>
    runner.map((r) => ({
      measure: r.name,
      value: `${r.medianMs} ms median (p90 ${r.p90Ms})`,
      goal: `< ${r.goalMs} ms`,
    })),
);

await measure('trace pipeline', 'tracePipeline', benchTracePipeline, (trace) => [
  { measure: trace.name, value: `${trace.mbPerSecond.toFixed(0)} MB/s`, goal: '≥ 200 MB/s' },
]);

await measure(
  'sources',
  'sources',
  () => benchSources(quick ? { largeFiles: 500, largeBytes: 5 * 1024 * 1024, smallRuns: 1 } : {}),
  (sources) =>
    sources.map((r) => ({
      measure: r.name,
      value: `${Math.round(r.ms)} ms (ratio ${r.ratio.toFixed(2)})`,
      goal: '',
    })),
);

await measure(
  'pack indexing',
  'sourcesPack',
  () => benchSourcesPack(quick ? { runs: 2 } : {}),
  (pack) =>
    pack.map((r) => ({
      measure: r.name,
      value: `${Math.round(r.value)} ${r.unit} (ratio ${r.ratio.toFixed(2)})`,
      goal: '',
    })),
);

await measure(
  'artifacts',
  'artifacts',
  () =>
    benchArtifacts(
      quick ? { files: 500, totalBytes: 5 * 1024 * 1024, upload: true } : { upload: true },
    ),
  artifactsRows,
);

await measure(
  'cache, second run',
  'cache',
  () => benchCache(quick ? { files: 500, samples: 3 } : {}),
  cacheRows,
);

await measure(
  'workspace listing',
  'listing',
  () => benchListing(quick ? [1000, 2000] : [2000, 4000]),
  ([shallow, deep]) =>
    shallow && deep
      ? [
          {
            measure: `listFiles at depth ${shallow.depth} and ${deep.depth}`,
            value: `${shallow.ms.toFixed(1)} ms, ${deep.ms.toFixed(1)} ms (ratio ${(deep.ms / shallow.ms).toFixed(1)})`,
            goal: 'ratio ≤ 4 (each path is as long as the depth), not 8',
          },
        ]
      : [],
);

await measure(
  'webcontainer',
  'webContainer',
  () => benchWebContainer(quick ? 4 : 10),
  (webContainer) =>
    rowsOrSkip(webContainer, 'boot, mount, per-job overhead', ({ rows }) =>
      rows.map((r) => ({
        measure: r.name,
        value:
          `${Math.round(r.ms)} ms` +
          (r.shellMs === null
            ? ''
            : ` (shell executor ${Math.round(r.shellMs)} ms, ratio ${(r.ms / r.shellMs).toFixed(1)})`),
        goal: '',
      })),
    ),
);

await measure(
  'webcontainer export',
  'webContainerExport',
  () => benchWebContainerExport(quick ? { files: 500, totalBytes: 5 * 1024 * 1024 } : {}),
  (webContainerExport) =>
    rowsOrSkip(webContainerExport, 'export() vs file by file', ({ files, bytes, rows }) =>
      rows.map((r) => ({
        measure: `${r.name}, ${files} files / ${(bytes / 1048576).toFixed(0)} MB`,
        value: `${Math.round(r.ms)} ms (ratio ${r.ratio.toFixed(2)}), ${(r.bytes / 1048576).toFixed(1)} MB out`,
        goal: '',
      })),
    ),
);

await measure(
  'cli start',
  'cliStart',
  () => benchCliStart(quick ? 3 : 7),
  (cliStart) =>
    cliStart.map((r) => ({
      measure: r.name,
      value: `${Math.round(r.medianMs)} ms median (ratio ${r.ratio.toFixed(1)})`,
      goal: r.name.includes('compiled') ? '< 1 s' : '',
    })),
);

await measure('first page', 'firstPage', benchFirstPage, firstPageRows);

await measure('sources worker size', 'workerSize', benchWorkerSize, workerSizeRows);

await measure(
  'long tab',
  'soak',
  () => benchSoak({ jobs: quick ? 60 : 300, every: 25, logLines: 1000 }),
  (soak) => {
    const [first, last] = [soak.samples[0], soak.samples.at(-1)];
    if (!first || !last) return [];
    const fetch = (s: typeof first) => s.stageMs['get_sources'] ?? NaN;
    const lastSpan = last.jobs - (soak.samples.length > 1 ? (soak.samples.at(-2)?.jobs ?? 0) : 0);
    return [
      {
        measure: `get_sources median, jobs 1-${first.jobs} vs the last ${lastSpan}`,
        value: `${fetch(first)} ms → ${fetch(last)} ms (ratio ${soak.ratios['get_sources'] ?? NaN})`,
        goal: 'ratio ≈ 1: a tab does not slow down with age',
      },
      {
        measure: `job median, same jobs`,
        value: `${first.jobMs} ms → ${last.jobMs} ms (ratio ${soak.ratios['job'] ?? NaN})`,
        goal: '',
      },
      {
        measure: `page heap and DOM nodes after ${first.jobs} and ${last.jobs} jobs`,
        value: `${first.heapMiB} → ${last.heapMiB} MiB, ${first.domNodes} → ${last.domNodes} nodes`,
        goal: 'flat once the history holds its 50 jobs',
      },
      {
        measure: `failed jobs of ${soak.jobs}`,
        value: soak.failures.length
          ? `${soak.failures.length}, traces in ${soak.failedTraces}`
          : '0',
        goal: '0',
      },
    ];
  },
);

console.log(JSON.stringify(results, null, 2));
console.table(lines);
