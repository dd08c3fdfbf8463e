/**
 * `npm run bench`: every benchmark, measured side by side in one run, printed as JSON and a
 * table with each goal. `--quick` uses smaller inputs. Nothing here is a test: goals are shown,
 * not asserted.
 */
import { benchArtifacts } from './artifacts.bench.ts';
import { benchListing } from './listing.bench.ts';
import { benchRunner } from './runner.bench.ts';
import { benchSources } from './sources.bench.ts';
import { benchTracePipeline } from './trace-pipeline.bench.ts';
import { benchWebContainer } from './webcontainer.bench.ts';
import { benchWebContainerExport } from './webcontainer-export.bench.ts';

interface Line {
  benchmark: string;
  measure: string;
  value: string;
  goal: string;
}

const quick = process.argv.includes('--quick');
const lines: Line[] = [];
const results: Record<string, unknown> = {};

const runner = await benchRunner(quick ? 4 : 10);
results['runner'] = runner;
for (const r of runner) {
  lines.push({
    benchmark: 'runner',
    measure: r.name,
    value: `${r.medianMs} ms median (p90 ${r.p90Ms})`,
    goal: `< ${r.goalMs} ms`,
  });
}

const trace = await benchTracePipeline();
results['tracePipeline'] = trace;
lines.push({
  benchmark: 'trace pipeline',
  measure: trace.name,
  value: `${trace.mbPerSecond.toFixed(0)} MB/s`,
  goal: '≥ 200 MB/s',
});

const sources = await benchSources(
  quick ? { largeFiles: 500, largeBytes: 5 * 1024 * 1024, smallRuns: 1 } : {},
);
results['sources'] = sources;
for (const r of sources) {
  lines.push({
    benchmark: 'sources',
    measure: r.name,
    value: `${Math.round(r.ms)} ms (ratio ${r.ratio.toFixed(2)})`,
    goal: '',
  });
}

const artifacts = await benchArtifacts(
  quick ? { files: 500, totalBytes: 5 * 1024 * 1024, upload: true } : { upload: true },
);
results['artifacts'] = artifacts;
lines.push({
  benchmark: 'artifacts',
  measure: `archive ${artifacts.files} files / ${(artifacts.bytes / 1048576).toFixed(0)} MB`,
  value:
    `${artifacts.mbPerSecond.toFixed(1)} MB/s, peak RSS ${artifacts.peakRssMb.toFixed(0)} MB` +
    (artifacts.uploadMs === null ? '' : `; with upload ${Math.round(artifacts.uploadMs)} ms`),
  goal: '',
});

const listing = await benchListing(quick ? [1000, 2000] : [2000, 4000]);
results['listing'] = listing;
const [shallow, deep] = listing;
if (shallow && deep) {
  lines.push({
    benchmark: 'workspace listing',
    measure: `listFiles at depth ${shallow.depth} and ${deep.depth}`,
    value: `${shallow.ms.toFixed(1)} ms, ${deep.ms.toFixed(1)} ms (ratio ${(deep.ms / shallow.ms).toFixed(1)})`,
    goal: 'ratio ≤ 4 (each path is as long as the depth), not 8',
  });
}

const webContainer = await benchWebContainer(quick ? 4 : 10);
results['webContainer'] = webContainer;
if ('skipped' in webContainer) {
  lines.push({
    benchmark: 'webcontainer',
    measure: 'boot, mount, per-job overhead',
    value: webContainer.skipped,
    goal: '',
  });
} else {
  for (const r of webContainer.rows) {
    lines.push({
      benchmark: 'webcontainer',
      measure: r.name,
      value:
        `${Math.round(r.ms)} ms` +
        (r.shellMs === null
          ? ''
          : ` (shell executor ${Math.round(r.shellMs)} ms, ratio ${(r.ms / r.shellMs).toFixed(1)})`),
      goal: '',
    });
  }
}

const webContainerExport = await benchWebContainerExport(
  quick ? { files: 500, totalBytes: 5 * 1024 * 1024 } : {},
);
results['webContainerExport'] = webContainerExport;
if ('skipped' in webContainerExport) {
  lines.push({
    benchmark: 'webcontainer export',
    measure: 'export() vs file by file',
    value: webContainerExport.skipped,
    goal: '',
  });
} else {
  for (const r of webContainerExport.rows) {
    lines.push({
      benchmark: 'webcontainer export',
      measure: `${r.name}, ${webContainerExport.files} files / ${(webContainerExport.bytes / 1048576).toFixed(0)} MB`,
      value: `${Math.round(r.ms)} ms (ratio ${r.ratio.toFixed(2)}), ${(r.bytes / 1048576).toFixed(1)} MB out`,
      goal: '',
    });
  }
}

console.log(JSON.stringify(results, null, 2));
console.table(lines);
