/**
 * `cache: key: files:` resolved as GitLab's server resolves it when it creates the pipeline
 * (`Seed::Build::Cache#key_from_files` in gitlab's lib/gitlab/ci/pipeline/seed/build/cache.rb):
 * the listed files' git blob ids at the pipeline's commit, sorted, joined with `-` and hashed
 * with SHA-1; `prefix-hash`, the prefix defaulting to the cache's index in the job's list, and
 * `default` for the hash when no listed file exists. The runner gets the finished key.
 */
import { createHash } from 'node:crypto';
import { runGit } from '../git/run-git.ts';
import type { CacheSpec, Project } from '../model.ts';
import type { CacheDefinition, FilesCacheKey } from './cache-spec.ts';

/** Every job's caches with their `files` keys hashed; the tree is read once, if at all. */
export async function resolveCacheKeys(
  project: Project,
  sha: string,
  jobs: readonly (readonly CacheDefinition[])[],
): Promise<CacheSpec[][]> {
  let blobs: Promise<Map<string, string>> | null = null;
  const tree = () => (blobs ??= blobsAt(project, sha));
  return Promise.all(
    jobs.map((caches) =>
      Promise.all(
        caches.map(async (cache, index) => ({
          ...cache,
          key:
            typeof cache.key === 'string'
              ? cache.key
              : filesKey(cache.key, String(index), await tree()),
        })),
      ),
    ),
  );
}

function filesKey(key: FilesCacheKey, index: string, blobs: Map<string, string>): string {
  const patterns = [...new Set(key.files.filter((file) => file !== ''))];
  const paths = new Set(
    patterns.flatMap((pattern) => {
      if (!pattern.includes('*')) return [pattern];
      const matcher = wildcardPath(pattern);
      return [...blobs.keys()].filter((path) => matcher.test(path));
    }),
  );
  const ids = [...new Set([...paths].flatMap((path) => blobs.get(path) ?? []))].sort();
  const digest =
    ids.length > 0 ? createHash('sha1').update(ids.join('-')).digest('hex') : 'default';
  return [key.prefix ?? index, digest].filter((part) => part !== '').join('-');
}

/**
 * `Repository#search_files_by_wildcard_path`: `**` is any characters, `*` any but `/`, the
 * whole path must match. So `**\/package.json` needs a folder: it misses the root's file.
 */
function wildcardPath(pattern: string): RegExp {
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const source = pattern
    .split('**')
    .map((part) => part.split('*').map(escape).join('[^/]*?'))
    .join('.*?');
  return new RegExp(`^${source}$`);
}

/** Path → blob id for every file in the commit's tree (submodules and folders are not blobs). */
async function blobsAt(project: Project, sha: string): Promise<Map<string, string>> {
  const { stdout } = await runGit(['ls-tree', '-r', '-z', '--full-tree', sha], {
    gitDir: project.gitDir,
  });
  const blobs = new Map<string, string>();
  for (const line of stdout.split('\0')) {
    const [, id, path] = /^\d+ blob ([0-9a-f]+)\t(.*)$/s.exec(line) ?? [];
    if (id && path) blobs.set(path, id);
  }
  return blobs;
}
