/**
 * `rules:` of a job or of `workflow:`, as GitLab's `Gitlab::Ci::Build::Rules` evaluates them: the
 * first rule whose clauses all hold (`if`, `changes`, `exists`; a rule with none always holds)
 * gives its `when`, `allow_failure` and `variables`; no match leaves the job out. `exists` globs
 * match the files at the pipeline's commit, `changes` globs the paths the pipeline changes
 * (`Rules::Rule::Clause::Exists` and `::Changes`, both with `File.fnmatch?` and the pipeline's
 * variables expanded in the globs). Cross-project `exists: {project:}` is refused by name.
 */
import type { JobVariableSpec } from '../model.ts';
import { CiConfigError } from './ci-config-error.ts';
import { expandExisting } from './expand-existing.ts';
import { fileGlobMatches } from './file-glob.ts';
import type { JobSpecJson } from './job-spec.ts';
import { configVariables } from './job-spec.ts';
import type { PipelineFiles } from './pipeline-files.ts';
import { evaluateRule } from './rules.ts';
import { isConfigHash } from './yaml-references.ts';

const RULE_KEYWORDS = ['if', 'changes', 'exists', 'when', 'allow_failure', 'variables'];
const UNSUPPORTED_RULE_KEYWORDS = ['needs', 'interruptible', 'start_in'];
/** `Clause::Exists::MAX_PATTERN_COMPARISONS`: past this many, GitLab assumes a match. */
const MAX_PATTERN_COMPARISONS = 10_000;

/** What the matching rule sets. */
export interface RuleOutcome {
  when?: string;
  allowFailure?: unknown;
  variables: JobVariableSpec[];
}

/** The first matching rule's settings; null when no rule matches (the job is not added). */
export async function applyRules(
  rules: unknown,
  variables: Readonly<Record<string, string>>,
  files: PipelineFiles | undefined,
  path: string,
): Promise<RuleOutcome | null> {
  if (rules === undefined) return { variables: [] };
  if (!Array.isArray(rules)) {
    throw new CiConfigError(`${path}:rules`, 'config should be an array of hashes');
  }
  for (const [i, rule] of rules.entries()) {
    const rulePath = `${path}:rules:${i}`;
    if (!isConfigHash(rule)) throw new CiConfigError(rulePath, 'config should be a hash');
    checkRuleKeys(rule, rulePath);
    if (rule.if !== undefined && !evaluateRule(String(rule.if), variables, `${rulePath}:if`)) {
      continue;
    }
    if (
      rule.changes !== undefined &&
      !(await changesHold(rule.changes, variables, files, `${rulePath}:changes`))
    ) {
      continue;
    }
    if (
      rule.exists !== undefined &&
      !(await existsHolds(rule.exists, variables, files, `${rulePath}:exists`))
    ) {
      continue;
    }
    return {
      ...(rule.when !== undefined ? { when: String(rule.when) } : {}),
      ...(rule.allow_failure !== undefined ? { allowFailure: rule.allow_failure } : {}),
      variables: configVariables(
        rule.variables as JobSpecJson['variables'],
        `${rulePath}:variables`,
      ),
    };
  }
  return null;
}

function checkRuleKeys(rule: Record<string, unknown>, path: string): void {
  const unknown = Object.keys(rule).filter((key) => !RULE_KEYWORDS.includes(key));
  if (unknown.length === 0) return;
  throw new CiConfigError(
    path,
    unknown.every((key) => UNSUPPORTED_RULE_KEYWORDS.includes(key))
      ? `config uses keywords the emulator does not support: ${unknown.join(', ')}`
      : `config contains unknown keys: ${unknown.join(', ')}`,
  );
}

/** `changes: [globs]` or `changes: {paths: [globs], compare_to: ref}`. */
async function changesHold(
  changes: unknown,
  variables: Readonly<Record<string, string>>,
  files: PipelineFiles | undefined,
  path: string,
): Promise<boolean> {
  let globs: string[];
  let compareTo: string | undefined;
  if (isConfigHash(changes)) {
    const unknown = Object.keys(changes).filter((key) => key !== 'paths' && key !== 'compare_to');
    if (unknown.length > 0) {
      throw new CiConfigError(path, `config contains unknown keys: ${unknown.join(', ')}`);
    }
    globs = globList(changes.paths, `${path}:paths`);
    if (changes.compare_to !== undefined) {
      if (typeof changes.compare_to !== 'string') {
        throw new CiConfigError(`${path}:compare_to`, 'config should be a string');
      }
      compareTo = expandExisting(changes.compare_to, variables);
    }
  } else {
    globs = globList(changes, path);
  }
  const modified = files ? await files.modifiedPaths(compareTo) : null;
  if (modified === null) return true;
  const expanded = globs.map((glob) => expandExisting(glob, variables));
  return modified.some((file) => expanded.some((glob) => fileGlobMatches(glob, file)));
}

/** `exists: [globs]` or `exists: {paths: [globs]}`. */
async function existsHolds(
  exists: unknown,
  variables: Readonly<Record<string, string>>,
  files: PipelineFiles | undefined,
  path: string,
): Promise<boolean> {
  let globs: string[];
  if (isConfigHash(exists)) {
    const unsupported = Object.keys(exists).filter((key) => key === 'project' || key === 'ref');
    if (unsupported.length > 0) {
      throw new CiConfigError(
        path,
        `config uses keywords the emulator does not support: ${unsupported.join(', ')}`,
      );
    }
    const unknown = Object.keys(exists).filter((key) => key !== 'paths');
    if (unknown.length > 0) {
      throw new CiConfigError(path, `config contains unknown keys: ${unknown.join(', ')}`);
    }
    globs = globList(exists.paths, `${path}:paths`);
  } else {
    globs = typeof exists === 'string' ? [exists] : globList(exists, path);
  }
  const paths = files ? await files.paths() : [];
  const expanded = globs.map((glob) => expandExisting(glob, variables));
  // `exact_glob?`: without metacharacters a glob is looked up, not matched.
  const exact = expanded.filter((glob) => !/[*?[{]/.test(glob));
  if (exact.some((glob) => paths.includes(glob))) return true;
  let comparisons = 0;
  return expanded
    .filter((glob) => /[*?[{]/.test(glob))
    .some((glob) =>
      paths.some((file) => ++comparisons > MAX_PATTERN_COMPARISONS || fileGlobMatches(glob, file)),
    );
}

function globList(value: unknown, path: string): string[] {
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw new CiConfigError(path, 'config should be an array of strings');
  }
  return value;
}
