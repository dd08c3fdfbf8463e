/**
 * Which `artifacts[]` entries a finished job uploads and how (docs/runner-protocol.md §8.1, §9.4, §10.5): the entries
 * whose `when` matches the outcome, the section they run in, the file name and query of each
 * upload. Pure: no files, no network.
 */
import type { JobArtifact } from '../gitlab/index.ts';
import { artifactFilename } from './artifact-filename.ts';

/** How the job went before artifacts: the user script (and after_script) outcome. */
export type JobOutcome = 'success' | 'failure';

/** One upload to make. */
export interface PlannedUpload {
  /** The payload entry, unexpanded (`collectArtifactFiles` expands paths and excludes). */
  artifact: JobArtifact;
  /** Multipart file name, e.g. `artifacts.zip`, `my-build.zip`, `junit.xml.gz`. */
  filename: string;
  /** `artifact_type`, `artifact_format` and `expire_in` as sent: only the non-empty ones. */
  query: Record<string, string>;
}

export interface UploadPlan {
  /** Section name (docs/runner-protocol.md §9.4). */
  section: 'upload_artifacts_on_success' | 'upload_artifacts_on_failure';
  /** The bold cyan header printed inside the section (docs/runner-protocol.md §9.4). */
  header: 'Uploading artifacts for successful job' | 'Uploading artifacts for failed job';
  uploads: PlannedUpload[];
}

/** The Go helper's `--name` default, used when the payload gives no name. */
const DEFAULT_NAME = 'artifacts';

/**
 * Plan the uploads for `outcome`, or `null` when there is nothing to upload (then the runner
 * prints no section at all, docs/runner-protocol.md §9.4). `when`: `on_success` (also when empty), `on_failure`,
 * `always`. Entries with no paths, no exclude and `untracked: false` are skipped, as the Go
 * runner skips them. `expand` expands `$VAR` in the name with the job's variables.
 */
export function planArtifactUploads(
  artifacts: readonly JobArtifact[],
  outcome: JobOutcome,
  expand: (value: string) => string,
): UploadPlan | null {
  const uploads: PlannedUpload[] = [];
  for (const artifact of artifacts) {
    if (!whenMatches(artifact.when, outcome)) continue;
    if (artifact.paths.length === 0 && artifact.exclude.length === 0 && !artifact.untracked) {
      continue;
    }
    const name = artifact.name === '' ? DEFAULT_NAME : expand(artifact.name);
    const query: Record<string, string> = {};
    if (artifact.expire_in) query['expire_in'] = artifact.expire_in;
    if (artifact.artifact_format) query['artifact_format'] = artifact.artifact_format;
    if (artifact.artifact_type) query['artifact_type'] = artifact.artifact_type;
    uploads.push({ artifact, filename: artifactFilename(name, artifact.artifact_format), query });
  }
  if (uploads.length === 0) return null;
  return outcome === 'success'
    ? {
        section: 'upload_artifacts_on_success',
        header: 'Uploading artifacts for successful job',
        uploads,
      }
    : {
        section: 'upload_artifacts_on_failure',
        header: 'Uploading artifacts for failed job',
        uploads,
      };
}

function whenMatches(when: string, outcome: JobOutcome): boolean {
  switch (when) {
    case 'always':
      return true;
    case 'on_failure':
      return outcome === 'failure';
    case '':
    case 'on_success':
      return outcome === 'success';
    default:
      // An unknown `when` from a newer GitLab: upload on success, the documented default.
      return outcome === 'success';
  }
}
