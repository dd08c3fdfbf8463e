/**
 * Runner settings a job controls through its variables (docs/runner-protocol.md §10.4), with
 * GitLab's defaults and clamps. Invalid values fall back to the default with a warning, and so
 * do settings tabrunner does not support: the trace says so instead of silently ignoring them.
 */
import type { JobPayload } from '../gitlab/job-payload.ts';
import { formatGoDuration, parseGoDuration } from './go-duration.ts';

/** The Go runner's job timeout when `runner_info.timeout` is not positive (docs/runner-protocol.md §4.4). */
export const DEFAULT_JOB_TIMEOUT_SECONDS = 7200;
/** `RUNNER_AFTER_SCRIPT_TIMEOUT` default (docs/runner-protocol.md §10.4). */
export const DEFAULT_AFTER_SCRIPT_TIMEOUT_SECONDS = 300;

export type GitStrategy = 'clone' | 'fetch' | 'none' | 'empty';
export type SubmoduleStrategy = 'none' | 'normal' | 'recursive';

export interface JobSettings {
  gitStrategy: GitStrategy;
  /** False for `none`/`empty` whatever `GIT_CHECKOUT` says. */
  gitCheckout: boolean;
  /** Shallow depth from `git_info.depth` (the server applies `GIT_DEPTH`); 0 = full. */
  gitDepth: number;
  /** Arguments of `git clean` after checkout; empty = no clean. */
  gitCleanFlags: string[];
  /** Extra `git fetch` arguments. */
  gitFetchExtraFlags: string[];
  /** Always `none` in tabrunner (see warnings). */
  gitSubmoduleStrategy: SubmoduleStrategy;
  gitLfsSkipSmudge: boolean;
  /** `CI_DEBUG_TRACE`: trace each command; also sets `debug_trace` on trace patches. */
  debugTrace: boolean;
  /** Job timeout in seconds (docs/runner-protocol.md §12.2). */
  jobTimeoutSeconds: number;
  /** Bound for the user steps (`RUNNER_SCRIPT_TIMEOUT`), ≤ job timeout; null when unset. */
  scriptTimeoutSeconds: number | null;
  /** Bound for after_script (`RUNNER_AFTER_SCRIPT_TIMEOUT`, default 5 min), ≤ job timeout. */
  afterScriptTimeoutSeconds: number;
  /** `AFTER_SCRIPT_IGNORE_ERRORS` (default true): after_script failure is only a warning. */
  afterScriptIgnoreErrors: boolean;
  /** `*_ATTEMPTS`, each 1–10. */
  attempts: {
    getSources: number;
    artifactDownload: number;
    restoreCache: number;
    executorJobSection: number;
  };
  /** Timestamped trace (docs/runner-protocol.md §9.6): `FF_TIMESTAMPS`, on by default as in GitLab's current runner. */
  timestamps: boolean;
  /**
   * `FF_SCRIPT_SECTIONS` (default false, as in GitLab's runner): fold each multi-line command in
   * a section of its own; otherwise it is echoed as its first line (docs/runner-protocol.md §9.3, §9.5).
   */
  scriptSections: boolean;
}

export interface SettingsResult {
  settings: JobSettings;
  /** Sentences to print as `WARNING:` lines in the trace. */
  warnings: string[];
}

/** Effective job timeout in seconds: `runner_info.timeout`, or 7200 when ≤ 0 (docs/runner-protocol.md §4.4). */
export function jobTimeoutSeconds(payload: JobPayload): number {
  const t = payload.runner_info.timeout;
  return t > 0 ? t : DEFAULT_JOB_TIMEOUT_SECONDS;
}

const splitFlags = (value: string) => value.split(/\s+/).filter(Boolean);

/** Go's `strconv.ParseBool`, for feature flags and boolean settings. */
export function parseBool(value: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  return undefined;
}

/**
 * Read the settings. `value(key)` gives a variable's expanded value (`VariableList.value`), or
 * undefined when the job does not set it.
 */
export function readSettings(
  payload: JobPayload,
  value: (key: string) => string | undefined,
): SettingsResult {
  const warnings: string[] = [];
  const set = (key: string) => {
    const v = value(key);
    return v === undefined || v === '' ? undefined : v;
  };
  const bool = (key: string, fallback: boolean): boolean => {
    const raw = set(key);
    if (raw === undefined) return fallback;
    const parsed = parseBool(raw);
    if (parsed === undefined) {
      warnings.push(`${key}="${raw}" is not a boolean; using ${fallback}.`);
      return fallback;
    }
    return parsed;
  };

  const defaultStrategy: GitStrategy = payload.allow_git_fetch ? 'fetch' : 'clone';
  let gitStrategy: GitStrategy = defaultStrategy;
  const strategy = set('GIT_STRATEGY');
  if (strategy !== undefined) {
    if (['clone', 'fetch', 'none', 'empty'].includes(strategy))
      gitStrategy = strategy as GitStrategy;
    else
      warnings.push(
        `GIT_STRATEGY="${strategy}" is not one of clone, fetch, none, empty; using ${defaultStrategy}.`,
      );
  }
  let gitCheckout = bool('GIT_CHECKOUT', true);
  if (gitStrategy === 'none' || gitStrategy === 'empty') gitCheckout = false;

  const clean = set('GIT_CLEAN_FLAGS');
  const fetchFlags = set('GIT_FETCH_EXTRA_FLAGS');

  const submodules = set('GIT_SUBMODULE_STRATEGY');
  if (submodules !== undefined && submodules !== 'none') {
    warnings.push(
      ['normal', 'recursive'].includes(submodules)
        ? `GIT_SUBMODULE_STRATEGY=${submodules} is not supported by tabrunner; submodules are not fetched.`
        : `GIT_SUBMODULE_STRATEGY="${submodules}" is not one of none, normal, recursive; submodules are not fetched.`,
    );
  }
  const lfsSkip = bool('GIT_LFS_SKIP_SMUDGE', false);
  if (set('GIT_LFS_SKIP_SMUDGE') !== undefined && !lfsSkip) {
    warnings.push('Git LFS is not supported by tabrunner; LFS files stay pointer files.');
  }
  for (const key of ['GIT_CLONE_PATH', 'GIT_CLONE_EXTRA_FLAGS', 'GIT_SUBMODULE_PATHS']) {
    if (set(key) !== undefined)
      warnings.push(`${key} is not supported by tabrunner and is ignored.`);
  }

  const jobTimeout = jobTimeoutSeconds(payload);
  const timeout = (key: string, fallback: number | null): number | null => {
    const raw = set(key);
    let seconds = fallback;
    if (raw !== undefined) {
      const ms = parseGoDuration(raw);
      if (ms === undefined || ms <= 0) {
        warnings.push(
          `${key}="${raw}" is not a positive duration such as 10m or 1h30m; ignoring it.`,
        );
      } else {
        seconds = ms / 1000;
      }
    }
    if (seconds !== null && seconds > jobTimeout) {
      if (raw !== undefined) {
        warnings.push(
          `${key} (${formatGoDuration(seconds * 1000)}) is longer than the job timeout; using the job timeout (${formatGoDuration(jobTimeout * 1000)}).`,
        );
      }
      seconds = jobTimeout;
    }
    return seconds;
  };

  const attempts = (key: string): number => {
    const raw = set(key);
    if (raw === undefined) return 1;
    const n = /^[+-]?\d+$/.test(raw) ? Number(raw) : NaN;
    if (Number.isNaN(n)) {
      warnings.push(`${key}="${raw}" is not a number; using 1.`);
      return 1;
    }
    if (n < 1 || n > 10) {
      const clamped = Math.min(10, Math.max(1, n));
      warnings.push(`${key}=${n} is outside 1–10; using ${clamped}.`);
      return clamped;
    }
    return n;
  };

  const settings: JobSettings = {
    gitStrategy,
    gitCheckout,
    gitDepth: Math.max(0, payload.git_info.depth),
    gitCleanFlags: clean === undefined ? ['-ffdx'] : clean === 'none' ? [] : splitFlags(clean),
    gitFetchExtraFlags:
      fetchFlags === undefined
        ? ['--prune', '--quiet']
        : fetchFlags === 'none'
          ? []
          : splitFlags(fetchFlags),
    gitSubmoduleStrategy: 'none',
    gitLfsSkipSmudge: lfsSkip,
    debugTrace: bool('CI_DEBUG_TRACE', false),
    jobTimeoutSeconds: jobTimeout,
    scriptTimeoutSeconds: timeout('RUNNER_SCRIPT_TIMEOUT', null),
    afterScriptTimeoutSeconds:
      timeout('RUNNER_AFTER_SCRIPT_TIMEOUT', DEFAULT_AFTER_SCRIPT_TIMEOUT_SECONDS) ??
      DEFAULT_AFTER_SCRIPT_TIMEOUT_SECONDS,
    afterScriptIgnoreErrors: bool('AFTER_SCRIPT_IGNORE_ERRORS', true),
    attempts: {
      getSources: attempts('GET_SOURCES_ATTEMPTS'),
      artifactDownload: attempts('ARTIFACT_DOWNLOAD_ATTEMPTS'),
      restoreCache: attempts('RESTORE_CACHE_ATTEMPTS'),
      executorJobSection: attempts('EXECUTOR_JOB_SECTION_ATTEMPTS'),
    },
    timestamps: bool('FF_TIMESTAMPS', true),
    scriptSections: bool('FF_SCRIPT_SECTIONS', false),
  };
  return { settings, warnings };
}
