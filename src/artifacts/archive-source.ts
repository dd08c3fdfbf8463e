/**
 * Random access to an archive's bytes, whether it is held in memory or is a `Blob` (the cache
 * store hands out Blobs backed by OPFS, IndexedDB or a file): the extractor reads a zip's
 * directory at its end and its entries in batches, never the archive whole.
 */
import { CorruptArchiveError } from './errors.ts';

export interface ArchiveSource {
  readonly size: number;
  /** `length` bytes from `at`; rejects with `CorruptArchiveError` when they are not all there. */
  read(at: number, length: number): Promise<Uint8Array>;
}

export function archiveSource(archive: Blob | Uint8Array): ArchiveSource {
  const size = archive instanceof Uint8Array ? archive.byteLength : archive.size;
  const check = (at: number, length: number): void => {
    if (at < 0 || length < 0 || at + length > size) {
      throw new CorruptArchiveError(
        `bytes ${at}..${at + length} lie outside the ${size}-byte archive`,
      );
    }
  };
  if (archive instanceof Uint8Array) {
    return {
      size,
      read: async (at, length) => {
        check(at, length);
        return archive.subarray(at, at + length);
      },
    };
  }
  return {
    size,
    read: async (at, length) => {
      check(at, length);
      const bytes = new Uint8Array(await archive.slice(at, at + length).arrayBuffer());
      // A Blob backed by a file that changed underneath answers short.
      if (bytes.byteLength !== length)
        throw new CorruptArchiveError('the archive changed while it was read');
      return bytes;
    },
  };
}
