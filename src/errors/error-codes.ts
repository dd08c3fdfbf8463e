/**
 * Every `code` a tabrunner error can carry, by area. Callers compare codes, never classes (errors
 * cross the sources Worker's boundary as plain data), so the compiler checks each comparison
 * against this list: a misspelt code is a type error, not a branch that never runs.
 * Adding an error means adding its code here.
 */
export const ERROR_CODES = [
  // Executors (the port's promises, docs/architecture.md "Running a stage").
  'AbortError',
  'ENOENT',
  'EISDIR',
  'OutsideProject',
  'InvalidTreePath',
  'ShellBusy',
  'ShellWorkspaceGone',
  'WebContainerApiKeyChanged',
  'WebContainerBootFailed',
  'WebContainerBootTimeout',
  'WebContainerBusy',
  'WebContainerFileTimeout',
  'WebContainerMountTimeout',
  'WebContainerNeedsReload',
  'WebContainerOutsideBuildsDir',
  'WebContainerOutsideWorkdir',
  'WebContainerUnsupported',
  'WebContainerWorkspaceGone',
  // GitLab client.
  'GitLabClientUsageError',
  'GitLabTimeoutError',
  'InvalidGitLabUrlError',
  // Sources.
  'SourcesAuthError',
  'SourcesCommitError',
  'SourcesConfigError',
  'SourcesFetchError',
  'SourcesLimitError',
  'SourcesPackError',
  'SourcesStoreError',
  'SourcesWorkerDisposed',
  'SourcesWorkerFailed',
  'SourcesWorkerProtocol',
  // Artifacts.
  'ArchiveFormatError',
  'ArchiveLimitError',
  'ArtifactUploadError',
  'CorruptArchiveError',
  'DependencyDownloadError',
  'GlobPatternError',
  'MissingDependencyError',
  'UnsafeArchiveEntryError',
  // The tab's cache store (src/cache/browser-cache-store.ts).
  'CacheStoreError',
  // The job run (src/runner/job-run.ts).
  'JobStageFailed',
  // The relay and the GitLab emulator.
  'RelayError',
  'RelayTlsError',
  'CiConfigError',
  'ProjectImportError',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

const known: ReadonlySet<string> = new Set(ERROR_CODES);

/** For data that crossed a boundary (a Worker message): is this one of our codes? */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && known.has(value);
}
