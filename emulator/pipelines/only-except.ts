/**
 * `only:` and `except:` as GitLab's `Entry::Policy` reads them and `Gitlab::Ci::Build::Policy`
 * evaluates them: `only` keeps a job when every key it uses matches (`refs`, `variables`,
 * `changes`), `except` drops it when any key matches. `refs` are `branches`, `tags`, a pipeline
 * source (`pushes`, `merge_requests`, `web`, `api`, `schedules`, `triggers`…), a ref name or a
 * `/regex/`, optionally `@group/project`; names and regexes match only branch and tag pipelines.
 * Without `only`, `except` or `rules`, and without `workflow: rules`, a job is `only: [branches,
 * tags]`, as GitLab's default. `kubernetes` is refused by name.
 */
import type { Pipeline } from '../model.ts';
import { CiConfigError } from './ci-config-error.ts';
import { fileGlobMatches } from './file-glob.ts';
import type { PipelineFiles } from './pipeline-files.ts';
import { evaluateRule } from './rules.ts';
import { isConfigHash } from './yaml-references.ts';

/** GitLab's `only` when a job has none (and neither `rules:` nor `workflow: rules:`). */
const DEFAULT_ONLY = { refs: ['branches', 'tags'] };

/** The pipeline facts `refs` match against. */
export interface PolicyPipeline {
  ref: string;
  tag: boolean;
  source: Pipeline['source'];
  mergeRequest: boolean;
  projectPath: string;
}

/** What a job's `only`/`except` decide with. */
export interface PolicyContext {
  pipeline: PolicyPipeline;
  variables: Readonly<Record<string, string>>;
  files: PipelineFiles | undefined;
}

/** The `refs` keyword GitLab matches each pipeline source with (the source, pluralized). */
const SOURCE_KEYWORDS: Record<Pipeline['source'], string> = {
  push: 'pushes',
  web: 'web',
  api: 'api',
  merge_request_event: 'merge_requests',
  schedule: 'schedules',
  trigger: 'triggers',
};

/**
 * Whether a job with these `only`/`except` values is added. `useDefault` is false when the job
 * has `rules:` or the config has `workflow: rules:` (GitLab then drops the default `only`).
 */
export async function policyAllows(
  only: unknown,
  except: unknown,
  useDefault: boolean,
  context: PolicyContext,
  path: string,
): Promise<boolean> {
  const onlyPolicy =
    only === undefined ? (useDefault ? DEFAULT_ONLY : null) : readPolicy(only, `${path}:only`);
  const exceptPolicy = except === undefined ? null : readPolicy(except, `${path}:except`);
  if (onlyPolicy) {
    // `Entry::Policy#value`: `only` keeps the default refs unless it names its own.
    const withRefs = only === undefined ? onlyPolicy : { ...DEFAULT_ONLY, ...onlyPolicy };
    for (const clause of await clauseResults(withRefs, context, `${path}:only`)) {
      if (!clause) return false;
    }
  }
  if (exceptPolicy) {
    for (const clause of await clauseResults(exceptPolicy, context, `${path}:except`)) {
      if (clause) return false;
    }
  }
  return true;
}

interface Policy {
  refs?: string[];
  variables?: string[];
  changes?: string[];
}

function readPolicy(value: unknown, path: string): Policy {
  if (Array.isArray(value)) return { refs: stringList(value, path) };
  if (!isConfigHash(value)) {
    throw new CiConfigError(path, 'has to be either an array of conditions or a hash');
  }
  if ('kubernetes' in value) {
    throw new CiConfigError(path, 'config uses keywords the emulator does not support: kubernetes');
  }
  const unknown = Object.keys(value).filter(
    (key) => !['refs', 'variables', 'changes'].includes(key),
  );
  if (unknown.length > 0) {
    throw new CiConfigError(path, `config contains unknown keys: ${unknown.join(', ')}`);
  }
  if (Object.keys(value).length === 0) throw new CiConfigError(path, "config can't be blank");
  const policy: Policy = {};
  if (value.refs !== undefined) policy.refs = stringList(value.refs, `${path}:refs`);
  if (value.variables !== undefined) {
    policy.variables = stringList(value.variables, `${path}:variables`);
  }
  if (value.changes !== undefined) policy.changes = changesList(value.changes, `${path}:changes`);
  return policy;
}

/** Each key's outcome, in the order GitLab checks them. */
async function clauseResults(
  policy: Policy,
  context: PolicyContext,
  path: string,
): Promise<boolean[]> {
  const results: boolean[] = [];
  if (policy.refs)
    results.push(policy.refs.some((pattern) => refMatches(pattern, context.pipeline)));
  if (policy.variables) {
    results.push(
      policy.variables.some((expression, i) =>
        evaluateRule(expression, context.variables, `${path}:variables:${i}`),
      ),
    );
  }
  if (policy.changes) {
    const globs = policy.changes;
    const modified = context.files ? await context.files.modifiedPaths() : null;
    results.push(
      modified === null ||
        modified.some((file) => globs.some((glob) => fileGlobMatches(glob, file))),
    );
  }
  return results;
}

/** `Policy::Refs#satisfied_by?` for one pattern. */
function refMatches(patternWithPath: string, pipeline: PolicyPipeline): boolean {
  const at = patternWithPath.indexOf('@');
  const pattern = at === -1 ? patternWithPath : patternWithPath.slice(0, at);
  if (at !== -1 && patternWithPath.slice(at + 1) !== pipeline.projectPath) return false;
  const branch = !pipeline.tag && !pipeline.mergeRequest;
  if (pattern === 'tags' && pipeline.tag) return true;
  if (pattern === 'branches' && branch) return true;
  if (pattern === pipeline.source || pattern === SOURCE_KEYWORDS[pipeline.source]) return true;
  if (!branch && !pipeline.tag) return false;
  const regex = /^\/(.*)\/([a-z]*)$/s.exec(pattern);
  if (regex)
    return new RegExp(regex[1] ?? '', (regex[2] ?? '').replace(/[^ims]/g, '')).test(pipeline.ref);
  return pattern === pipeline.ref;
}

function stringList(value: unknown, path: string): string[] {
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw new CiConfigError(path, 'config should be an array of strings or regular expressions');
  }
  return value;
}

function changesList(value: unknown, path: string): string[] {
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw new CiConfigError(path, 'config should be an array of strings');
  }
  return value;
}
