/**
 * Where the tab's cache store keeps archive bytes: OPFS files or IndexedDB records. A file is
 * written once under a fresh name and never changed; the store's index says which file is an
 * address's archive, so a file nobody names is either being written or left over.
 */
export interface ArchiveFiles {
  readonly backend: 'opfs' | 'indexeddb';
  /**
   * Write the stream to a new file `name`, as it comes (never the whole archive in memory), and
   * return its size. On a stream error or an aborted `signal` it rejects, possibly leaving part
   * of the file for the caller to remove.
   */
  write(name: string, archive: ReadableStream<Uint8Array>, signal?: AbortSignal): Promise<number>;
  /** The file's bytes, read from storage as the caller reads them, or null when it is gone. */
  read(name: string): Promise<Blob | null>;
  /** Delete the file; a file already gone is no error. */
  remove(name: string): Promise<void>;
  /** Every file stored, finished or not. */
  names(): Promise<string[]>;
}
