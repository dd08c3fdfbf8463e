/**
 * node:zlib's raw deflate behind src/artifacts' `RawDeflater` seam (raw-deflater.ts): about twice
 * fflate's speed, so archiving in the CLI keeps pace with native `zip` (`npm run bench`). A file
 * that comes in pieces (larger than a slice) is deflated piece by piece, each ended with a sync
 * flush so the pieces join into one valid stream (each piece starts a fresh window, as pigz's
 * independent blocks do: a slightly larger archive, no state held between pulls).
 */
import { constants, deflateRawSync } from 'node:zlib';
import type { RawDeflater } from '../artifacts/index.ts';

export const zlibRawDeflater: RawDeflater = (level) => ({
  push: (piece, final) => [
    deflateRawSync(piece, {
      level,
      finishFlush: final ? constants.Z_FINISH : constants.Z_SYNC_FLUSH,
    }),
  ],
});
