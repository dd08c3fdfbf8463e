/** Prints the artifacts benchmark: `npx tsx bench/artifacts.ts` (see artifacts.bench.ts). */
import { artifactsRows, benchArtifacts } from './artifacts.bench.ts';

console.table(artifactsRows(await benchArtifacts({ upload: true })));
