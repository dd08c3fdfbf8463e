/**
 * `getSources`: the `get_sources` stage (gitlab-runner-protocol.md §11) on isomorphic-git.
 * It fetches exactly `git_info.sha` into the project's persistent store, verifies that commit
 * is present, and reads it into a `FileTree` straight from git objects (no working tree).
 * It prints the lines GitLab's runner prints (§9.5), never the job token, and never returns
 * code other than the commit GitLab asked for.
 */
import {
  addRemote,
  getConfig,
  init,
  readCommit,
  setConfig,
  writeRef,
  fetch as gitFetch,
  type HttpClient,
} from 'isomorphic-git';
import type { FileTree } from '../executors/port.ts';
import { countingHttp } from './counting-http.ts';
import { planFetch, type GitInfo } from './fetch-plan.ts';
import { readFileTree } from './read-file-tree.ts';
import { parseRepoUrl, type RepoRemote } from './repo-url.ts';
import type { SourceStore, StoreFs } from './source-store.ts';
import {
  SourcesAuthError,
  SourcesCommitError,
  SourcesConfigError,
  SourcesFetchError,
} from './sources-errors.ts';

/** The `GIT_*` settings, already resolved from job variables by `src/job` (§10.4). */
export interface SourcesSettings {
  /** `GIT_STRATEGY`. */
  strategy: 'fetch' | 'clone' | 'none' | 'empty';
  /** `GIT_DEPTH` / `git_info.depth`; 0 fetches full history. */
  depth: number;
  /** `GIT_CHECKOUT`; false returns an empty tree after fetching. */
  checkout: boolean;
  /**
   * `GIT_CLEAN_FLAGS`. The tree is always built fresh from git objects, which is what
   * `checkout -f` plus `git clean -ffdx` leave, so every value (including `none`) yields the
   * same clean tree; kept for the record.
   */
  cleanFlags: string;
  /** `GIT_SUBMODULE_STRATEGY`; submodules are not fetched (a warning says so). */
  submoduleStrategy: 'none' | 'normal' | 'recursive';
  /** `GIT_LFS_SKIP_SMUDGE`; LFS objects are never downloaded, pointer files stay. */
  lfsSkipSmudge: boolean;
}

/** A trace line for the runner's log printer: notice = bold green, warning = yellow. */
export interface SourcesLine {
  kind: 'notice' | 'plain' | 'warning';
  text: string;
}

/** Progress for the page (and a Worker's caller). */
export interface SourcesProgress {
  /** connect: discovery; fetch: pack transfer and indexing; tree: reading files; done. */
  phase: 'connect' | 'fetch' | 'tree' | 'done';
  /** git's own step text when known, e.g. `Receiving objects`, `Resolving deltas`. */
  step?: string;
  /** Objects (fetch) or files (tree) done so far, and the total when known. */
  loaded?: number;
  total?: number;
  /** Response bytes received so far. */
  bytes: number;
}

export interface GetSourcesOptions {
  /** The job payload's `git_info` (§4.3); `repo_url` carries the job token. */
  gitInfo: GitInfo;
  settings: SourcesSettings;
  store: SourceStore;
  /** isomorphic-git's HTTP client: `isomorphic-git/http/node` or `isomorphic-git/http/web`. */
  http: HttpClient;
  /** CORS relay prefix for browsers (isomorphic-git's `corsProxy`); never saved to the store. */
  corsProxy?: string;
  /** The store key, e.g. `gitlab.example.com/group/project`. */
  projectKey: string;
  /**
   * The job's project directory (`CI_PROJECT_DIR`), named in the trace as GitLab's runner names
   * its checkout ("Initialized empty Git repository in <dir>/.git/"). Default: the store location.
   */
  projectDir?: string;
  onProgress?: (progress: SourcesProgress) => void;
  onLine?: (line: SourcesLine) => void;
  signal?: AbortSignal;
}

export interface SourcesStats {
  /** The remote ref (or SHA) whose fetch produced the commit. */
  fetchedRef?: string;
  /** Fetch calls made (one unless a fallback was needed). */
  fetches: number;
  /** Objects in the packs received (0 when nothing new was needed). */
  objectsFetched: number;
  /** Response body bytes received (ref advertisements plus packs). */
  bytesFetched: number;
  /** HTTP requests made. */
  requests: number;
  /** The store already held this project. */
  reusedStore: boolean;
  /** Files and bytes in the returned tree. */
  files: number;
  treeBytes: number;
  fetchMs: number;
  treeMs: number;
  totalMs: number;
}

export interface SourcesResult {
  /** `null` for `GIT_STRATEGY: none` (leave the workspace alone); empty for `empty`. */
  tree: FileTree | null;
  /** The commit the tree is (always `git_info.sha`). */
  commit: string;
  stats: SourcesStats;
}

function emptyStats(): SourcesStats {
  return {
    fetches: 0,
    objectsFetched: 0,
    bytesFetched: 0,
    requests: 0,
    reusedStore: false,
    files: 0,
    treeBytes: 0,
    fetchMs: 0,
    treeMs: 0,
    totalMs: 0,
  };
}

async function exists(fs: StoreFs, path: string): Promise<boolean> {
  try {
    await fs.promises.stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Object count of a received pack, from its `.idx` (fan-out entry 255). */
async function countPackObjects(fs: StoreFs, gitdir: string, packfile: string): Promise<number> {
  try {
    const idx = (await fs.promises.readFile(
      `${gitdir}/${packfile.replace(/\.pack$/, '.idx')}`,
    )) as Uint8Array;
    const view = new DataView(idx.buffer, idx.byteOffset, idx.byteLength);
    // v2 index: magic, version, then 256 big-endian counts.
    return view.getUint32(8 + 255 * 4);
  } catch {
    return 0;
  }
}

function describeError(err: unknown, remote: RepoRemote): string {
  const message = err instanceof Error ? err.message : String(err);
  return remote.redact(message);
}

/** Fetch, verify and read the job's commit. See the module comment. */
export async function getSources(options: GetSourcesOptions): Promise<SourcesResult> {
  const started = performance.now();
  const { gitInfo, settings, store, projectKey, signal } = options;
  const stats = emptyStats();
  const line = (kind: SourcesLine['kind'], text: string) => options.onLine?.({ kind, text });
  signal?.throwIfAborted();

  if (settings.strategy === 'none') {
    line('notice', 'Skipping Git repository setup');
    stats.totalMs = performance.now() - started;
    return { tree: null, commit: gitInfo.sha, stats };
  }
  if (settings.strategy === 'empty') {
    line('notice', 'Skipping Git repository setup and creating an empty build directory');
    stats.totalMs = performance.now() - started;
    return { tree: { files: [] }, commit: gitInfo.sha, stats };
  }
  if (gitInfo.repo_object_format && gitInfo.repo_object_format !== 'sha1') {
    throw new SourcesConfigError({
      field: 'git_info.repo_object_format',
      reason: `is ${gitInfo.repo_object_format}; only sha1 repositories are supported`,
    });
  }
  if (!/^[0-9a-f]{40}$/.test(gitInfo.sha)) {
    throw new SourcesConfigError({ field: 'git_info.sha', reason: 'is not a full 40-hex SHA-1' });
  }
  const remote = parseRepoUrl(gitInfo.repo_url);
  const depth = settings.depth > 0 ? settings.depth : 0;
  line(
    'notice',
    depth ? `Fetching changes with git depth set to ${depth}...` : 'Fetching changes...',
  );

  let bytes = 0;
  let lastReported = 0;
  const progress = (p: Omit<SourcesProgress, 'bytes'>) => options.onProgress?.({ ...p, bytes });
  const http = countingHttp(options.http, {
    ...(signal ? { signal } : {}),
    onBytes: (received) => {
      bytes = received;
      if (received - lastReported >= 256 * 1024) {
        lastReported = received;
        progress({ phase: 'fetch', step: 'Receiving bytes' });
      }
    },
  });

  const project = await store.open(projectKey, { fresh: settings.strategy === 'clone' });
  try {
    const { fs, gitdir } = project;
    const cache = {};
    const reused = await exists(fs, `${gitdir}/config`);
    stats.reusedStore = reused;
    if (!reused) await init({ fs, gitdir, bare: true, defaultBranch: 'none' });
    line(
      'plain',
      `${reused ? 'Reinitialized existing' : 'Initialized empty'} Git repository in ${options.projectDir ? `${options.projectDir}/.git` : project.location}/`,
    );
    const currentUrl = (await getConfig({ fs, gitdir, path: 'remote.origin.url' })) as
      string | undefined;
    if (currentUrl === undefined) {
      await addRemote({ fs, gitdir, remote: 'origin', url: remote.url });
      line('notice', 'Created fresh repository.');
    } else if (currentUrl !== remote.url) {
      await setConfig({ fs, gitdir, path: 'remote.origin.url', value: remote.url });
    }

    const fetchStarted = performance.now();
    progress({ phase: 'connect' });
    const tried: string[] = [];
    let have = false;
    for (const candidate of planFetch(gitInfo)) {
      signal?.throwIfAborted();
      tried.push(candidate);
      stats.fetches += 1;
      try {
        const result = await gitFetch({
          fs,
          http,
          gitdir,
          cache,
          remote: 'origin',
          url: remote.url,
          ...(options.corsProxy ? { corsProxy: options.corsProxy } : {}),
          // `ref` is the local ref offered as a `have` (the last commit this store checked
          // out): without it a new pipeline ref has no local counterpart and every fetch
          // would transfer the whole history again.
          ref: 'HEAD',
          remoteRef: candidate,
          singleBranch: true,
          tags: false,
          ...(depth ? { depth } : {}),
          headers: remote.headers(),
          onProgress: (e) =>
            progress({ phase: 'fetch', step: e.phase, loaded: e.loaded, total: e.total }),
        });
        // `packfile` is set at runtime but missing from isomorphic-git's FetchResult type.
        const packfile = (result as { packfile?: string }).packfile;
        if (packfile) stats.objectsFetched += await countPackObjects(fs, gitdir, packfile);
      } catch (err) {
        signal?.throwIfAborted();
        const code = (err as { code?: unknown }).code;
        const status = (err as { data?: { statusCode?: unknown } }).data?.statusCode;
        if (code === 'HttpError' && (status === 401 || status === 403)) {
          throw new SourcesAuthError({ url: remote.url, status });
        }
        const what = (err as { data?: { what?: unknown } }).data?.what;
        // isomorphic-git needs the remote's HEAD; a repository without a default branch fails.
        if (code === 'NotFoundError' && what === 'HEAD') {
          throw new SourcesFetchError({
            url: remote.url,
            reason: 'the repository has no default branch (its HEAD points at no commit)',
          });
        }
        // Not advertised (e.g. a deleted pipeline ref): try the next candidate.
        if (code === 'NotFoundError') continue;
        throw new SourcesFetchError({
          url: remote.url,
          ...(typeof status === 'number' ? { status } : {}),
          reason: describeError(err, remote),
        });
      }
      // A refused want resolves silently (isomorphic-git.md §1.2): check the object itself.
      try {
        await readCommit({ fs, gitdir, oid: gitInfo.sha, cache });
        have = true;
        stats.fetchedRef = candidate;
        break;
      } catch {
        // fall through to the next candidate
      }
    }
    if (!have) throw new SourcesCommitError({ sha: gitInfo.sha, tried });
    // Detached HEAD at the job's commit, like the runner's workspace; it is the next fetch's `have`.
    await writeRef({ fs, gitdir, ref: 'HEAD', value: gitInfo.sha, force: true });
    stats.fetchMs = performance.now() - fetchStarted;

    let tree: FileTree = { files: [] };
    let submodules: string[] = [];
    if (settings.checkout) {
      line(
        'notice',
        `Checking out ${gitInfo.sha.slice(0, 8)} as detached HEAD (ref is ${gitInfo.ref})...`,
      );
      const treeStarted = performance.now();
      progress({ phase: 'tree', loaded: 0 });
      const read = await readFileTree({
        fs,
        gitdir,
        oid: gitInfo.sha,
        cache,
        onFile: (files) => progress({ phase: 'tree', loaded: files }),
        ...(signal ? { signal } : {}),
      });
      tree = read.tree;
      submodules = read.submodules;
      stats.files = tree.files.length;
      stats.treeBytes = read.bytes;
      stats.treeMs = performance.now() - treeStarted;
      if (read.lfsPointers.length && !settings.lfsSkipSmudge) {
        line(
          'warning',
          `Git LFS is not supported by tabrunner: ${read.lfsPointers.length} LFS file(s) are left ` +
            `as pointer files (${read.lfsPointers.slice(0, 3).join(', ')}` +
            `${read.lfsPointers.length > 3 ? ', ...' : ''}).`,
        );
      }
    } else {
      line('notice', 'Skipping Git checkout');
    }

    if (settings.submoduleStrategy === 'none') {
      line('notice', 'Skipping Git submodules setup');
    } else {
      const recursive = settings.submoduleStrategy === 'recursive';
      line('notice', `Updating/initializing submodules${recursive ? ' recursively' : ''}...`);
      if (submodules.length) {
        line(
          'warning',
          `Git submodules are not supported by tabrunner: ${submodules.join(', ')} ` +
            `${submodules.length === 1 ? 'is' : 'are'} left as empty ` +
            `director${submodules.length === 1 ? 'y' : 'ies'} (GIT_SUBMODULE_STRATEGY=${settings.submoduleStrategy}).`,
        );
      } else if (!settings.checkout) {
        line('warning', 'Git submodules are not supported by tabrunner; none were set up.');
      }
    }

    stats.requests = http.stats.requests;
    stats.bytesFetched = http.stats.bytesReceived;
    stats.totalMs = performance.now() - started;
    progress({ phase: 'done', loaded: stats.files, total: stats.files });
    return { tree, commit: gitInfo.sha, stats };
  } finally {
    await project.release();
  }
}
