/**
 * The job's variables as the Go runner builds them (docs/runner-protocol.md §10.1, §10.2):
 * runner-added values around the payload's list, in GitLab's precedence order, "last wins",
 * one-level `$VAR` expansion (docs/runner-protocol.md §10.3) and file variables that expand to their path.
 */
import type { JobPayload, JobVariable } from '../gitlab/job-payload.ts';
import { expandVariables } from './expand.ts';
import { maskingPhrases } from './masker.ts';
import { jobTimeoutSeconds, parseBool } from './settings.ts';

/** What the runner knows that the payload does not. */
export interface RunnerContext {
  /** Root of all builds inside the sandbox, e.g. `/builds` (`CI_BUILDS_DIR`). */
  buildsDir: string;
  /** The runner's short token (`shortToken(token)`), never the token. */
  shortToken: string;
  /** tabrunner's version and revision (`CI_RUNNER_VERSION`, `CI_RUNNER_REVISION`). */
  version: string;
  revision: string;
  /** `<os>/<arch>` for `CI_RUNNER_EXECUTABLE_ARCH`, e.g. `browser/wasm`. */
  executableArch: string;
  /**
   * The environment survives between jobs (`CI_SHARED_ENVIRONMENT=true`, as shell/ssh), or is
   * fresh per job (`CI_DISPOSABLE_ENVIRONMENT=true`). @default false
   */
  sharedEnvironment?: boolean;
  /** Feature flag defaults; the job's own `FF_*` variables override them (docs/runner-protocol.md §10.2). */
  featureFlags?: Record<string, boolean>;
  /** Runner config `environment` entries, `KEY=value`. */
  environment?: string[];
  /** Slot numbers (`CI_CONCURRENT_ID`, `CI_CONCURRENT_PROJECT_ID`). @default 0 */
  concurrentId?: number;
  concurrentProjectId?: number;
}

/** A file variable to write before the job: `path` is what the variable holds. */
export interface FileVariable {
  key: string;
  path: string;
  content: string;
}

const runnerVariable = (key: string, value: string): JobVariable => ({
  key,
  value,
  public: true,
  file: false,
  masked: false,
  raw: false,
});

export class VariableList {
  readonly #vars: readonly JobVariable[];
  readonly #tempDir: string;

  /** `tempDir` is `RUNNER_TEMP_PROJECT_DIR`, where file variables are written. */
  constructor(vars: readonly JobVariable[], { tempDir }: { tempDir: string }) {
    this.#vars = vars;
    this.#tempDir = tempDir;
  }

  /** Every entry in precedence order, duplicates included, values unexpanded. */
  all(): readonly JobVariable[] {
    return this.#vars;
  }

  /** The last definition of `key` (unexpanded), as GitLab's lookups do. */
  get(key: string): JobVariable | undefined {
    for (let i = this.#vars.length - 1; i >= 0; i--) {
      const v = this.#vars[i];
      if (v?.key === key) return v;
    }
    return undefined;
  }

  /** The value a script sees for `key`: expanded, or the path for a file variable. */
  value(key: string): string | undefined {
    const v = this.get(key);
    if (!v) return undefined;
    return v.file ? this.filePath(key) : this.#expand(v);
  }

  /** Where a file variable's content is written. */
  filePath(key: string): string {
    return `${this.#tempDir}/${key}`;
  }

  /** Expand `text` with these variables (cache keys, image names, `release` lines, docs/runner-protocol.md §10.3). */
  expand(text: string): string {
    return expandVariables(text, (name) => this.#lookup(name));
  }

  /** Every entry with its value expanded (raw ones untouched; file ones keep their content). */
  expanded(): JobVariable[] {
    return this.#vars.map((v) => ({ ...v, value: this.#expand(v) }));
  }

  /** The environment of a step: last definition wins, expanded, file variables as paths. */
  toEnv(): Record<string, string> {
    const env: Record<string, string> = {};
    for (const v of this.#vars) env[v.key] = v.file ? this.filePath(v.key) : this.#expand(v);
    return env;
  }

  /** File variables to write (the last definition of each key), content expanded unless raw. */
  fileVariables(): FileVariable[] {
    const byKey = new Map<string, FileVariable>();
    for (const v of this.#vars) {
      if (v.file)
        byKey.set(v.key, { key: v.key, path: this.filePath(v.key), content: this.#expand(v) });
      else byKey.delete(v.key);
    }
    return [...byKey.values()];
  }

  /** Values to mask: masked variables after expansion and, when given, the job token (docs/runner-protocol.md §9.8). */
  masked(jobToken?: string): string[] {
    return maskingPhrases(this.expanded(), jobToken ? { jobToken } : {});
  }

  /** A new list with `vars` appended (they win), e.g. `CI_JOB_STATUS` before after_script. */
  with(vars: readonly JobVariable[]): VariableList {
    return new VariableList([...this.#vars, ...vars], { tempDir: this.#tempDir });
  }

  #lookup(name: string): string | undefined {
    const v = this.get(name);
    if (!v) return undefined;
    return v.file ? this.filePath(name) : v.value;
  }

  #expand(v: JobVariable): string {
    return v.raw ? v.value : this.expand(v.value);
  }
}

/** `CI_JOB_STATUS` for after_script (docs/runner-protocol.md §10.1). */
export function jobStatusVariable(
  status: 'running' | 'success' | 'failed' | 'canceled' | 'timedout',
): JobVariable {
  return runnerVariable('CI_JOB_STATUS', status);
}

/**
 * The job's full variable list in GitLab's order (docs/runner-protocol.md §10.2): feature flags → runner defaults →
 * the payload's variables (without `FF_*`) → values the job may not override.
 */
export function buildJobVariables(payload: JobPayload, runner: RunnerContext): VariableList {
  const fromPayload = payload.variables.filter((v) => !v.key.startsWith('FF_'));
  const flags = { ...runner.featureFlags };
  for (const v of payload.variables) {
    const parsed = v.key.startsWith('FF_') ? parseBool(v.value) : undefined;
    if (parsed !== undefined) flags[v.key] = parsed;
  }

  const projectPath =
    payload.job_info.project_full_path ||
    lastValue(payload.variables, 'CI_PROJECT_PATH') ||
    `project-${payload.job_info.project_id}`;
  const strategy = lastValue(payload.variables, 'GIT_STRATEGY');
  const projectDir =
    `${runner.buildsDir.replace(/\/+$/, '')}/${projectPath}` +
    (strategy === 'empty' ? '-empty' : '');
  const tempDir = `${projectDir}.tmp`;

  const vars: JobVariable[] = [
    ...Object.entries(flags).map(([k, v]) => runnerVariable(k, String(v))),
  ];
  if (payload.image?.name) vars.push(runnerVariable('CI_JOB_IMAGE', payload.image.name));
  vars.push(runnerVariable('CI_RUNNER_SHORT_TOKEN', runner.shortToken));
  for (const entry of runner.environment ?? []) {
    const eq = entry.indexOf('=');
    if (eq > 0) vars.push(runnerVariable(entry.slice(0, eq), entry.slice(eq + 1)));
  }
  vars.push(
    runnerVariable('CI_BUILDS_DIR', runner.buildsDir),
    runnerVariable('CI_PROJECT_DIR', projectDir),
    runnerVariable('CI_CONCURRENT_ID', String(runner.concurrentId ?? 0)),
    runnerVariable('CI_CONCURRENT_PROJECT_ID', String(runner.concurrentProjectId ?? 0)),
    runnerVariable('CI_SERVER', 'yes'),
    runnerVariable('CI_JOB_STATUS', 'running'),
    runnerVariable('CI_JOB_TIMEOUT', String(jobTimeoutSeconds(payload))),
    runnerVariable('GITLAB_ENV', `${tempDir}/gitlab_runner_env`),
    ...fromPayload,
    runner.sharedEnvironment
      ? runnerVariable('CI_SHARED_ENVIRONMENT', 'true')
      : runnerVariable('CI_DISPOSABLE_ENVIRONMENT', 'true'),
    runnerVariable('CI_RUNNER_VERSION', runner.version),
    runnerVariable('CI_RUNNER_REVISION', runner.revision),
    runnerVariable('CI_RUNNER_EXECUTABLE_ARCH', runner.executableArch),
    runnerVariable('RUNNER_TEMP_PROJECT_DIR', tempDir),
  );
  return new VariableList(vars, { tempDir });
}

function lastValue(vars: readonly JobVariable[], key: string): string | undefined {
  return vars.findLast((v) => v.key === key)?.value;
}
