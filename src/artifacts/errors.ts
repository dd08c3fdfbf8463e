/**
 * The failures of the artifacts area, one class per family. Callers compare `code`, never
 * `instanceof`. `data` carries facts for the runner and the UI, never a token.
 */
import { TabrunnerError } from '../errors/index.ts';

/** An `artifacts:paths`/`exclude` pattern doublestar would call malformed (`[`, a trailing `\`). */
export class GlobPatternError extends TabrunnerError<{ pattern: string }> {
  constructor(pattern: string) {
    super(
      'GlobPatternError',
      `syntax error in pattern ${JSON.stringify(pattern)}: close every "[" and "{" and do not end with "\\"`,
      { pattern },
    );
  }
}

/** Files cannot be put into the requested archive format (e.g. several files as `raw`). */
export class ArchiveFormatError extends TabrunnerError<{ format: string; files: number }> {
  constructor(message: string, data: { format: string; files: number }) {
    super('ArchiveFormatError', message, data);
  }
}

/**
 * A downloaded archive holds an entry that would land outside the project directory, or one
 * we cannot write safely (absolute path, `..`, drive letter, backslash, symlink leading out, a
 * path through a file or symlink, a directory already at its path, a name given twice). A file
 * or symlink already at an entry's path is no reason: the entry replaces it.
 * The whole archive is refused before anything is written, but for an empty directory at an
 * entry's path, which only that entry's write finds.
 */
export class UnsafeArchiveEntryError extends TabrunnerError<{ entry: string; reason: string }> {
  constructor(entry: string, reason: string) {
    super(
      'UnsafeArchiveEntryError',
      `artifact archive entry ${JSON.stringify(entry)} was refused: ${reason}. Nothing outside the project directory is ever written; rebuild the dependency's artifacts with paths relative to its project directory`,
      { entry, reason },
    );
  }
}

/** Which bound of `ExtractLimits` stopped an extraction. */
export type ArchiveLimit =
  | 'maxArchiveBytes'
  | 'maxEntries'
  | 'maxTotalBytes'
  | 'maxRatio'
  | 'maxArchiveRatio'
  | 'declaredSize';

/** An archive is larger, denser or more numerous than the extraction bounds allow (zip bombs). */
export class ArchiveLimitError extends TabrunnerError<{
  limit: ArchiveLimit;
  value: number;
  max: number;
  entry: string | null;
}> {
  constructor(
    message: string,
    data: { limit: ArchiveLimit; value: number; max: number; entry: string | null },
  ) {
    super('ArchiveLimitError', message, data);
  }
}

/** The bytes are not an archive we can read: not zip or gzip, truncated, encrypted, zip64… */
export class CorruptArchiveError extends TabrunnerError<{ reason: string }> {
  constructor(reason: string) {
    super(
      'CorruptArchiveError',
      `the artifact archive cannot be read: ${reason}. Re-run the job that made it`,
      { reason },
    );
  }
}

/**
 * A dependency's artifacts could not be downloaded because GitLab says they are gone or not
 * ours to read (404, 403, 401). The runner fails the job with `missing_dependency_failure`.
 */
export class MissingDependencyError extends TabrunnerError<{
  dependencyId: number;
  dependencyName: string;
  status: 401 | 403 | 404;
}> {
  constructor(data: { dependencyId: number; dependencyName: string; status: 401 | 403 | 404 }) {
    const why =
      data.status === 404
        ? 'they have expired or were never uploaded'
        : 'this job is not allowed to read them';
    super(
      'MissingDependencyError',
      `the artifacts of ${data.dependencyName} (job ${data.dependencyId}) cannot be downloaded: ${why}. Re-run the ${data.dependencyName} job, or keep its artifacts longer with artifacts:expire_in`,
      data,
    );
  }
}

/** Downloading a dependency failed for a reason that retrying did not cure (5xx, network). */
export class DependencyDownloadError extends TabrunnerError<{
  dependencyId: number;
  dependencyName: string;
  status: number | null;
}> {
  constructor(
    message: string,
    data: { dependencyId: number; dependencyName: string; status: number | null },
  ) {
    super('DependencyDownloadError', message, data);
  }
}

/** How an upload ended when it did not end with 201. */
export type UploadFailureKind = 'too-large' | 'forbidden' | 'failed';

/** An artifact upload was refused or kept failing; the Go runner fails the job for it (docs/runner-protocol.md §8.1). */
export class ArtifactUploadError extends TabrunnerError<{
  kind: UploadFailureKind;
  artifactType: string;
  status: number | null;
}> {
  constructor(
    message: string,
    data: { kind: UploadFailureKind; artifactType: string; status: number | null },
  ) {
    super('ArtifactUploadError', message, data);
  }
}
