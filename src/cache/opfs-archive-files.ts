/**
 * Archive files in the origin private file system (OPFS), one directory per store. Writes go
 * through `createWritable()`, which streams to disk; a `File` read back is disk-backed too.
 */
import type { ArchiveFiles } from './archive-files.ts';

/** Whether this browser lets pages and Workers write OPFS files as streams. */
export function opfsWritable(): boolean {
  return (
    typeof navigator !== 'undefined' &&
    typeof navigator.storage?.getDirectory === 'function' &&
    typeof FileSystemFileHandle !== 'undefined' &&
    'createWritable' in FileSystemFileHandle.prototype
  );
}

function isNotFound(err: unknown): boolean {
  return err instanceof DOMException && err.name === 'NotFoundError';
}

/**
 * A writable just aborted still holds its file for a moment: Chromium answers the abort before
 * its browser process lets go, and on a loaded machine a delete in between is refused. Only
 * files nobody writes are deleted, so the refusal passes; this bounds the wait for it.
 */
const REMOVE_ATTEMPTS = 20;
const REMOVE_RETRY_MS = 25;

/**
 * The files under OPFS directory `directory`. Rejects where OPFS is refused (Firefox's private
 * windows), so the caller can fall back to IndexedDB.
 */
export async function opfsArchiveFiles(directory: string): Promise<ArchiveFiles> {
  const root = await navigator.storage.getDirectory();
  const dir = await root.getDirectoryHandle(directory, { create: true });
  return {
    backend: 'opfs',
    async write(name, archive, signal) {
      const handle = await dir.getFileHandle(name, { create: true });
      const writable = await handle.createWritable();
      // pipeTo aborts the writable (its swap file is discarded) when the stream errors or the
      // signal fires, and cancels the stream when the disk refuses a write.
      await archive.pipeTo(writable, signal ? { signal } : {});
      return (await handle.getFile()).size;
    },
    async read(name) {
      try {
        return await (await dir.getFileHandle(name)).getFile();
      } catch (err) {
        if (isNotFound(err)) return null;
        throw err;
      }
    },
    async remove(name) {
      for (let attempt = 1; ; attempt++) {
        try {
          return await dir.removeEntry(name);
        } catch (err) {
          if (isNotFound(err)) return;
          const held = err instanceof DOMException && err.name === 'NoModificationAllowedError';
          if (!held || attempt === REMOVE_ATTEMPTS) throw err;
        }
        await new Promise((resolve) => setTimeout(resolve, REMOVE_RETRY_MS));
      }
    },
    async names() {
      const names: string[] = [];
      for await (const name of dir.keys()) {
        // Chromium's own swap file beside a file open for writing: it is the browser's to delete.
        if (!name.endsWith('.crswap')) names.push(name);
      }
      return names;
    },
  };
}
