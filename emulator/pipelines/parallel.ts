/**
 * `parallel:` as GitLab's `Gitlab::Ci::Config::Normalizer` expands it: `parallel: N` makes jobs
 * `name 1/N` … `name N/N`; `parallel: matrix:` makes one job per combination of each entry's
 * values, named `name: [v1, v2]` (the values in the entry's key order), with those values as job
 * variables. Every instance knows its index and the total (`CI_NODE_INDEX`, `CI_NODE_TOTAL`).
 * Limits and messages are `Entry::Product::Parallel`'s and `Entry::Product::Matrix`'s.
 */
import { CiConfigError } from './ci-config-error.ts';
import type { NeedKeyword } from './job-spec.ts';
import { isConfigHash } from './yaml-references.ts';

/** `Entry::Product::Parallel::PARALLEL_LIMIT`: instances one job may make. */
export const PARALLEL_LIMIT = 200;

/** One job a parallel job becomes. */
export interface ParallelInstance {
  name: string;
  /** 1-based. */
  index: number;
  total: number;
  /** The matrix combination's variables; empty for `parallel: N`. */
  variables: Record<string, string>;
}

/** The instances `parallel` makes of job `name`; `path` is the job's config path. */
export function parallelInstances(
  name: string,
  parallel: unknown,
  path: string,
): ParallelInstance[] {
  const at = `${path}:parallel`;
  if (typeof parallel === 'number') {
    if (!Number.isInteger(parallel)) throw new CiConfigError(at, 'config must be an integer');
    if (parallel < 1) throw new CiConfigError(at, 'config must be greater than or equal to 1');
    if (parallel > PARALLEL_LIMIT) {
      throw new CiConfigError(at, `config must be less than or equal to ${PARALLEL_LIMIT}`);
    }
    return Array.from({ length: parallel }, (_, i) => ({
      name: `${name} ${i + 1}/${parallel}`,
      index: i + 1,
      total: parallel,
      variables: {},
    }));
  }
  if (!isConfigHash(parallel)) throw new CiConfigError(at, 'should be an integer or a hash');
  const unknown = Object.keys(parallel).filter((key) => key !== 'matrix');
  if (unknown.length > 0) {
    throw new CiConfigError(at, `config contains unknown keys: ${unknown.join(', ')}`);
  }
  if (parallel.matrix === undefined) {
    throw new CiConfigError(at, 'config missing required keys: matrix');
  }
  const combinations = matrixCombinations(parallel.matrix, `${at}:matrix`);
  return combinations.map((variables, i) => ({
    name: `${name}: [${Object.values(variables).join(', ')}]`,
    index: i + 1,
    total: combinations.length,
    variables,
  }));
}

/** `MatrixStrategy.expand`: per entry, the product of its values, entries in order. */
function matrixCombinations(matrix: unknown, path: string): Record<string, string>[] {
  if (!Array.isArray(matrix) || !matrix.every(isConfigHash)) {
    throw new CiConfigError(path, 'config should be an array of hashes');
  }
  const entries = matrix.map((entry, i) => {
    const keys = Object.keys(entry);
    if (keys.length === 0) {
      throw new CiConfigError(`${path}:${i}`, 'config requires at least 1 items');
    }
    return keys.map((key) => {
      const values = [entry[key]].flat();
      if (!values.every((value) => typeof value === 'string' || typeof value === 'number')) {
        throw new CiConfigError(
          `${path}:${i}`,
          'config should be a hash of key value pairs, value can be an array',
        );
      }
      return { key, values: values.map(String) };
    });
  });
  const count = entries.reduce(
    (sum, entry) => sum + entry.reduce((product, { values }) => product * values.length, 1),
    0,
  );
  if (count > PARALLEL_LIMIT) {
    throw new CiConfigError(path, `config generates too many jobs (maximum is ${PARALLEL_LIMIT})`);
  }
  return entries.flatMap((entry) =>
    entry.reduce<Record<string, string>[]>(
      (combinations, { key, values }) =>
        combinations.flatMap((combination) =>
          values.map((value) => ({ ...combination, [key]: value })),
        ),
      [{}],
    ),
  );
}

/**
 * `needs:` (or `dependencies:`) naming a parallel job's base name means all its instances; a
 * need with `parallel: matrix:` means the instances of those combinations
 * (`Normalizer#expand_parallelized_needs`). `parallelized` maps base names to instance names.
 */
export function expandParallelNeeds(
  needs: unknown[],
  parallelized: ReadonlyMap<string, string[]>,
  path: string,
): NeedKeyword[] {
  return needs.flatMap((need): NeedKeyword[] => {
    if (typeof need === 'string') return parallelized.get(need) ?? [need];
    if (!isConfigHash(need) || typeof need.job !== 'string') {
      throw new CiConfigError(`${path}:needs`, 'config should be a string or a hash with a job');
    }
    const { parallel, job, ...options } = need;
    const instances = parallelized.get(job);
    if (!instances) return [{ ...options, job }];
    const names =
      parallel === undefined
        ? instances
        : parallelInstances(job, parallel, `${path}:needs:${job}`).map((one) => one.name);
    return names.map((name) => ({ ...options, job: name }));
  });
}

/** `dependencies:` with parallel base names replaced by all their instances. */
export function expandParallelDependencies(
  dependencies: string[],
  parallelized: ReadonlyMap<string, string[]>,
): string[] {
  return dependencies.flatMap((name) => parallelized.get(name) ?? [name]);
}
