/**
 * An archive on its way to GitLab, kept in a temporary file rather than in memory (the seam
 * `spool` of `uploadArtifacts`): Node's `Blob` is memory, a file-backed one (`openAsBlob`) is
 * read from disk each time the upload sends it. `dispose` removes every file it spooled.
 */
import { createWriteStream, openAsBlob } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface FileSpool {
  spool(archive: ReadableStream<Uint8Array>): Promise<Blob>;
  /** Remove every spooled file. */
  dispose(): Promise<void>;
}

export async function createFileSpool(): Promise<FileSpool> {
  const dir = await mkdtemp(join(tmpdir(), 'tabrunner-spool-'));
  let count = 0;
  return {
    async spool(archive) {
      const path = join(dir, `archive-${++count}`);
      // The web stream's chunk type is Uint8Array; Readable.fromWeb's typing wants node's own.
      await pipeline(
        Readable.fromWeb(archive as Parameters<typeof Readable.fromWeb>[0]),
        createWriteStream(path),
      );
      return openAsBlob(path);
    },
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}
