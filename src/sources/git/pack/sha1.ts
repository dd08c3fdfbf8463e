/**
 * SHA-1, the digest of git's object ids and pack checksums, as an incremental hasher: a seam.
 * hash-wasm's (`wasm-sha1.ts`) is the portable one, in the tab's Worker; the node:fs store
 * brings node:crypto's (`node-sha1.ts`), faster still in Node. bench/sources-pack.bench.ts
 * measures all of them, with the pure JavaScript SHA-1 they replaced as its baseline.
 *
 * Why not WebCrypto: `crypto.subtle.digest` takes one contiguous buffer per call, so every
 * object would be copied behind its `<type> <size>\0` header first, and each call is a round
 * trip through a promise; and even for one large buffer it is no faster than the JavaScript
 * SHA-1 was. bench/sources-pack.bench.ts in Chromium, the 25 MB checksum of its generated pack:
 * WebCrypto 256-289 MB/s (about 90 ms), JavaScript 279-292 MB/s, hash-wasm 605-625 MB/s.
 */

export interface Sha1 {
  update(data: Uint8Array): Sha1;
  /** The 20-byte digest; the hasher is spent afterwards. */
  digest(): Uint8Array;
}

export type CreateSha1 = () => Sha1;
