/**
 * The pure JavaScript SHA-1 the pack indexer used before hash-wasm's (issue 15), kept only as
 * the baseline of bench/sources-pack.bench.ts, which checks its digest against node:crypto's
 * before timing it.
 */
import type { CreateSha1, Sha1 } from '../src/sources/git/pack/sha1.ts';

const W = new Int32Array(80);

/** One 64-byte block of `b` at `o` into the state `h` (FIPS 180-4, section 6.1.2). */
function compress(h: Int32Array, b: Uint8Array, o: number): void {
  const w = W;
  for (let t = 0; t < 16; t++) {
    const j = o + (t << 2);
    w[t] =
      ((b[j] as number) << 24) |
      ((b[j + 1] as number) << 16) |
      ((b[j + 2] as number) << 8) |
      (b[j + 3] as number);
  }
  for (let t = 16; t < 80; t++) {
    const x =
      (w[t - 3] as number) ^ (w[t - 8] as number) ^ (w[t - 14] as number) ^ (w[t - 16] as number);
    w[t] = (x << 1) | (x >>> 31);
  }
  let a = h[0] as number;
  let b1 = h[1] as number;
  let c = h[2] as number;
  let d = h[3] as number;
  let e = h[4] as number;
  let t = 0;
  for (; t < 20; t++) {
    const f = ((a << 5) | (a >>> 27)) + ((b1 & c) | (~b1 & d)) + e + (w[t] as number) + 0x5a827999;
    e = d;
    d = c;
    c = (b1 << 30) | (b1 >>> 2);
    b1 = a;
    a = f | 0;
  }
  for (; t < 40; t++) {
    const f = ((a << 5) | (a >>> 27)) + (b1 ^ c ^ d) + e + (w[t] as number) + 0x6ed9eba1;
    e = d;
    d = c;
    c = (b1 << 30) | (b1 >>> 2);
    b1 = a;
    a = f | 0;
  }
  for (; t < 60; t++) {
    const f =
      ((a << 5) | (a >>> 27)) + ((b1 & c) | (b1 & d) | (c & d)) + e + (w[t] as number) - 0x70e44324;
    e = d;
    d = c;
    c = (b1 << 30) | (b1 >>> 2);
    b1 = a;
    a = f | 0;
  }
  for (; t < 80; t++) {
    const f = ((a << 5) | (a >>> 27)) + (b1 ^ c ^ d) + e + (w[t] as number) - 0x359d3e2a;
    e = d;
    d = c;
    c = (b1 << 30) | (b1 >>> 2);
    b1 = a;
    a = f | 0;
  }
  h[0] = ((h[0] as number) + a) | 0;
  h[1] = ((h[1] as number) + b1) | 0;
  h[2] = ((h[2] as number) + c) | 0;
  h[3] = ((h[3] as number) + d) | 0;
  h[4] = ((h[4] as number) + e) | 0;
}

/** The JavaScript SHA-1. */
export const createJsSha1: CreateSha1 = () => {
  const h = Int32Array.of(0x67452301, 0xefcdab89 | 0, 0x98badcfe | 0, 0x10325476, 0xc3d2e1f0 | 0);
  const block = new Uint8Array(64);
  let used = 0;
  let length = 0;
  const hasher: Sha1 = {
    update(data) {
      let i = 0;
      const n = data.length;
      length += n;
      if (used) {
        const take = Math.min(64 - used, n);
        block.set(data.subarray(0, take), used);
        used += take;
        i = take;
        if (used < 64) return hasher;
        compress(h, block, 0);
        used = 0;
      }
      for (; i + 64 <= n; i += 64) compress(h, data, i);
      if (i < n) {
        block.set(data.subarray(i), 0);
        used = n - i;
      }
      return hasher;
    },
    digest() {
      block[used++] = 0x80;
      if (used > 56) {
        block.fill(0, used);
        compress(h, block, 0);
        used = 0;
      }
      block.fill(0, used);
      const view = new DataView(block.buffer);
      view.setUint32(56, Math.floor((length * 8) / 0x100000000));
      view.setUint32(60, (length * 8) >>> 0);
      compress(h, block, 0);
      const out = new Uint8Array(20);
      const outView = new DataView(out.buffer);
      for (let k = 0; k < 5; k++) outView.setInt32(k * 4, h[k] as number);
      return out;
    },
  };
  return hasher;
};
