/** Prints the sources benchmark: `npx tsx bench/sources.ts` (see sources.bench.ts). */
import { benchSources } from './sources.bench.ts';

const rows = await benchSources();
const width = Math.max(...rows.map((r) => r.name.length));
for (const row of rows) {
  console.log(
    `${row.name.padEnd(width)}  ${row.ms.toFixed(0).padStart(7)} ms  ${row.ratio.toFixed(2).padStart(6)}×`,
  );
}
