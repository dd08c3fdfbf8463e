/**
 * @module src/artifacts: what a job makes goes back to GitLab, what earlier jobs made comes in
 * (docs/runner-protocol.md §4.8, §4.11, §8). Collect files with GitLab's glob semantics,
 * archive them (zip, gzip, raw), upload with the Go helper's retries; download dependencies and
 * extract them safely, reporting progress as they go. Files move only through the executor's `Workspace`. Import from here.
 */
export { matchGlob } from './glob.ts';
export {
  collectArtifactFiles,
  type CollectArtifactFilesOptions,
  type CollectedArtifactFiles,
  type CollectedFile,
} from './collect.ts';
export { compressionLevel, type DeflateLevel } from './compression-level.ts';
export { artifactFilename } from './artifact-filename.ts';
export {
  createArtifactArchive,
  type ArchiveProgress,
  type CreateArtifactArchiveOptions,
} from './archive.ts';
export { fflateRawDeflater, type RawDeflater, type RawDeflateStream } from './raw-deflater.ts';
export { fflateRawInflater, type RawInflater } from './raw-inflater.ts';
export {
  DEFAULT_EXTRACT_LIMITS,
  extractArtifactArchive,
  type ExtractArtifactArchiveOptions,
  type ExtractedArchive,
  type ExtractLimits,
  type ExtractProgress,
  type FileChecksum,
} from './extract.ts';
export {
  planArtifactUploads,
  type JobOutcome,
  type PlannedUpload,
  type UploadPlan,
} from './upload-plan.ts';
export {
  uploadArtifacts,
  type UploadArtifactsOptions,
  type UploadArtifactsResult,
  type UploadedArtifact,
} from './upload.ts';
export {
  downloadDependencies,
  type DownloadDependenciesOptions,
  type DownloadedDependency,
} from './download.ts';
export { helperLogLine, type HelperLogLevel } from './helper-log-line.ts';
export type { ArtifactProgress, ArtifactTransferPhase } from './transfer-progress.ts';
export {
  PROGRESS_INTERVAL_MS,
  throttleProgress,
  type ThrottleProgressOptions,
} from './throttle-progress.ts';
export {
  ArchiveFormatError,
  ArchiveLimitError,
  ArtifactUploadError,
  CorruptArchiveError,
  DependencyDownloadError,
  GlobPatternError,
  MissingDependencyError,
  UnsafeArchiveEntryError,
  type ArchiveLimit,
  type UploadFailureKind,
} from './errors.ts';
