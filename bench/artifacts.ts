/** Prints the artifacts benchmark: `npx tsx bench/artifacts.ts` (see artifacts.bench.ts). */
import { benchArtifacts } from './artifacts.bench.ts';

const result = await benchArtifacts({ upload: true });
console.log(`files          ${result.files}`);
console.log(`input          ${(result.bytes / 1024 / 1024).toFixed(1)} MB`);
console.log(`archive        ${(result.archiveBytes / 1024 / 1024).toFixed(1)} MB`);
console.log(`collect+zip    ${result.ms.toFixed(0)} ms  (${result.mbPerSecond.toFixed(1)} MB/s)`);
if (result.uploadMs !== null) {
  console.log(
    `upload (all)   ${result.uploadMs.toFixed(0)} ms  (collect + zip + POST to the emulator)`,
  );
}
console.log(
  `RSS            ${result.baselineRssMb.toFixed(0)} MB before, ${result.peakRssMb.toFixed(0)} MB peak while archiving`,
);
if (result.uploadPeakRssMb !== null) {
  console.log(`RSS (upload)   ${result.uploadPeakRssMb.toFixed(0)} MB peak, emulator in-process`);
}
