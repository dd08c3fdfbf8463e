/**
 * `getSources`: the `get_sources` stage (docs/runner-protocol.md §11). It fetches exactly
 * `git_info.sha` into the project's persistent store, verifies that commit is present, and reads
 * it into a `FileTree` straight from git objects (no working tree). It prints the lines GitLab's
 * runner prints (docs/runner-protocol.md §9.5), never the job token, and never returns code
 * other than the commit GitLab asked for.
 *
 * The store is a bare git directory git and isomorphic-git can read (`store/bare-repository.ts`
 * writes its config and HEAD, `store/write-pack.ts` its packs). The fetch is ours
 * (`fetch/fetch-commit.ts` over `git/wire`, indexing in `git/pack`): isomorphic-git's `fetch`
 * indexes a pack by inflating it twice through pako streams and then leaves the checkout to
 * inflate it a third time, which made a 5,000-file clone 2.5× slower than git's. Here the pack
 * is inflated once, its objects are verified and indexed in the same pass, and the checkout
 * reads them from memory.
 */
import { checkGitInfo } from './check-git-info.ts';
import { checkOut, type CheckedOut } from './checkout.ts';
import { fetchCommit } from './fetch/fetch-commit.ts';
import { openPackReader } from './store/pack-reader.ts';
import { loadWasmSha1 } from './git/pack/wasm-sha1.ts';
import { countingHttp } from './git/wire/counting-http.ts';
import { parseRepoUrl } from './git/wire/repo-url.ts';
import { initBareRepository, setOriginUrl, writeDetachedHead } from './store/bare-repository.ts';
import { sharedCheckoutCache } from './store/checkout-cache.ts';
import { SourcesCommitError } from './errors/sources-errors.ts';
import { sourcesTrace } from './sources-trace.ts';
import type {
  GetSourcesOptions,
  SourcesLine,
  SourcesProgress,
  SourcesResult,
  SourcesStats,
} from './sources-types.ts';

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

/**
 * The caller's HTTP client, counting what it receives, and progress reports that carry the
 * bytes received so far (a `Receiving bytes` report every 256 KiB).
 */
function countedTransfer(options: GetSourcesOptions) {
  let bytes = 0;
  let lastReported = 0;
  const progress = (p: Omit<SourcesProgress, 'bytes'>) => options.onProgress?.({ ...p, bytes });
  const http = countingHttp(options.http, {
    ...(options.signal ? { signal: options.signal } : {}),
    onBytes: (received) => {
      bytes = received;
      if (received - lastReported >= 256 * 1024) {
        lastReported = received;
        progress({ phase: 'fetch', step: 'Receiving bytes' });
      }
    },
  });
  return { http, progress };
}

/** Fetch, verify and read the job's commit. See the module comment. */
export async function getSources(options: GetSourcesOptions): Promise<SourcesResult> {
  const started = performance.now();
  const { gitInfo, settings, store, projectKey, signal } = options;
  const sha = gitInfo.sha;
  const stats = emptyStats();
  const print = (line: SourcesLine) => options.onLine?.(line);
  signal?.throwIfAborted();

  if (settings.strategy === 'none' || settings.strategy === 'empty') {
    print(sourcesTrace.skipped(settings.strategy));
    stats.totalMs = performance.now() - started;
    return { tree: settings.strategy === 'none' ? null : { files: [] }, commit: sha, stats };
  }
  checkGitInfo(gitInfo);
  const remote = parseRepoUrl(gitInfo.repo_url);
  const depth = settings.depth > 0 ? settings.depth : 0;
  print(sourcesTrace.fetching(depth));
  const { http, progress } = countedTransfer(options);

  // The store: a clone forgets the project's stored objects and the memory of its checkout.
  const checkoutCache = options.checkoutCache ?? sharedCheckoutCache;
  const fresh = settings.strategy === 'clone';
  if (fresh) checkoutCache.delete(projectKey);
  const project = await store.open(projectKey, { fresh });
  try {
    const { fs, gitdir } = project;
    stats.reusedStore = await initBareRepository(fs, gitdir);
    const where = options.projectDir ? `${options.projectDir}/.git` : project.location;
    print(sourcesTrace.initialized(stats.reusedStore, where));
    if ((await setOriginUrl(fs, gitdir, remote.url)) === 'added')
      print(sourcesTrace.createdRepository());

    // The fetch, and the commit verified before anything reads it.
    const fetchStarted = performance.now();
    progress({ phase: 'connect' });
    const packs = await openPackReader(fs, gitdir, projectKey);
    const remembered = checkoutCache.get(projectKey);
    const fetched = await fetchCommit({
      target: {
        http,
        remote,
        ...(options.corsProxy ? { corsProxy: options.corsProxy } : {}),
        ...(signal ? { signal } : {}),
      },
      gitInfo,
      depth,
      fs,
      gitdir,
      packs,
      sha1: store.sha1 ?? (await loadWasmSha1()),
      ...(store.inflater ? { inflater: store.inflater } : {}),
      ...(options.limits ? { limits: options.limits } : {}),
      onProgress: progress,
      ...(signal ? { signal } : {}),
    });
    stats.fetches = fetched.fetches;
    stats.objectsFetched = fetched.objectsFetched;
    if (fetched.fetchedRef) stats.fetchedRef = fetched.fetchedRef;
    const read = (oid: string) =>
      fetched.objects.get(oid) ?? remembered?.get(oid) ?? packs.read(oid);
    if (!fetched.found || (await read(sha))?.type !== 'commit') {
      throw new SourcesCommitError({ sha, tried: fetched.tried });
    }
    await writeDetachedHead(fs, gitdir, sha);
    stats.fetchMs = performance.now() - fetchStarted;

    // The checkout, and the memory of it the next job of the project starts from.
    let checkout: CheckedOut | null = null;
    if (settings.checkout) {
      print(sourcesTrace.checkingOut(sha, gitInfo.ref));
      const treeStarted = performance.now();
      progress({ phase: 'tree', loaded: 0 });
      checkout = await checkOut({
        oid: sha,
        read,
        remembered: (oid) => !fetched.objects.has(oid) && remembered?.has(oid) === true,
        ...(options.heldBlobs ? { held: fresh ? new Map() : options.heldBlobs } : {}),
        onFile: (files) => progress({ phase: 'tree', loaded: files }),
        ...(signal ? { signal } : {}),
      });
      checkoutCache.set(projectKey, checkout.objects);
      stats.objectsReused = checkout.objectsReused;
      stats.files = checkout.tree.files.length;
      stats.treeBytes = checkout.bytes;
      stats.treeMs = performance.now() - treeStarted;
      if (checkout.lfsPointers.length && !settings.lfsSkipSmudge)
        print(sourcesTrace.lfsPointers(checkout.lfsPointers));
    } else {
      print(sourcesTrace.skippedCheckout());
    }
    for (const line of sourcesTrace.submodules(settings, checkout?.submodules ?? [])) print(line);

    stats.requests = http.stats.requests;
    stats.bytesFetched = http.stats.bytesReceived;
    stats.totalMs = performance.now() - started;
    progress({ phase: 'done', loaded: stats.files, total: stats.files });
    return {
      tree: checkout?.tree ?? { files: [] },
      commit: sha,
      stats,
      ...(checkout?.blobs ? { blobs: checkout.blobs } : {}),
    };
  } finally {
    await project.release();
  }
}
