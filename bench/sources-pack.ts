/** Prints the pack indexing benchmark: `npx tsx bench/sources-pack.ts` (see sources-pack.bench.ts). */
import { benchSourcesPack } from './sources-pack.bench.ts';

const rows = await benchSourcesPack({ ...(process.argv.includes('--quick') ? { runs: 2 } : {}) });
const width = Math.max(...rows.map((r) => r.name.length));
for (const row of rows) {
  console.log(
    `${row.name.padEnd(width)}  ${row.value.toFixed(0).padStart(7)} ${row.unit.padEnd(4)}  ${row.ratio.toFixed(2).padStart(6)}×`,
  );
}
