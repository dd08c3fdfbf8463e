/**
 * Payload → plan: what the runner will run for a job, decided before anything runs
 * (docs/runner-protocol.md §4.6, §4.7, §10, §12.2). Pure: the runner executes the plan.
 *
 * Decisions, each tested in plan.test.ts:
 * - User steps run in payload order (`script` is GitLab's before_script + script); other step
 *   names run as `step_<name>` like the Go runner does, with a warning.
 * - `release` needs GitLab's release-cli, which no tabrunner sandbox has: the job is refused
 *   before it starts (`runner_unsupported`) with a message saying so, rather than failing
 *   after the script ran.
 * - `run` (CI steps, step-runner) is refused the same way.
 * - `services:` are refused: the jobs that declare them need the service (a database, a
 *   registry) and would only fail later, more confusingly.
 * - Images: tabrunner runs everything in its own sandbox (Node and a POSIX shell). A Node image
 *   runs (with a warning if its Node version differs), a plain shell image (alpine, busybox,
 *   debian, ubuntu, bash) runs with a warning, any other image is refused: a job asking for
 *   `ruby:3.3` or `python:3.12` expects tools we do not have.
 * - Job timeout from `runner_info.timeout`, 7200 s when ≤ 0; script and after_script bounds
 *   from `RUNNER_SCRIPT_TIMEOUT` / `RUNNER_AFTER_SCRIPT_TIMEOUT`, clamped (settings.ts).
 */
import type { JobPayload } from '../gitlab/job-payload.ts';
import type { JobFailure } from './failure-reason.ts';
import { tokenPrefixes } from './masker.ts';
import { parseBool, readSettings, type JobSettings } from './settings.ts';
import {
  buildJobVariables,
  type FileVariable,
  type RunnerContext,
  type VariableList,
} from './variables.ts';

export interface PlanContext {
  /** Executor name as GitLab shows it, e.g. `webcontainer` or `shell`. */
  executor: string;
  /** Major Node version of the sandbox, e.g. `20`; undefined when it has no Node. */
  nodeVersion?: string;
  /** What the runner adds to the variables. */
  runner: RunnerContext;
}

export interface PlannedStep {
  /** Step name from the payload: `script`, or another name. */
  name: string;
  /** Its build stage and section name: `step_` + lowercase name (docs/runner-protocol.md §4.6). */
  section: string;
  /** Commands in order; each may span several lines. */
  lines: string[];
}

/** What to hide in the trace: pass to `createMasker`. Present even when a job is refused. */
export interface Masking {
  phrases: string[];
  tokenPrefixes: string[];
}

export interface JobPlan {
  kind: 'plan';
  /** User steps in payload order; the first failure stops them. */
  steps: PlannedStep[];
  /** after_script commands; empty means no after_script stage. */
  afterScript: string[];
  /** Pre/post get_sources hooks from the payload. */
  hooks: { preGetSources: string[]; postGetSources: string[] };
  variables: VariableList;
  /** The step environment (expanded, file variables as paths). */
  env: Record<string, string>;
  /** Files to write before the job (and remove in cleanup_file_variables). */
  fileVariables: FileVariable[];
  projectDir: string;
  settings: JobSettings;
  /** Sentences to print as `WARNING:` lines at the start of the job. */
  warnings: string[];
  /** `features.trace_sections`: write section markers (docs/runner-protocol.md §9.3). */
  sections: boolean;
  /** Timestamped trace (docs/runner-protocol.md §9.6). */
  timestamps: boolean;
  masking: Masking;
  /** `features.failure_reasons`, for `mapFailureReason`. */
  failureReasons: string[];
  timeouts: { jobSeconds: number; scriptSeconds: number | null; afterScriptSeconds: number };
  /** The expanded image name, or null. */
  image: string | null;
}

export interface PlanRejection {
  kind: 'rejection';
  /** Report as this failure (its closing line says why). */
  failure: JobFailure;
  masking: Masking;
  failureReasons: string[];
}

const SHELL_IMAGES = new Set(['alpine', 'busybox', 'debian', 'ubuntu', 'bash']);

/** `registry/library/node:20-alpine` → `{ name: 'node', tag: '20-alpine' }`. */
function imageRepository(image: string): { name: string; tag: string } {
  const withoutDigest = image.split('@')[0] ?? image;
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  const hasTag = colon > slash;
  const path = hasTag ? withoutDigest.slice(0, colon) : withoutDigest;
  return {
    name: path.slice(path.lastIndexOf('/') + 1),
    tag: hasTag ? withoutDigest.slice(colon + 1) : '',
  };
}

/** Decide what to run for `payload`, or why not to run it. */
export function planJob(payload: JobPayload, ctx: PlanContext): JobPlan | PlanRejection {
  const variables = buildJobVariables(payload, ctx.runner);
  const masking: Masking = {
    phrases: variables.masked(payload.token),
    tokenPrefixes: tokenPrefixes(payload.features.token_mask_prefixes),
  };
  const failureReasons = payload.features.failure_reasons;
  const reject = (message: string): PlanRejection => ({
    kind: 'rejection',
    failure: { kind: 'unsupported', message },
    masking,
    failureReasons,
  });

  if (payload.run.trim() !== '') {
    return reject('this job uses CI steps (run:), which tabrunner does not support');
  }
  if (payload.services.length > 0) {
    const names = payload.services.map((s) => variables.expand(s.name) || '(unnamed)').join(', ');
    return reject(`this job needs services (${names}), which tabrunner cannot run`);
  }
  if (payload.steps.some((s) => s.name === 'release')) {
    return reject(
      'the release: keyword needs release-cli, which tabrunner does not have; ' +
        'create the release from another runner or with the API',
    );
  }

  const warnings: string[] = [];
  for (const v of payload.variables) {
    if (v.key.startsWith('FF_') && parseBool(v.value) === undefined) {
      warnings.push(`${v.key}="${v.value}" is not a boolean; the feature flag keeps its default.`);
    }
  }
  const image = payload.image?.name ? variables.expand(payload.image.name) : null;
  if (image) {
    const { name, tag } = imageRepository(image);
    if (name === 'node') {
      const major = /^(\d+)/.exec(tag)?.[1];
      if (ctx.nodeVersion === undefined) {
        return reject(
          `image ${image} needs Node, which the "${ctx.executor}" executor does not have`,
        );
      }
      if (major !== undefined && major !== ctx.nodeVersion) {
        warnings.push(
          `image ${image} asks for Node ${major}; this runner has Node ${ctx.nodeVersion}.`,
        );
      }
    } else if (SHELL_IMAGES.has(name)) {
      warnings.push(
        `image ${image} is not pulled: the script runs in tabrunner's "${ctx.executor}" sandbox (POSIX shell${ctx.nodeVersion ? `, Node ${ctx.nodeVersion}` : ''}).`,
      );
    } else {
      return reject(`image ${image} is not available: tabrunner runs jobs only in Node images`);
    }
  }

  const steps: PlannedStep[] = [];
  let afterScript: string[] = [];
  for (const step of payload.steps) {
    if (step.name === 'after_script') {
      afterScript = step.script;
      continue;
    }
    if (step.name !== 'script') {
      warnings.push(
        `step "${step.name}" is not a GitLab step tabrunner knows; running it as a script.`,
      );
    }
    steps.push({ name: step.name, section: `step_${step.name.toLowerCase()}`, lines: step.script });
  }

  const { settings, warnings: settingWarnings } = readSettings(payload, (key) =>
    variables.get(key) ? variables.value(key) : undefined,
  );
  const hook = (name: string) =>
    payload.hooks.filter((h) => h.name === name).flatMap((h) => h.script);

  return {
    kind: 'plan',
    steps,
    afterScript,
    hooks: {
      preGetSources: hook('pre_get_sources_script'),
      postGetSources: hook('post_get_sources_script'),
    },
    variables,
    env: variables.toEnv(),
    fileVariables: variables.fileVariables(),
    projectDir: variables.value('CI_PROJECT_DIR') ?? '',
    settings,
    warnings: [...settingWarnings, ...warnings],
    sections: payload.features.trace_sections,
    timestamps: settings.timestamps,
    masking,
    failureReasons,
    timeouts: {
      jobSeconds: settings.jobTimeoutSeconds,
      scriptSeconds: settings.scriptTimeoutSeconds,
      afterScriptSeconds: settings.afterScriptTimeoutSeconds,
    },
    image,
  };
}
