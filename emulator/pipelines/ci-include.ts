/**
 * `include:` as GitLab's `Gitlab::Ci::Config::External::Processor` does it, for local files
 * only: each included file (nested includes expanded first) deep-merges into the config in
 * order, then the including file's own keys deep-merge over them. Locations are strings (a URL
 * is a `remote:`, anything else `local:`) or hashes with one of GitLab's subkeys; `$VARIABLES` in
 * them are expanded, a leading `/` is dropped, and `*` wildcards include every matching file.
 * The other include types are refused by name. Errors are GitLab's sentences
 * (lib/gitlab/ci/config/external/file/{base,local}.rb, mapper/{matcher,verifier}.rb).
 */
import { CiConfigError } from './ci-config-error.ts';
import { expandExisting } from './expand-existing.ts';
import { fileGlobMatches } from './file-glob.ts';
import type { PipelineFiles } from './pipeline-files.ts';
import { isConfigHash, loadCiYaml } from './yaml-references.ts';

/** GitLab's default `ci_max_includes`: files included in one pipeline, nested ones counted. */
export const MAX_INCLUDES = 150;

const INCLUDE_TYPES = ['local', 'project', 'remote', 'template', 'artifact', 'component'];
type Hash = Record<string, unknown>;

/**
 * The config with its `include:` expanded and removed. `files` is undefined when there is no
 * project (a config parsed on its own): then a local include fails as GitLab's does.
 */
export async function expandIncludes(
  config: Hash,
  files: PipelineFiles | undefined,
  variables: Readonly<Record<string, string>>,
): Promise<Hash> {
  return expand(config, files, variables, { count: 0 });
}

async function expand(
  config: Hash,
  files: PipelineFiles | undefined,
  variables: Readonly<Record<string, string>>,
  included: { count: number },
): Promise<Hash> {
  if (!('include' in config)) return config;
  const locations = [config.include].flat().filter((item) => item !== null);
  let merged: Hash = {};
  for (const location of locations) {
    for (const path of await localPaths(location, files, variables)) {
      included.count++;
      if (included.count > MAX_INCLUDES) {
        throw includeError(`Maximum of ${MAX_INCLUDES} nested includes are allowed!`);
      }
      const content = await readLocal(path, files);
      merged = deepMerge(merged, await expand(content, files, variables, included));
    }
  }
  const own = deepMerge(merged, config);
  delete own.include;
  return own;
}

/** The local paths one `include:` entry names (several for a wildcard). */
async function localPaths(
  location: unknown,
  files: PipelineFiles | undefined,
  variables: Readonly<Record<string, string>>,
): Promise<string[]> {
  const hash: Hash =
    typeof location === 'string'
      ? /^https?:\/\//.test(expandExisting(location, variables))
        ? { remote: location }
        : { local: location }
      : isConfigHash(location)
        ? location
        : {};
  const types = INCLUDE_TYPES.filter((type) => hash[type] !== undefined && hash[type] !== null);
  if (types.length === 0) {
    throw includeError(
      `\`${JSON.stringify(location)}\` does not have a valid subkey for include. Valid subkeys are: \`${INCLUDE_TYPES.join('`, `')}\``,
    );
  }
  if (types.length > 1) {
    throw includeError(`Each include must use only one of: \`${INCLUDE_TYPES.join('`, `')}\``);
  }
  const [type] = types;
  if (type !== 'local') {
    throw new CiConfigError(
      `include:${type}`,
      'is not supported by the emulator: only local files',
    );
  }
  const extra = Object.keys(hash).filter((key) => key !== 'local');
  if (extra.length > 0) {
    throw new CiConfigError(
      'include',
      `config uses keywords the emulator does not support: ${extra.join(', ')}`,
    );
  }
  const raw = hash.local;
  if (typeof raw !== 'string') {
    throw includeError(`Included file \`${JSON.stringify(raw)}\` needs to be a string`);
  }
  const path = expandExisting(raw, variables).replace(/^\/+/, '');
  if (!path.includes('*')) return [path];
  // `Repository#search_files_by_wildcard_path`: every file at the commit the glob matches.
  const all = files ? await files.paths() : [];
  return all.filter((candidate) => fileGlobMatches(path, candidate));
}

async function readLocal(path: string, files: PipelineFiles | undefined): Promise<Hash> {
  if (!/.+\.(yml|yaml)$/i.test(path.split('/').at(-1) ?? '')) {
    throw includeError(`Included file \`${path}\` does not have YAML extension!`);
  }
  if (!files) throw includeError(`Local file \`${path}\` does not have project!`);
  const text = await files.readFile(path);
  if (text === null) throw includeError(`Local file \`${path}\` does not exist!`);
  if (text.trim() === '') throw includeError(`Local file \`${path}\` is empty!`);
  const content = loadCiYaml(text, path);
  if (!isConfigHash(content) || Object.keys(content).length === 0) {
    throw includeError(`Included file \`${path}\` does not have valid YAML syntax!`);
  }
  return content;
}

/** ActiveSupport's `Hash#deep_merge`: hashes merge key by key, anything else is replaced. */
export function deepMerge(base: Hash, over: Hash): Hash {
  const out: Hash = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] = isConfigHash(current) && isConfigHash(value) ? deepMerge(current, value) : value;
  }
  return out;
}

function includeError(message: string): CiConfigError {
  return new CiConfigError('include', message, { prefixed: false });
}
