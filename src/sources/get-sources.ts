/**
 * `getSources`: the `get_sources` stage (docs/runner-protocol.md §11). It fetches exactly
 * `git_info.sha` into the project's persistent store, verifies that commit is present, and reads
 * it into a `FileTree` straight from git objects (no working tree). It prints the lines GitLab's
 * runner prints (docs/runner-protocol.md §9.5), never the job token, and never returns code other than the commit GitLab
 * asked for.
 *
 * The store is a bare git directory isomorphic-git and git can read (isomorphic-git creates it
 * and writes its config and HEAD). The fetch itself is ours (`discover-refs.ts`,
 * `upload-pack.ts`, `index-pack.ts`): isomorphic-git's `fetch` indexes a pack by inflating it
 * twice through pako streams and then leaves the checkout to inflate it a third time, which
 * made a 5,000-file clone 2.5× slower than git's. Here the pack is inflated once, its objects
 * are verified and indexed in the same pass, and the checkout reads them from memory.
 */
import { addRemote, getConfig, init, setConfig, writeRef, type HttpClient } from 'isomorphic-git';
import type { FileTree } from '../executors/port.ts';
import { sharedCheckoutCache, type CheckoutCache } from './store/checkout-cache.ts';
import { countingHttp } from './git/wire/counting-http.ts';
import { discoverRefs } from './git/wire/discover-refs.ts';
import { planFetch, type GitInfo } from './fetch-plan.ts';
import { oidAt, type GitObject } from './git/pack/git-object.ts';
import type { GitHttpTarget } from './git/wire/git-http.ts';
import { indexPack } from './git/pack/index-pack.ts';
import { openPackReader } from './git/pack/pack-reader.ts';
import { readFileTree, type HeldBlobs } from './store/read-file-tree.ts';
import { parseRepoUrl } from './git/wire/repo-url.ts';
import { createJsSha1 } from './git/pack/sha1.ts';
import type { SourceStore, StoreFs } from './store/source-store.ts';
import { SourcesCommitError, SourcesConfigError } from './sources-errors.ts';
import { uploadPack } from './git/wire/upload-pack.ts';

/** The `GIT_*` settings, already resolved from job variables by `src/job` (docs/runner-protocol.md §10.4). */
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
  /** The step: git's own (`Counting objects`, `Compressing objects`), `Receiving bytes`, `Indexing objects`. */
  step?: string;
  /** Objects (fetch) or files (tree) done so far, and the total when known. */
  loaded?: number;
  total?: number;
  /** Response bytes received so far. */
  bytes: number;
}

export interface GetSourcesOptions {
  /** The job payload's `git_info` (docs/runner-protocol.md §4.3); `repo_url` carries the job token. */
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
  /** Where the last checkout of each project is kept; default one per process or Worker. */
  checkoutCache?: CheckoutCache;
  /**
   * How much one fetch may bring: the pack's bytes, and the bytes its objects unpack to (both
   * 1 GiB by default; the tab's Worker passes less, a tab's memory is smaller).
   */
  limits?: FetchLimits;
  /**
   * For a caller that keeps the blobs of the trees it received (the sources Worker's page
   * side, which gets them transferred, not copied): files whose blob is named here come back
   * without bytes, listed in `SourcesResult.blobs`, and the checkout cache keeps only trees,
   * since every blob returned becomes the caller's. Ignored for `GIT_STRATEGY: clone`.
   */
  heldBlobs?: HeldBlobs;
}

export interface FetchLimits {
  packBytes: number;
  unpackedBytes: number;
}

export interface SourcesStats {
  /** The remote ref (or SHA) whose fetch produced the commit. */
  fetchedRef?: string;
  /** upload-pack requests made: one, unless the server refused the commit id; 0 when stored. */
  fetches: number;
  /** Objects in the packs received (0 when nothing new was needed). */
  objectsFetched: number;
  /**
   * Trees and blobs the checkout took from the previous checkout held in memory (files whose
   * blob the caller holds, with `heldBlobs`, count too).
   */
  objectsReused: number;
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
  /**
   * `null` for `GIT_STRATEGY: none` (leave the workspace alone); empty for `empty`. The file
   * bytes are shared with the checkout cache: do not modify them in place.
   */
  tree: FileTree | null;
  /** The commit the tree is (always `git_info.sha`). */
  commit: string;
  stats: SourcesStats;
  /** With `heldBlobs` and a checkout: which files to fill in, and what to hold next. */
  blobs?: { ids: string[]; held: number[]; all: HeldBlobs };
}

/** What every git server since 1.6 offers; asked for without a ref advertisement to check. */
const DIRECT_CAPABILITIES = new Set(['side-band-64k', 'ofs-delta', 'shallow']);

function emptyStats(): SourcesStats {
  return {
    fetches: 0,
    objectsFetched: 0,
    objectsReused: 0,
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

async function readText(fs: StoreFs, path: string): Promise<string> {
  try {
    return (await fs.promises.readFile(path, 'utf8')) as string;
  } catch {
    return '';
  }
}

/** `Counting objects:  50% (1/2)` and the like, as progress. */
function serverProgress(text: string): { step: string; loaded: number; total: number }[] {
  const out = [];
  for (const line of text.split(/[\r\n]+/)) {
    const match = /^([^:]+):\s+\d+% \((\d+)\/(\d+)\)/.exec(line.trim());
    if (match)
      out.push({ step: match[1] as string, loaded: Number(match[2]), total: Number(match[3]) });
  }
  return out;
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

  const checkoutCache = options.checkoutCache ?? sharedCheckoutCache;
  const fresh = settings.strategy === 'clone';
  if (fresh) checkoutCache.delete(projectKey);
  const project = await store.open(projectKey, { fresh });
  try {
    const { fs, gitdir } = project;
    const sha1 = store.sha1 ?? createJsSha1;
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
    const target: GitHttpTarget = {
      http,
      remote,
      ...(options.corsProxy ? { corsProxy: options.corsProxy } : {}),
      ...(signal ? { signal } : {}),
    };
    const packs = await openPackReader(fs, gitdir, projectKey);
    const remembered = checkoutCache.get(projectKey);
    const fetched = new Map<string, GitObject>();
    // What the store holds decides what to fetch: the memory of the last checkout only saves
    // reading, so a store never ends up with a HEAD whose objects it lacks.
    const has = (oid: string) => fetched.has(oid) || packs.has(oid);
    const shallowPath = `${gitdir}/shallow`;
    const shallow = new Set((await readText(fs, shallowPath)).split('\n').filter(Boolean));
    // The last checked-out commit is the one `have`: without it a new pipeline ref has no
    // local counterpart and every fetch would transfer the whole history again.
    const head = (await readText(fs, `${gitdir}/HEAD`)).trim();
    const haves = /^[0-9a-f]{40}$/.test(head) && has(head) ? [head] : [];

    /** One upload-pack exchange for `want`; nothing of the pack is used before it checks out. */
    const fetchWant = async (want: string, capabilities: Set<string>): Promise<void> => {
      stats.fetches += 1;
      const result = await uploadPack(target, {
        wants: [want],
        haves,
        shallows: [...shallow],
        depth,
        capabilities,
        onProgress: (text) => {
          for (const p of serverProgress(text)) progress({ phase: 'fetch', ...p });
        },
        ...(options.limits ? { maxPackBytes: options.limits.packBytes } : {}),
      });
      if (result.pack) {
        const pack = result.pack;
        // The pack is written while it is indexed (the Worker's IndexedDB write costs as much as
        // the indexing); its index is written only once it checks out, so a rejected pack stays
        // invisible to readers, and is deleted.
        const base = `${gitdir}/objects/pack/pack-${oidAt(pack, pack.length - 20)}`;
        const written = Promise.resolve(fs.promises.writeFile(`${base}.pack`, pack));
        let indexed: Awaited<ReturnType<typeof indexPack>>;
        try {
          indexed = await indexPack(pack, {
            sha1,
            ...(options.limits ? { maxBytes: options.limits.unpackedBytes } : {}),
            externalBase: async (oid) => fetched.get(oid) ?? (await packs.read(oid)),
            onProgress: (loaded, total) =>
              progress({ phase: 'fetch', step: 'Indexing objects', loaded, total }),
            ...(signal ? { signal } : {}),
          });
        } catch (err) {
          await written.then(
            () => fs.promises.unlink(`${base}.pack`),
            () => undefined,
          );
          throw err;
        }
        await written;
        if (indexed.objects.size) {
          await fs.promises.writeFile(`${base}.idx`, indexed.idx);
          for (const [oid, object] of indexed.objects) fetched.set(oid, object);
          stats.objectsFetched += indexed.objects.size;
        } else await fs.promises.unlink(`${base}.pack`);
      }
      if (result.shallow.length || result.unshallow.length) {
        for (const oid of result.shallow) shallow.add(oid);
        for (const oid of result.unshallow) shallow.delete(oid);
        if (shallow.size) await fs.promises.writeFile(shallowPath, [...shallow, ''].join('\n'));
        else await fs.promises.unlink(shallowPath).catch(() => undefined);
      }
    };

    const tried: string[] = [];
    let have = has(gitInfo.sha);
    if (have) {
      // Nothing to transfer, but the server still decides whether this job's token may read
      // the project.
      await discoverRefs(target);
    } else {
      // Usually one request: git's stateless HTTP upload-pack accepts any commit reachable from
      // its refs as a want, so the commit is asked for by id, without the ref advertisement
      // (megabytes on a busy GitLab project). A server that refuses sends nothing, and the
      // refs of the fetch plan are tried in order.
      tried.push(gitInfo.sha);
      await fetchWant(gitInfo.sha, DIRECT_CAPABILITIES);
      have = has(gitInfo.sha);
      if (have) stats.fetchedRef = gitInfo.sha;
    }
    if (!have) {
      const advertised = await discoverRefs(target);
      for (const candidate of planFetch(gitInfo)) {
        signal?.throwIfAborted();
        if (candidate === gitInfo.sha) continue;
        tried.push(candidate);
        const want = advertised.refs.get(candidate);
        // Not advertised (e.g. a deleted pipeline ref), or a tip this store already has and
        // that did not bring the commit: try the next candidate.
        if (!want || has(want)) continue;
        await fetchWant(want, advertised.capabilities);
        // An unrelated want leaves the commit missing: the object itself decides.
        if (has(gitInfo.sha)) {
          have = true;
          stats.fetchedRef = candidate;
          break;
        }
      }
    }
    const readObject = (oid: string) => fetched.get(oid) ?? remembered?.get(oid) ?? packs.read(oid);
    if (!have || (await readObject(gitInfo.sha))?.type !== 'commit') {
      throw new SourcesCommitError({ sha: gitInfo.sha, tried });
    }
    // Detached HEAD at the job's commit, like the runner's workspace; it is the next fetch's `have`.
    await writeRef({ fs, gitdir, ref: 'HEAD', value: gitInfo.sha, force: true });
    stats.fetchMs = performance.now() - fetchStarted;

    let tree: FileTree = { files: [] };
    let blobs: SourcesResult['blobs'];
    let submodules: string[] = [];
    if (settings.checkout) {
      line(
        'notice',
        `Checking out ${gitInfo.sha.slice(0, 8)} as detached HEAD (ref is ${gitInfo.ref})...`,
      );
      const treeStarted = performance.now();
      progress({ phase: 'tree', loaded: 0 });
      const checkout = await readFileTree({
        oid: gitInfo.sha,
        ...(options.heldBlobs ? { held: fresh ? new Map() : options.heldBlobs } : {}),
        read: (oid) => {
          if (!fetched.has(oid) && remembered?.has(oid)) stats.objectsReused += 1;
          return readObject(oid);
        },
        onFile: (files) => progress({ phase: 'tree', loaded: files }),
        ...(signal ? { signal } : {}),
      });
      if (options.heldBlobs) {
        // Returned blobs become the caller's (a Worker transfers them): keep only the trees.
        for (const [oid, object] of checkout.objects)
          if (object.type === 'blob') checkout.objects.delete(oid);
        blobs = { ids: checkout.blobIds, held: checkout.held, all: checkout.blobs };
        stats.objectsReused += checkout.held.length;
      }
      checkoutCache.set(projectKey, checkout.objects);
      tree = checkout.tree;
      submodules = checkout.submodules;
      stats.files = tree.files.length;
      stats.treeBytes = checkout.bytes;
      stats.treeMs = performance.now() - treeStarted;
      if (checkout.lfsPointers.length && !settings.lfsSkipSmudge) {
        line(
          'warning',
          `Git LFS is not supported by tabrunner: ${checkout.lfsPointers.length} LFS file(s) are left ` +
            `as pointer files (${checkout.lfsPointers.slice(0, 3).join(', ')}` +
            `${checkout.lfsPointers.length > 3 ? ', ...' : ''}).`,
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
    return { tree, commit: gitInfo.sha, stats, ...(blobs ? { blobs } : {}) };
  } finally {
    await project.release();
  }
}
