/**
 * The `.gitlab-ci.yml` subset the emulator understands, turned into job specs: `include: local`
 * (ci-include.ts), `stages`, `default`, `variables`, `workflow: rules` (with their `variables`),
 * hidden `.jobs`, `extends`, YAML merge keys and `!reference` tags, and per job the keywords
 * listed in `JOB_KEYWORDS`, with `parallel` (parallel.ts), `only`/`except` (only-except.ts) and
 * `rules` (job-rules.ts) evaluated here against the pipeline. Anything else is an error in
 * GitLab's words, so a config that works here does not silently mean something else on gitlab.com.
 */
import type { JobVariableSpec, Pipeline } from '../model.ts';
import { CiConfigError } from './ci-config-error.ts';
import { deepMerge, expandIncludes } from './ci-include.ts';
import type { JobSpecJson } from './job-spec.ts';
import { configVariables } from './job-spec.ts';
import { applyRules } from './job-rules.ts';
import { policyAllows, type PolicyPipeline } from './only-except.ts';
import {
  expandParallelDependencies,
  expandParallelNeeds,
  parallelInstances,
  type ParallelInstance,
} from './parallel.ts';
import type { PipelineFiles } from './pipeline-files.ts';
import { retryOptions } from './retry-keyword.ts';
import { isConfigHash, loadCiYaml, resolveReferences } from './yaml-references.ts';

/** GitLab's stages when `stages:` is absent. */
export const DEFAULT_STAGES = ['.pre', 'build', 'test', 'deploy', '.post'];

/** Keywords that may also stand at the top level, where GitLab reads them as `default:`. */
const GLOBAL_DEFAULT_KEYWORDS = [
  'image',
  'services',
  'before_script',
  'after_script',
  'tags',
  'timeout',
  'cache',
  'artifacts',
  'interruptible',
];
const DEFAULT_KEYWORDS = [...GLOBAL_DEFAULT_KEYWORDS, 'retry'];
const JOB_KEYWORDS = [
  ...DEFAULT_KEYWORDS,
  'stage',
  'script',
  'variables',
  'allow_failure',
  'when',
  'needs',
  'dependencies',
  'rules',
  'extends',
  'coverage',
  'environment',
  'parallel',
  'only',
  'except',
  'retry',
];
const GLOBAL_KEYWORDS = ['stages', 'default', 'variables', 'workflow', ...GLOBAL_DEFAULT_KEYWORDS];
/** Keywords GitLab knows but the emulator does not: named in the error, not ignored. */
const UNSUPPORTED = [
  'trigger',
  'release',
  'secrets',
  'pages',
  'inherit',
  'hooks',
  'id_tokens',
  'run',
  'inputs',
  'spec',
];

type Hash = Record<string, unknown>;

/** The jobs of a config after `extends`, `default` and `rules`, and the stage order. */
export interface ParsedCiConfig {
  stages: string[];
  jobs: JobSpecJson[];
}

/**
 * Parse a `.gitlab-ci.yml`. `predefined` are the pipeline's predefined variables (rules and
 * `only`/`except` read the ref, tag, source and merge request from them); `pipelineVariables`
 * win over every other variable. `files` is the repository at the pipeline's commit, for
 * `include`, `exists` and `changes`; without it a local include fails as GitLab's does without
 * a project, `exists` finds nothing and `changes` always holds.
 */
export async function parseCiConfig(
  yamlText: string,
  predefined: Readonly<Record<string, string>>,
  pipelineVariables: Readonly<Record<string, string>> = {},
  files?: PipelineFiles,
): Promise<ParsedCiConfig> {
  const loaded = loadCiYaml(yamlText);
  if (!isConfigHash(loaded)) throw new CiConfigError('root', 'config should be a hash');
  const document = resolveReferences(
    await expandIncludes(loaded, files, { ...predefined, ...pipelineVariables }),
  );
  if (!isConfigHash(document)) throw new CiConfigError('root', 'config should be a hash');

  const defaults: Hash = {};
  for (const key of GLOBAL_DEFAULT_KEYWORDS) if (key in document) defaults[key] = document[key];
  if (document.default !== undefined) {
    if (!isConfigHash(document.default))
      throw new CiConfigError('default', 'config should be a hash');
    checkKeys(document.default, DEFAULT_KEYWORDS, 'default');
    Object.assign(defaults, document.default);
  }
  const stages =
    document.stages === undefined ? DEFAULT_STAGES : stringList(document.stages, 'stages');
  const fullStages = [...new Set(['.pre', ...stages, '.post'])];
  const configSpecs = configVariables(document.variables as JobSpecJson['variables'], 'variables');
  const workflowSpecs = await checkWorkflow(
    document.workflow,
    { ...predefined, ...valuesOf(configSpecs), ...pipelineVariables },
    files,
  );
  // The matching workflow rule's variables replace global ones of the same name; job and
  // pipeline variables still win over them.
  const globalSpecs = mergeVariables([...configSpecs, ...workflowSpecs]);
  const workflowRules = isConfigHash(document.workflow) && document.workflow.rules !== undefined;
  const policyPipeline = policyPipelineOf(predefined);

  const templates = new Map<string, Hash>();
  for (const [name, value] of Object.entries(document)) {
    if (GLOBAL_KEYWORDS.includes(name)) continue;
    if (UNSUPPORTED.includes(name)) {
      throw new CiConfigError(name, 'keyword is not supported by the emulator');
    }
    if (!isConfigHash(value)) throw new CiConfigError(`jobs:${name}`, 'config should be a hash');
    templates.set(name, value);
  }

  // Every visible job as it is before rules: parallel jobs already split into their instances.
  const expanded: { name: string; job: Hash; path: string; instance: ParallelInstance | null }[] =
    [];
  const parallelized = new Map<string, string[]>();
  for (const name of templates.keys()) {
    if (name.startsWith('.')) continue;
    const path = `jobs:${name}`;
    const merged = resolveExtends(name, templates, []);
    checkKeys(merged, JOB_KEYWORDS, path);
    if (!('script' in merged)) {
      throw new CiConfigError(path, 'config should implement the script: keyword');
    }
    if (merged.rules !== undefined && (merged.only !== undefined || merged.except !== undefined)) {
      const used = ['only', 'except'].filter((key) => merged[key] !== undefined);
      throw new CiConfigError(
        path,
        `config key may not be used with \`rules\`: ${used.join(', ')}`,
      );
    }
    const job: Hash = { ...defaults, ...merged };
    if (job.parallel === undefined) {
      expanded.push({ name, job, path, instance: null });
      continue;
    }
    const instances = parallelInstances(name, job.parallel, path);
    parallelized.set(
      name,
      instances.map((instance) => instance.name),
    );
    for (const instance of instances) {
      // The matrix's values are job variables, over the job's own of the same name.
      const variables = {
        ...(isConfigHash(job.variables) ? job.variables : {}),
        ...instance.variables,
      };
      expanded.push({ name: instance.name, job: { ...job, variables }, path, instance });
    }
  }

  const jobs: JobSpecJson[] = [];
  for (const { name, job, path, instance } of expanded) {
    const jobSpecs = configVariables(
      job.variables as JobSpecJson['variables'],
      `${path}:variables`,
    );
    const variables = valuesOf([...globalSpecs, ...jobSpecs]);
    const ruleVariables = { ...predefined, ...variables, ...pipelineVariables };
    const allowed = await policyAllows(
      job.only,
      job.except,
      job.rules === undefined && !workflowRules,
      { pipeline: policyPipeline, variables: ruleVariables, files },
      path,
    );
    if (!allowed) continue;
    const ruleOutcome = await applyRules(job.rules, ruleVariables, files, path);
    if (ruleOutcome === null) continue;

    const stage = job.stage === undefined ? 'test' : String(job.stage);
    if (!fullStages.includes(stage)) {
      throw new CiConfigError(
        `${path}:stage`,
        `chosen stage ${stage} does not exist; available stages are ${fullStages.join(', ')}`,
      );
    }
    const when = ruleOutcome.when ?? job.when;
    if (when === 'never') continue;
    if (
      when !== undefined &&
      !['on_success', 'on_failure', 'always', 'manual'].includes(String(when))
    ) {
      throw new CiConfigError(
        `${path}:when`,
        'config should be on_success, on_failure, always, manual or never',
      );
    }
    // `Entry::Retry` is checked with the rest of the config, so a bad `retry:` fails the parse.
    retryOptions(job.retry, path);
    jobs.push({
      name,
      stage,
      script: job.script as JobSpecJson['script'],
      before_script: job.before_script as JobSpecJson['before_script'],
      after_script: job.after_script as JobSpecJson['after_script'],
      tags: job.tags === undefined ? [] : stringList(job.tags, `${path}:tags`),
      timeout: job.timeout as JobSpecJson['timeout'],
      // A manual job from rules is blocking unless a rule or the job allows failure (GitLab
      // derives the default from the job-level `when` only).
      allow_failure: (ruleOutcome.allowFailure ??
        job.allow_failure ??
        (ruleOutcome.when === 'manual' ? false : undefined)) as JobSpecJson['allow_failure'],
      when: when as JobSpecJson['when'],
      needs:
        job.needs === undefined
          ? undefined
          : expandParallelNeeds(needList(job.needs, path), parallelized, path),
      dependencies:
        job.dependencies === undefined
          ? undefined
          : expandParallelDependencies(
              stringList(job.dependencies, `${path}:dependencies`),
              parallelized,
            ),
      variables: mergeVariables([...globalSpecs, ...jobSpecs, ...ruleOutcome.variables]),
      image: job.image as JobSpecJson['image'],
      services: job.services as JobSpecJson['services'],
      artifacts: job.artifacts as JobSpecJson['artifacts'],
      cache: job.cache as JobSpecJson['cache'],
      ...(job.environment === undefined
        ? {}
        : { environment: job.environment as JobSpecJson['environment'] }),
      ...(instance ? { instance: { index: instance.index, total: instance.total } } : {}),
      ...(job.retry === undefined ? {} : { retry: job.retry as JobSpecJson['retry'] }),
    });
  }

  // Needs must name jobs that exist after rules (GitLab: "needs ... is not defined").
  const names = new Set(jobs.map((job) => job.name));
  for (const job of jobs) {
    for (const need of job.needs ?? []) {
      const needName = typeof need === 'string' ? need : need.job;
      const optional = typeof need === 'object' && need.optional === true;
      if (!names.has(needName) && !optional) {
        throw new CiConfigError(
          `jobs:${job.name}`,
          `job needs ${needName} which is not defined in the pipeline`,
        );
      }
    }
    if (job.needs) {
      job.needs = job.needs.filter((need) => names.has(typeof need === 'string' ? need : need.job));
    }
  }
  const usedStages = fullStages.filter((stage) => jobs.some((job) => job.stage === stage));
  if (jobs.length === 0) {
    throw new CiConfigError(
      'root',
      'no jobs: the pipeline would be empty after rules were applied',
    );
  }
  return { stages: usedStages, jobs };
}

/**
 * `workflow: rules`: the pipeline is not created when no rule matches or it says never;
 * otherwise the matching rule's `variables`.
 */
async function checkWorkflow(
  workflow: unknown,
  variables: Record<string, string>,
  files: PipelineFiles | undefined,
): Promise<JobVariableSpec[]> {
  if (workflow === undefined) return [];
  if (!isConfigHash(workflow)) throw new CiConfigError('workflow', 'config should be a hash');
  checkKeys(workflow, ['rules'], 'workflow');
  const outcome = await applyRules(workflow.rules, variables, files, 'workflow');
  if (outcome === null || outcome.when === 'never') {
    throw new CiConfigError('workflow', 'rules filtered out the pipeline');
  }
  return outcome.variables;
}

/** The pipeline facts `only:refs` match, read from its predefined variables. */
function policyPipelineOf(predefined: Readonly<Record<string, string>>): PolicyPipeline {
  const mergeRequest = predefined.CI_MERGE_REQUEST_IID !== undefined;
  const tag = predefined.CI_COMMIT_TAG !== undefined;
  return {
    ref:
      predefined.CI_COMMIT_TAG ??
      predefined.CI_COMMIT_BRANCH ??
      predefined.CI_COMMIT_REF_NAME ??
      '',
    tag,
    mergeRequest,
    source: (predefined.CI_PIPELINE_SOURCE ??
      (mergeRequest ? 'merge_request_event' : 'push')) as Pipeline['source'],
    projectPath: predefined.CI_PROJECT_PATH ?? '',
  };
}

function needList(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw new CiConfigError(`${path}:needs`, 'config should be an array');
  return value;
}

/** `extends`: parents first, then the job itself; hashes merge deeply, other values replace. */
function resolveExtends(name: string, templates: Map<string, Hash>, chain: string[]): Hash {
  if (chain.includes(name)) {
    throw new CiConfigError(
      `jobs:${name}`,
      `extends has a circular dependency: ${[...chain, name].join(' -> ')}`,
    );
  }
  const own = templates.get(name);
  if (!own) throw new CiConfigError(`jobs:${chain.at(-1) ?? name}`, `extends unknown key: ${name}`);
  const parents = own.extends === undefined ? [] : [own.extends].flat().map(String);
  let merged: Hash = {};
  for (const parent of parents)
    merged = deepMerge(merged, resolveExtends(parent, templates, [...chain, name]));
  const rest = { ...own };
  delete rest.extends;
  return deepMerge(merged, rest);
}

function valuesOf(specs: JobVariableSpec[]): Record<string, string> {
  return Object.fromEntries(specs.map((v) => [v.key, v.value]));
}

/** Later definitions replace earlier ones in place, as GitLab merges variable hashes. */
function mergeVariables(specs: JobVariableSpec[]): JobVariableSpec[] {
  const byKey = new Map<string, JobVariableSpec>();
  for (const spec of specs) byKey.set(spec.key, spec);
  return [...byKey.values()];
}

function checkKeys(hash: Hash, allowed: string[], path: string): void {
  const unknown = Object.keys(hash).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) {
    const unsupported = unknown.filter((key) => UNSUPPORTED.includes(key));
    throw new CiConfigError(
      path,
      unsupported.length === unknown.length
        ? `config uses keywords the emulator does not support: ${unknown.join(', ')}`
        : `config contains unknown keys: ${unknown.join(', ')}`,
    );
  }
}

function stringList(value: unknown, path: string): string[] {
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw new CiConfigError(path, 'config should be an array of strings');
  }
  return value;
}
