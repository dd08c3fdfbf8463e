/** Prints the trace pipeline benchmark: `npx tsx bench/trace-pipeline.ts`. */
import { benchTracePipeline } from './trace-pipeline.bench.ts';

const result = await benchTracePipeline();
console.log(
  `${result.name}: ${result.mbPerSecond.toFixed(0)} MB/s ` +
    `(${result.cpuMbPerSecond.toFixed(0)} MB/s per CPU second) over ${(result.bytes / 1048576).toFixed(0)} MB`,
);
