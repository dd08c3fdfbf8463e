/**
 * The seam through which archives deflate (RFC 1951 raw deflate, no zlib or gzip wrapper). The
 * default is fflate's, which runs anywhere: in V8 it archives 5,000 files / 50 MB of build
 * output at 30-36 MB/s at level 5, in 1.5-1.9 times the time of native `zip -r -5` on the same
 * files (`npm run bench`, "artifacts"). Profiled, 85% of that is fflate's deflate itself
 * (matching, Huffman trees, blocks), ~10% the ~200 KB of tables it allocates per call, and ~7%
 * the CRC-32; the zip writer around it is a few percent. Node can pass node:zlib's (`src/cli`'s
 * `zlibRawDeflater`), twice as fast; src/artifacts itself stays free of node: imports. The browser's `CompressionStream('deflate-raw')` was measured and not
 * chosen: its level is fixed (zlib's 6) and one stream per file makes it slower than fflate on
 * node_modules-sized files (20 MB/s on 10 KB files).
 */
import { Deflate, deflateSync } from 'fflate';
import type { DeflateLevel } from './compression-level.ts';

/**
 * One file's deflater: `push` takes the file's next piece and returns the deflate bytes it
 * yields (possibly none), `final` true for the last piece, after which the stream is complete.
 */
export interface RawDeflateStream {
  push(piece: Uint8Array, final: boolean): Uint8Array[];
}

/** Makes a deflater for one file at a level 1-9 (level 0, stored, never deflates). */
export type RawDeflater = (level: Exclude<DeflateLevel, 0>) => RawDeflateStream;

export const fflateRawDeflater: RawDeflater = (level) => {
  let stream: Deflate | null = null;
  let out: Uint8Array[] = [];
  return {
    push(piece, final) {
      // A whole file in one piece: one-shot deflate is ~2.5x faster than fflate's stream.
      if (stream === null && final) return [deflateSync(piece, { level })];
      stream ??= new Deflate({ level }, (chunk) => {
        if (chunk.byteLength > 0) out.push(chunk);
      });
      stream.push(piece, final);
      const chunks = out;
      out = [];
      return chunks;
    },
  };
};
