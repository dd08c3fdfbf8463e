/**
 * A job as a pipeline description gives it (GitLab's own keyword names, after `extends`,
 * `default` and `rules` are resolved), and its conversion into the emulator's `Job`: steps as
 * GitLab builds them (docs/runner-protocol.md §4.6), artifact entries (docs/runner-protocol.md §4.8), cache entries (docs/runner-protocol.md §4.9), and the runner
 * features the job requires (`Ci::Build::RUNNER_FEATURES`, docs/runner-protocol.md §3.1.1).
 */
import type { ArtifactSpec, Job, JobVariableSpec } from '../model.ts';
import { ARTIFACT_REPORTS } from './artifact-reports.ts';
import { cacheDefinitions, type CacheDefinition } from './cache-spec.ts';
import { CiConfigError } from './ci-config-error.ts';
import { parseDuration } from './duration.ts';
import { jobEnvironment, type EnvironmentKeyword } from './environment.ts';
import { retryOptions, type RetryKeyword } from './retry-keyword.ts';

/** A variable as configs write it: a string or number, or `{ value, description, expand }`. */
export type VariableValue =
  string | number | { value?: string | number; expand?: boolean; description?: string };

export interface ImageKeyword {
  name: string;
  entrypoint?: string[];
  [key: string]: unknown;
}

export interface ArtifactsKeyword {
  name?: string;
  paths?: string[];
  exclude?: string[];
  untracked?: boolean;
  when?: 'on_success' | 'on_failure' | 'always';
  expire_in?: string;
  reports?: Record<string, string | string[] | { coverage_format: string; path: string }>;
}

/** Checked in `cacheDefinitions`: configs give anything here. */
export interface CacheKeyword {
  key?: string | { files: string[]; prefix?: string };
  paths?: string[];
  untracked?: boolean;
  unprotect?: boolean;
  policy?: string;
  when?: string;
  fallback_keys?: string[];
}

export type NeedKeyword = string | { job: string; artifacts?: boolean; optional?: boolean };

/** One job of a JSON pipeline description. Keyword names and shapes are GitLab's. */
export interface JobSpecJson {
  name: string;
  /** Default `test`. */
  stage?: string;
  script?: string | string[];
  before_script?: string | string[];
  after_script?: string | string[];
  tags?: string[];
  /** Seconds or a duration string. Default 3600 (the project timeout). */
  timeout?: string | number;
  allow_failure?: boolean | { exit_codes: number | number[] };
  when?: Job['when'];
  /** Absent: wait for earlier stages. */
  needs?: NeedKeyword[];
  /** Absent: artifacts of every earlier-stage job (or of `needs`). */
  dependencies?: string[];
  variables?: Record<string, VariableValue> | JobVariableSpec[];
  image?: string | ImageKeyword;
  services?: (string | ImageKeyword)[];
  artifacts?: ArtifactsKeyword;
  cache?: CacheKeyword | CacheKeyword[];
  environment?: EnvironmentKeyword;
  /** Automatic retries of a failed job (retry-keyword.ts). Default none. */
  retry?: RetryKeyword;
  /**
   * Which of a parallel job's instances this is (set by `parallel:` expansion, GitLab's
   * `options[:instance]` and `parallel.total`): `CI_NODE_INDEX` and `CI_NODE_TOTAL`.
   */
  instance?: { index: number; total: number };
  /** Raw payload fields merged last at pickup (tests of malformed payloads). */
  payload_overrides?: Record<string, unknown>;
}

/** Default project timeout (`build_timeout`), 60 minutes. */
export const DEFAULT_TIMEOUT = 3600;

/** Script lines: strings, or nested arrays flattened as GitLab does. */
export function scriptLines(value: unknown, path: string): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return [value];
  if (!Array.isArray(value))
    throw new CiConfigError(path, 'should be a string or an array of strings');
  return value.flatMap((line: unknown) => {
    if (Array.isArray(line)) return scriptLines(line, path);
    if (typeof line === 'string' || typeof line === 'number') return [String(line)];
    throw new CiConfigError(path, 'should be a string or a nested array of strings');
  });
}

/** Config variables as the payload's `variables[]` entries (config variables are public). */
export function configVariables(value: JobSpecJson['variables'], path: string): JobVariableSpec[] {
  if (!value) return [];
  if (Array.isArray(value)) return value;
  return Object.entries(value).map(([key, raw]) => {
    if (typeof raw === 'string' || typeof raw === 'number') {
      return { key, value: String(raw), public: true };
    }
    if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
      return {
        key,
        value: raw.value === undefined ? '' : String(raw.value),
        public: true,
        ...(raw.expand === false ? { raw: true } : {}),
      };
    }
    throw new CiConfigError(`${path}:${key}`, 'should be a string or a hash with a value');
  });
}

/** The parts of a `Job` a spec determines; the pipeline creator adds ids and runtime state. */
export type JobDefinition = Pick<
  Job,
  | 'name'
  | 'stage'
  | 'tags'
  | 'allowFailure'
  | 'allowFailureExitCodes'
  | 'when'
  | 'timeout'
  | 'steps'
  | 'variables'
  | 'image'
  | 'services'
  | 'artifacts'
  | 'needs'
  | 'environment'
  | 'parallel'
  | 'retry'
  | 'requiredFeatures'
  | 'payloadOverrides'
> & {
  explicitDependencies: string[] | null;
  needsArtifacts: string[] | null;
  /** `key: files:` is hashed once the pipeline's commit is known (`resolveCacheKeys`). */
  cache: CacheDefinition[];
};

/** Turn a job spec into the job's definition. `mergeRequest` adds the `refspecs` requirement. */
export function defineJob(spec: JobSpecJson, mergeRequest: boolean): JobDefinition {
  const path = `jobs:${spec.name}`;
  const script = [
    ...scriptLines(spec.before_script, `${path}:before_script`),
    ...scriptLines(spec.script, `${path}:script`),
  ];
  if (scriptLines(spec.script, `${path}:script`).length === 0) {
    throw new CiConfigError(path, 'config should implement the script: keyword');
  }
  const afterScript = scriptLines(spec.after_script, `${path}:after_script`);
  const timeout = spec.timeout === undefined ? DEFAULT_TIMEOUT : parseDuration(spec.timeout);
  if (timeout === null || timeout <= 0) {
    throw new CiConfigError(`${path}:timeout`, 'config should be a duration');
  }

  const exitCodes =
    typeof spec.allow_failure === 'object' ? [spec.allow_failure.exit_codes].flat() : [];
  const when = spec.when ?? 'on_success';
  // `allow_failure: { exit_codes }` leaves the job failing unless the exit code matches.
  const allowFailure =
    typeof spec.allow_failure === 'boolean' ? spec.allow_failure : when === 'manual';

  const steps: Job['steps'] = [
    { name: 'script', script, timeout, when: 'on_success', allowFailure: false },
  ];
  if (afterScript.length > 0) {
    steps.push({
      name: 'after_script',
      script: afterScript,
      timeout,
      when: 'always',
      allowFailure: true,
    });
  }

  const artifacts = artifactEntries(spec.artifacts, path);
  const retry = retryOptions(spec.retry, path);
  const cache = cacheDefinitions(spec.cache, path);
  const needs = spec.needs?.map((need) => (typeof need === 'string' ? need : need.job)) ?? null;
  const needsArtifacts =
    spec.needs
      ?.filter((need) => typeof need === 'string' || need.artifacts !== false)
      .map((need) => (typeof need === 'string' ? need : need.job)) ?? null;

  const requiredFeatures: string[] = [];
  if (mergeRequest) requiredFeatures.push('refspecs');
  if (artifacts.some((a) => a.artifactType !== 'archive')) {
    requiredFeatures.push('upload_multiple_artifacts');
  }
  if (artifacts.some((a) => a.exclude.length > 0)) requiredFeatures.push('artifacts_exclude');
  if (steps.some((s) => s.name !== 'script' && s.name !== 'after_script')) {
    requiredFeatures.push('multi_build_steps');
  }
  if (exitCodes.length > 0) requiredFeatures.push('return_exit_code');
  if (cache.some((c) => c.fallbackKeys.length > 0)) requiredFeatures.push('fallback_cache_keys');

  return {
    name: spec.name,
    stage: spec.stage ?? 'test',
    tags: spec.tags ?? [],
    allowFailure,
    allowFailureExitCodes: exitCodes,
    when,
    timeout,
    steps,
    variables: configVariables(spec.variables, `${path}:variables`),
    image: image(spec.image),
    services: (spec.services ?? []).map((s) => image(s) as Job['services'][number]),
    artifacts,
    cache,
    needs,
    environment: jobEnvironment(spec.environment, path),
    ...(spec.instance ? { parallel: spec.instance } : {}),
    ...(retry ? { retry } : {}),
    requiredFeatures,
    payloadOverrides: spec.payload_overrides ?? null,
    explicitDependencies: spec.dependencies ?? null,
    needsArtifacts,
  };
}

function image(value: string | ImageKeyword | undefined): Job['image'] {
  if (value === undefined) return null;
  return typeof value === 'string' ? { name: value } : value;
}

/** One `archive` entry for paths/untracked, plus one per report (docs/runner-protocol.md §4.8). */
function artifactEntries(value: ArtifactsKeyword | undefined, path: string): ArtifactSpec[] {
  if (!value) return [];
  const entries: ArtifactSpec[] = [];
  const expireIn = value.expire_in ?? '';
  if (expireIn && expireIn !== 'never' && parseDuration(expireIn) === null) {
    throw new CiConfigError(`${path}:artifacts:expire_in`, 'should be a duration');
  }
  if ((value.paths?.length ?? 0) > 0 || value.untracked) {
    entries.push({
      name: value.name ?? '',
      untracked: value.untracked ?? false,
      paths: value.paths ?? [],
      exclude: value.exclude ?? [],
      when: value.when ?? 'on_success',
      artifactType: 'archive',
      artifactFormat: 'zip',
      expireIn,
    });
  }
  for (const [type, report] of Object.entries(value.reports ?? {})) {
    const isCoverage = type === 'coverage_report';
    const coverage =
      isCoverage && typeof report === 'object' && !Array.isArray(report) ? report : null;
    const actualType = coverage ? coverage.coverage_format : type;
    const known = ARTIFACT_REPORTS[actualType];
    if (!known)
      throw new CiConfigError(`${path}:artifacts:reports`, `config contains unknown keys: ${type}`);
    const paths = coverage ? [coverage.path] : [report as string | string[]].flat();
    entries.push({
      name: known.file,
      untracked: false,
      paths,
      exclude: [],
      when: 'always',
      artifactType: actualType,
      artifactFormat: known.format,
      expireIn,
    });
  }
  return entries;
}
