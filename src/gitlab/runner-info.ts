/**
 * The `info` object sent with verify, register, jobs/request and every PUT job
 * (docs/runner-protocol.md §3.1), and the features tabrunner really supports (docs/runner-protocol.md §3.1.1, §14).
 *
 * Features are a promise to GitLab: it hands out jobs that need a feature only to runners that
 * advertise it (`upload_multiple_artifacts`, `refspecs`, `artifacts_exclude`, `multi_build_steps`,
 * `return_exit_code`, `fallback_cache_keys`, `vault_secrets`), and moves jobs to `canceling`
 * only for runners that advertise `cancel_gracefully`. So every key here is `false` unless the
 * whole of tabrunner honours it.
 */

/** All 31 keys the Go runner sends, always all of them, as booleans (docs/runner-protocol.md §3.1.1). */
export interface RunnerFeatures {
  variables: boolean;
  image: boolean;
  services: boolean;
  artifacts: boolean;
  cache: boolean;
  fallback_cache_keys: boolean;
  shared: boolean;
  upload_multiple_artifacts: boolean;
  upload_raw_artifacts: boolean;
  session: boolean;
  terminal: boolean;
  refspecs: boolean;
  masking: boolean;
  proxy: boolean;
  raw_variables: boolean;
  artifacts_exclude: boolean;
  multi_build_steps: boolean;
  trace_reset: boolean;
  trace_checksum: boolean;
  trace_size: boolean;
  vault_secrets: boolean;
  cancelable: boolean;
  return_exit_code: boolean;
  service_variables: boolean;
  service_multiple_aliases: boolean;
  image_executor_opts: boolean;
  service_executor_opts: boolean;
  cancel_gracefully: boolean;
  native_steps_integration: boolean;
  two_phase_job_commit: boolean;
  job_inputs: boolean;
}

export interface RunnerFeaturesOptions {
  /**
   * Whether `Job-Status` is readable (`client.headersReadable === true`). Without it the
   * `canceling` state is invisible, so `cancel_gracefully` must not be advertised (docs/runner-protocol.md §14.1).
   */
  headersReadable: boolean;
  /**
   * Artifacts upload (`artifacts`), one upload per `artifacts[]` entry including reports
   * (`upload_multiple_artifacts`) and `artifacts:exclude` (`artifacts_exclude`).
   * @default true
   */
  artifacts?: boolean;
  /** Uploading `artifact_format: raw` entries as the bare file. @default false */
  rawArtifacts?: boolean;
  /** `cache:` and `cache:fallback_keys` (every `Runner` has a cache store, docs/cache.md). @default true */
  cache?: boolean;
  /** Fetching `git_info.refspecs` (merge-request refs need it). @default true */
  refspecs?: boolean;
  /** `inputs` and `${{ job.inputs.X }}` interpolation. @default false */
  jobInputs?: boolean;
}

/**
 * The features tabrunner supports. Always true: `variables` (executors get the job's
 * variables), `masking` and `raw_variables` (src/job), `trace_reset`, `trace_checksum`,
 * `trace_size`, `cancelable`, `return_exit_code`, `two_phase_job_commit` (this client and the
 * trace sender). Always false: `image`, `services` and their options (no containers), `shared`
 * (each job gets a fresh in-memory workspace), `session`/`terminal`/`proxy` (no session server),
 * `multi_build_steps` (only script and after_script run), `vault_secrets`,
 * `native_steps_integration` (`run:` is not supported).
 */
export function runnerFeatures(options: RunnerFeaturesOptions): RunnerFeatures {
  const artifacts = options.artifacts ?? true;
  const cache = options.cache ?? true;
  return {
    variables: true,
    image: false,
    services: false,
    artifacts,
    cache,
    fallback_cache_keys: cache,
    shared: false,
    upload_multiple_artifacts: artifacts,
    upload_raw_artifacts: artifacts && (options.rawArtifacts ?? false),
    session: false,
    terminal: false,
    refspecs: options.refspecs ?? true,
    masking: true,
    proxy: false,
    raw_variables: true,
    artifacts_exclude: artifacts,
    multi_build_steps: false,
    trace_reset: true,
    trace_checksum: true,
    trace_size: true,
    vault_secrets: false,
    cancelable: true,
    return_exit_code: true,
    service_variables: false,
    service_multiple_aliases: false,
    image_executor_opts: false,
    service_executor_opts: false,
    cancel_gracefully: options.headersReadable,
    native_steps_integration: false,
    two_phase_job_commit: true,
    job_inputs: options.jobInputs ?? false,
  };
}

/** The wire form of `info` (docs/runner-protocol.md §3.1): empty strings are omitted, `config.gpus` always present. */
export interface RunnerInfo extends RunnerIdentity {
  features: RunnerFeatures;
  config: { gpus: string };
}

interface RunnerIdentity {
  name: 'tabrunner';
  version?: string;
  revision?: string;
  platform?: string;
  architecture?: string;
  executor?: string;
  shell?: string;
}

export interface RunnerInfoOptions {
  /** tabrunner's version, e.g. `0.1.0`. */
  version: string;
  /** Commit the build came from; may be empty. */
  revision: string;
  /** Executor name as GitLab shows it: `shell`, `webcontainer`. */
  executor: string;
  /** Shell the executor runs, e.g. `bash`. */
  shell?: string;
  /** e.g. `browser` or Node's `process.platform`; GitLab only stores it. */
  platform: string;
  /** e.g. `wasm`, `x64`, `arm64`. */
  architecture: string;
  features: RunnerFeatures;
}

/** Build the `info` object, named `tabrunner`, keys in the Go runner's order. */
export function runnerInfo(options: RunnerInfoOptions): RunnerInfo {
  const info: RunnerIdentity = { name: 'tabrunner' };
  if (options.version) info.version = options.version;
  if (options.revision) info.revision = options.revision;
  if (options.platform) info.platform = options.platform;
  if (options.architecture) info.architecture = options.architecture;
  if (options.executor) info.executor = options.executor;
  if (options.shell) info.shell = options.shell;
  return { ...info, features: { ...options.features }, config: { gpus: '' } };
}
