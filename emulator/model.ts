/**
 * The emulator's state: runners, projects, pipelines and jobs, as GitLab keeps them
 * (docs/runner-protocol.md §13). Plain data and a few transitions; HTTP lives in `api/`,
 * git hosting in `git/`, pipeline creation in `pipelines/`.
 *
 * Everything here is in memory and lost when the emulator stops, which is what tests want;
 * `npm start` saves and restores it with emulator/persist.ts so an open tab survives a restart.
 */

/** A job's states, listed once for the type and for the saved state's schema (persist.ts). */
export const JOB_STATUSES = [
  'created', // waiting for earlier stages
  'pending', // queued for a runner
  'running',
  'success',
  'failed',
  'canceling',
  'canceled',
  'skipped',
  'manual',
] as const;

export type JobStatus = (typeof JOB_STATUSES)[number];

/**
 * A pipeline's states. `manual`: a blocking manual job holds the rest back (GitLab's API
 * status; its page says "blocked", `Ci::Pipeline#blocked?`).
 */
export const PIPELINE_STATUSES = [
  'created',
  'pending',
  'running',
  'success',
  'failed',
  'canceled',
  'skipped',
  'manual',
] as const;

export const FINISHED_STATUSES: readonly JobStatus[] = ['success', 'failed', 'canceled', 'skipped'];

export interface RunnerManager {
  systemId: string;
  /** The `info` object last sent by this manager (verify, jobs/request, PUT). */
  info: Record<string, unknown>;
  /** `info.features` as booleans: GitLab's `runtime_features`. */
  features: Record<string, boolean>;
  contactedAt: number;
}

export interface Runner {
  id: number;
  /** `glrt-…` for runners created through the admin API, 20 chars for legacy registration. */
  token: string;
  tokenExpiresAt: string | null;
  kind: 'legacy' | 'authentication';
  description: string;
  tags: string[];
  runUntagged: boolean;
  paused: boolean;
  locked: boolean;
  accessLevel: 'not_protected' | 'ref_protected';
  maximumTimeout: number | null;
  managers: Map<string, RunnerManager>;
  /** Opaque queue version: GitLab's `runner:build_queue:<token>` value (docs/runner-protocol.md §3.2, §3.3). */
  queueVersion: string;
  /** GitLab's `runner_type`; absent means `instance_type` (runs jobs of every project). */
  runnerType?: 'instance_type' | 'group_type' | 'project_type';
  /** Projects a `project_type` runner may run jobs for; absent or null means all. */
  projectIds?: number[] | null;
  /** Optional `maintenance_note`. */
  maintenanceNote?: string;
}

export interface Project {
  id: number;
  /** Path segment, e.g. `demo`. */
  path: string;
  /** `group/demo`. */
  fullPath: string;
  name: string;
  namespaceId: number;
  /** Absolute path of the bare repository served by `git http-backend`. */
  gitDir: string;
  defaultBranch: string;
  /** Project variables, added to every job of the project. */
  variables: JobVariableSpec[];
  /** Default clone depth (`ci_default_git_depth`). */
  defaultGitDepth: number;
}

export interface JobVariableSpec {
  key: string;
  value: string;
  public?: boolean;
  file?: boolean;
  masked?: boolean;
  raw?: boolean;
}

export interface Pipeline {
  id: number;
  iid: number;
  projectId: number;
  /** Branch or tag name; for merge-request pipelines `refs/merge-requests/<iid>/head`. */
  ref: string;
  refType: 'branch' | 'tag';
  sha: string;
  beforeSha: string;
  source: 'push' | 'web' | 'api' | 'merge_request_event' | 'schedule' | 'trigger';
  mergeRequestIid: number | null;
  /** Pipeline-level variables (trigger or API variables). */
  variables: JobVariableSpec[];
  status: (typeof PIPELINE_STATUSES)[number];
  stages: string[];
  jobIds: number[];
  createdAt: number;
  /**
   * Why GitLab could not make jobs from the config (`yaml_errors`): such a pipeline is `failed`
   * with no jobs and shows this message, as GitLab shows a pipeline with a config error.
   */
  configError?: string;
}

export interface StepSpec {
  name: string;
  script: string[];
  timeout: number;
  when: 'on_success' | 'on_failure' | 'always';
  allowFailure: boolean;
}

export interface ArtifactSpec {
  name: string;
  untracked: boolean;
  paths: string[];
  exclude: string[];
  when: 'on_success' | 'on_failure' | 'always';
  artifactType: string;
  artifactFormat: string;
  expireIn: string;
}

export interface CacheSpec {
  /** As the runner gets it before the protected suffix: `key: files:` already hashed. */
  key: string;
  untracked: boolean;
  /** `cache:unprotect`: share the unprotected refs' cache even on a protected ref. */
  unprotect: boolean;
  policy: string;
  paths: string[];
  when: string;
  fallbackKeys: string[];
}

export interface StoredArtifact {
  artifactType: string;
  artifactFormat: string;
  filename: string;
  data: Uint8Array;
  /** Epoch ms, or null when it never expires. */
  expiresAt: number | null;
  uploadedAt: number;
}

/** A job's `environment:` as GitLab stores it (`tier` guessed from the name when not given). */
export interface JobEnvironment {
  name: string;
  url: string | null;
  action: string;
  tier: string;
}

export interface Job {
  id: number;
  pipelineId: number;
  projectId: number;
  name: string;
  stage: string;
  stageIndex: number;
  status: JobStatus;
  /** Job token (`glcbt-…`); valid only while the job runs. */
  token: string;
  tags: string[];
  /** `allow_failure` of the job (GitLab's, not the step's). */
  allowFailure: boolean;
  allowFailureExitCodes: number[];
  when: 'on_success' | 'on_failure' | 'always' | 'manual' | 'never';
  /** Effective timeout in seconds (`runner_info.timeout`). */
  timeout: number;
  steps: StepSpec[];
  /** Job-level variables as the pipeline config defined them (predefined ones are added at pickup). */
  variables: JobVariableSpec[];
  image: { name: string; entrypoint?: string[] } | null;
  services: { name: string; alias?: string }[];
  artifacts: ArtifactSpec[];
  cache: CacheSpec[];
  /** Names of jobs whose artifacts this job downloads (`dependencies:` / `needs:`). */
  dependencies: string[];
  /** Names of jobs this job waits for (`needs:`); null means "the previous stages". */
  needs: string[] | null;
  /** `environment:` of the job; null when it deploys nowhere. */
  environment: JobEnvironment | null;
  /** Which instance of a `parallel:` job this is (`CI_NODE_INDEX`, `CI_NODE_TOTAL`); absent otherwise. */
  parallel?: { index: number; total: number };
  /** Runner features the job needs (docs/runner-protocol.md §3.1.1 server-gated keys), e.g. `refspecs`. */
  requiredFeatures: string[];
  /** Extra raw payload fields for tests (e.g. a malformed payload); merged last at pickup. */
  payloadOverrides: Record<string, unknown> | null;

  runnerId: number | null;
  systemId: string | null;
  /** Two-phase commit: assigned but not yet accepted with `PUT state=running` (docs/runner-protocol.md §7.5). */
  awaitingAcceptance: boolean;
  trace: Uint8Array;
  failureReason: string | null;
  exitCode: number | null;
  /** Checksum the runner reported in its final update, and whether it matched. */
  reportedChecksum: string | null;
  artifactsStored: StoredArtifact[];
  queuedAt: number | null;
  startedAt: number | null;
  finishedAt: number | null;
  /** "Someone is watching the job page" until this time (epoch ms): interval 3 instead of 60. */
  watchedUntil: number;
  /** First time a final state was PUT while the trace was still "being persisted" (docs/runner-protocol.md §7.4). */
  pendingFinalSince: number | null;
  /**
   * Set when a retry replaced this job with a new one of the same name (GitLab's `retried`):
   * kept for its log, left out of the pipeline's status and of later stages' artifacts.
   */
  retried?: boolean;
  /**
   * `retry:` as GitLab keeps it (`options[:retry]`): up to `max` automatic retries of a failure
   * whose reason is in `when` (default `always`, or nothing when `exitCodes` is given) or whose
   * exit code is in `exitCodes`. Absent: no `retry:`.
   */
  retry?: { max?: number; when?: string[]; exitCodes?: number[] };
  /** How many jobs of this name the pipeline retried before this one (GitLab's `retries_count`). */
  retryCount?: number;
}
