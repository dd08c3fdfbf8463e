/**
 * node:zlib's raw inflate behind src/artifacts' `RawInflater` seam (raw-inflater.ts): about
 * twice fflate's speed on node_modules-sized files, so a cache restores in the CLI close to
 * native `unzip` (`npm run bench`). `maxOutputLength` makes zlib stop as soon as an entry passes
 * the bytes it may have, rather than inflate it all and drop the rest.
 */
import { inflateRawSync } from 'node:zlib';
import type { RawInflater } from '../artifacts/index.ts';

/** One output chunk holds a small entry whole; a larger one grows by chunks of this. */
const CHUNK = 64 * 1024;

export const zlibRawInflater: RawInflater = (raw, max) => {
  try {
    return inflateRawSync(raw, {
      maxOutputLength: max + 1,
      chunkSize: Math.max(64, Math.min(max + 1, CHUNK)),
    });
  } catch (error) {
    if ((error as { code?: unknown } | null)?.code === 'ERR_BUFFER_TOO_LARGE') return null;
    throw error;
  }
};
