/**
 * The `.gitlab-ci.yml` subset the emulator understands, turned into job specs: `stages`,
 * `default`, `variables`, `workflow: rules` (with their `variables`), hidden `.jobs`,
 * `extends`, YAML merge keys and `!reference` tags, and per job the keywords listed in
 * `JOB_KEYWORDS`. `rules: - if` is evaluated here with the pipeline's variables. Anything else is an error in GitLab's words, so a config that works here does
 * not silently mean something else on gitlab.com.
 */
import type { JobVariableSpec } from '../model.ts';
import { CiConfigError } from './ci-config-error.ts';
import type { JobSpecJson } from './job-spec.ts';
import { configVariables } from './job-spec.ts';
import { evaluateRule } from './rules.ts';
import { parseCiYaml } from './yaml-references.ts';

/** GitLab's stages when `stages:` is absent. */
export const DEFAULT_STAGES = ['.pre', 'build', 'test', 'deploy', '.post'];

const DEFAULT_KEYWORDS = [
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
];
const GLOBAL_KEYWORDS = ['stages', 'default', 'variables', 'workflow', ...DEFAULT_KEYWORDS];
const RULE_KEYWORDS = ['if', 'when', 'allow_failure', 'variables'];
/** Keywords GitLab knows but the emulator does not: named in the error, not ignored. */
const UNSUPPORTED = [
  'include',
  'only',
  'except',
  'trigger',
  'release',
  'parallel',
  'secrets',
  'pages',
  'inherit',
  'hooks',
  'id_tokens',
  'run',
  'inputs',
  'spec',
  // GitLab re-creates a retried job; the emulator does not yet, so a config relying on it is refused.
  'retry',
];

type Hash = Record<string, unknown>;

/** The jobs of a config after `extends`, `default` and `rules`, and the stage order. */
export interface ParsedCiConfig {
  stages: string[];
  jobs: JobSpecJson[];
}

/**
 * Parse a `.gitlab-ci.yml`. `variables` are those rules see besides the config's own
 * (predefined pipeline variables and pipeline variables, the latter winning).
 */
export function parseCiConfig(
  yamlText: string,
  predefined: Readonly<Record<string, string>>,
  pipelineVariables: Readonly<Record<string, string>> = {},
): ParsedCiConfig {
  const document = parseCiYaml(yamlText);
  if (!isHash(document)) throw new CiConfigError('root', 'config should be a hash');

  const defaults: Hash = {};
  for (const key of DEFAULT_KEYWORDS) if (key in document) defaults[key] = document[key];
  if (document.default !== undefined) {
    if (!isHash(document.default)) throw new CiConfigError('default', 'config should be a hash');
    checkKeys(document.default, DEFAULT_KEYWORDS, 'default');
    Object.assign(defaults, document.default);
  }
  const stages =
    document.stages === undefined ? DEFAULT_STAGES : stringList(document.stages, 'stages');
  const fullStages = [...new Set(['.pre', ...stages, '.post'])];
  const configSpecs = configVariables(document.variables as JobSpecJson['variables'], 'variables');
  const workflowSpecs = checkWorkflow(document.workflow, {
    ...predefined,
    ...valuesOf(configSpecs),
    ...pipelineVariables,
  });
  // The matching workflow rule's variables replace global ones of the same name; job and
  // pipeline variables still win over them.
  const globalSpecs = mergeVariables([...configSpecs, ...workflowSpecs]);

  const templates = new Map<string, Hash>();
  for (const [name, value] of Object.entries(document)) {
    if (GLOBAL_KEYWORDS.includes(name)) continue;
    if (UNSUPPORTED.includes(name)) {
      throw new CiConfigError(name, 'keyword is not supported by the emulator');
    }
    if (!isHash(value)) throw new CiConfigError(`jobs:${name}`, 'config should be a hash');
    templates.set(name, value);
  }

  const jobs: JobSpecJson[] = [];
  for (const name of templates.keys()) {
    if (name.startsWith('.')) continue;
    const path = `jobs:${name}`;
    const merged = resolveExtends(name, templates, []);
    checkKeys(merged, JOB_KEYWORDS, path);
    if (!('script' in merged)) {
      throw new CiConfigError(path, 'config should implement the script: keyword');
    }
    const job: Hash = { ...defaults, ...merged };
    const jobSpecs = configVariables(
      job.variables as JobSpecJson['variables'],
      `${path}:variables`,
    );
    const variables = valuesOf([...globalSpecs, ...jobSpecs]);
    const ruleOutcome = applyRules(
      job.rules,
      { ...predefined, ...variables, ...pipelineVariables },
      path,
    );
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
      needs: job.needs as JobSpecJson['needs'],
      dependencies:
        job.dependencies === undefined
          ? undefined
          : stringList(job.dependencies, `${path}:dependencies`),
      variables: mergeVariables([...globalSpecs, ...jobSpecs, ...ruleOutcome.variables]),
      image: job.image as JobSpecJson['image'],
      services: job.services as JobSpecJson['services'],
      artifacts: job.artifacts as JobSpecJson['artifacts'],
      cache: job.cache as JobSpecJson['cache'],
      ...(job.environment === undefined
        ? {}
        : { environment: job.environment as JobSpecJson['environment'] }),
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

interface RuleOutcome {
  when?: string;
  allowFailure?: unknown;
  variables: JobVariableSpec[];
}

/** The first matching rule's settings; null when no rule matches (the job is not added). */
function applyRules(
  rules: unknown,
  variables: Record<string, string>,
  path: string,
): RuleOutcome | null {
  if (rules === undefined) return { variables: [] };
  if (!Array.isArray(rules))
    throw new CiConfigError(`${path}:rules`, 'config should be an array of hashes');
  for (const [i, rule] of rules.entries()) {
    const rulePath = `${path}:rules:${i}`;
    if (!isHash(rule)) throw new CiConfigError(rulePath, 'config should be a hash');
    checkKeys(rule, RULE_KEYWORDS, rulePath);
    if (rule.if !== undefined && !evaluateRule(String(rule.if), variables, `${rulePath}:if`))
      continue;
    const ruleVariables = configVariables(
      rule.variables as JobSpecJson['variables'],
      `${rulePath}:variables`,
    );
    return {
      ...(rule.when !== undefined ? { when: String(rule.when) } : {}),
      ...(rule.allow_failure !== undefined ? { allowFailure: rule.allow_failure } : {}),
      variables: ruleVariables,
    };
  }
  return null;
}

/**
 * `workflow: rules`: the pipeline is not created when no rule matches or it says never;
 * otherwise the matching rule's `variables`.
 */
function checkWorkflow(workflow: unknown, variables: Record<string, string>): JobVariableSpec[] {
  if (workflow === undefined) return [];
  if (!isHash(workflow)) throw new CiConfigError('workflow', 'config should be a hash');
  checkKeys(workflow, ['rules'], 'workflow');
  const outcome = applyRules(workflow.rules, variables, 'workflow');
  if (outcome === null || outcome.when === 'never') {
    throw new CiConfigError('workflow', 'rules filtered out the pipeline');
  }
  return outcome.variables;
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

function deepMerge(base: Hash, over: Hash): Hash {
  const out: Hash = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] = isHash(current) && isHash(value) ? deepMerge(current, value) : value;
  }
  return out;
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

function isHash(value: unknown): value is Hash {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
