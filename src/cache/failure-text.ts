/**
 * The words of the helper's `FATAL:` line when a cache archive cannot be read, extracted or
 * written. The artifacts' errors speak of a dependency's "artifact archive" and tell the reader
 * to re-run the job that made it; for a cache the next save replaces the archive, so the
 * reason alone is said.
 */
import { hasErrorCode } from '../errors/index.ts';

export function failureText(err: unknown): string {
  if (hasErrorCode(err, 'CorruptArchiveError')) {
    return `the cache archive cannot be read: ${err.data.reason}`;
  }
  return err instanceof Error ? err.message : String(err);
}
