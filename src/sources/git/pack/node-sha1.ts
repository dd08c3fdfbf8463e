/** node:crypto's SHA-1 for the node:fs store (see `sha1.ts`). Node only. */
import { createHash } from 'node:crypto';
import type { CreateSha1, Sha1 } from './sha1.ts';

export const createNodeSha1: CreateSha1 = () => {
  const hash = createHash('sha1');
  const hasher: Sha1 = {
    update(data) {
      hash.update(data);
      return hasher;
    },
    digest() {
      const digest = hash.digest();
      return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength);
    },
  };
  return hasher;
};
