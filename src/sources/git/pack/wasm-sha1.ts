/**
 * hash-wasm's SHA-1 behind the `CreateSha1` seam (sha1.ts): the portable one, in the tab's
 * Worker and wherever the store brings none of its own. WebAssembly is compiled asynchronously,
 * so the factory comes from a promise; after that a hasher is created synchronously, as the pack
 * indexer needs. Measured by bench/sources-pack.bench.ts against the pure JavaScript SHA-1 it
 * replaced and node:crypto's.
 *
 * One WebAssembly instance serves every hasher: instances are created asynchronously, and
 * hashing is synchronous and almost always one object at a time. Should two hashers interleave,
 * the instance's state is saved to the one set aside and loaded back when it is used again.
 */
import { createSHA1, type IHasher } from 'hash-wasm';
import type { CreateSha1, Sha1 } from './sha1.ts';

let loading: Promise<CreateSha1> | undefined;

async function load(): Promise<CreateSha1> {
  const wasm: IHasher = await createSHA1();
  /** The hasher whose state is in the instance now; null once it has its digest. */
  let active: { saved: Uint8Array | null } | null = null;
  return () => {
    const self: { saved: Uint8Array | null } = { saved: null };
    /** Make the instance hold this hasher's state, setting aside another's. */
    const own = (): void => {
      if (active === self) return;
      if (active) active.saved = wasm.save();
      if (self.saved) wasm.load(self.saved);
      else wasm.init();
      self.saved = null;
      active = self;
    };
    own();
    const hasher: Sha1 = {
      update(data) {
        own();
        wasm.update(data);
        return hasher;
      },
      digest() {
        own();
        active = null;
        return wasm.digest('binary');
      },
    };
    return hasher;
  };
}

/** The hash-wasm SHA-1 factory; the WebAssembly module is compiled once per thread. */
export function loadWasmSha1(): Promise<CreateSha1> {
  loading ??= load().catch((err: unknown) => {
    loading = undefined;
    throw err;
  });
  return loading;
}
