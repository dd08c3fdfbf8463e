/**
 * Archive files as IndexedDB records, where OPFS is missing: each file is a run of `Blob`
 * chunks keyed `[name, index]`. A chunk is written as soon as it fills, so memory holds one
 * chunk, not the archive, and reading back joins the stored Blobs without loading them.
 */
import type { ArchiveFiles } from './archive-files.ts';
import { idbDone, idbRequest } from '../platform/idb-request.ts';

/** The object store the chunks live in (created by the cache index's upgrade). */
export const CHUNKS = 'chunks';
/** Bytes per record: large enough that a 50 MB archive is a few dozen puts. */
export const CHUNK_BYTES = 4 * 1024 * 1024;

interface Chunk {
  file: string;
  index: number;
  blob: Blob;
}

function fileRange(name: string): IDBKeyRange {
  return IDBKeyRange.bound([name, 0], [name, Infinity]);
}

export function indexedDbArchiveFiles(db: IDBDatabase): ArchiveFiles {
  async function put(chunk: Chunk): Promise<void> {
    const tx = db.transaction(CHUNKS, 'readwrite');
    tx.objectStore(CHUNKS).put(chunk);
    await idbDone(tx);
  }

  return {
    backend: 'indexeddb',
    async write(name, archive, signal) {
      const reader = archive.getReader();
      const stop = () => void reader.cancel(signal?.reason).catch(() => undefined);
      signal?.addEventListener('abort', stop, { once: true });
      let pending: Uint8Array[] = [];
      let pendingBytes = 0;
      let index = 0;
      let total = 0;
      const flush = async () => {
        await put({ file: name, index, blob: new Blob(pending as BlobPart[]) });
        index += 1;
        pending = [];
        pendingBytes = 0;
      };
      try {
        signal?.throwIfAborted();
        for (;;) {
          const { done, value } = await reader.read();
          signal?.throwIfAborted();
          if (done) break;
          pending.push(value);
          pendingBytes += value.byteLength;
          total += value.byteLength;
          if (pendingBytes >= CHUNK_BYTES) await flush();
        }
        if (pendingBytes > 0 || index === 0) await flush();
        return total;
      } catch (err) {
        stop();
        throw err;
      } finally {
        signal?.removeEventListener('abort', stop);
        reader.releaseLock();
      }
    },
    async read(name) {
      const tx = db.transaction(CHUNKS, 'readonly');
      const chunks = (await idbRequest(tx.objectStore(CHUNKS).getAll(fileRange(name)))) as Chunk[];
      if (chunks.length === 0) return null;
      // Blobs read from IndexedDB stay readable after their records are deleted.
      return new Blob(chunks.map((chunk) => chunk.blob));
    },
    async remove(name) {
      const tx = db.transaction(CHUNKS, 'readwrite');
      tx.objectStore(CHUNKS).delete(fileRange(name));
      await idbDone(tx);
    },
    async names() {
      const tx = db.transaction(CHUNKS, 'readonly');
      const keys = (await idbRequest(tx.objectStore(CHUNKS).getAllKeys())) as [string, number][];
      return [...new Set(keys.map(([file]) => file))];
    },
  };
}
