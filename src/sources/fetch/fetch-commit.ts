/**
 * How `getSources` obtains exactly `git_info.sha` with as few requests as it can. What the store
 * holds decides what to fetch (the memory of the last checkout only saves reading, so a store
 * never ends up with a HEAD whose objects it lacks):
 * - the store has the commit: nothing to transfer, but the ref advertisement is still asked
 *   for, so the server decides whether this job's token may read the project;
 * - otherwise the commit is asked for by id, without the ref advertisement (megabytes on a busy
 *   GitLab project): git's stateless HTTP upload-pack accepts any commit reachable from its refs
 *   as a want. Usually that is the one request;
 * - a server that refuses sends nothing, and the refs of the fetch plan (`fetch-plan.ts`) are
 *   tried in order, until the commit object itself is in the store.
 * The store's HEAD (the last job's commit) is the one `have`: without it a new pipeline ref has
 * no local counterpart and every fetch would transfer the whole history again.
 */
import type { GitObject } from '../git/pack/git-object.ts';
import type { PackReader } from '../store/pack-reader.ts';
import type { ObjectInflater } from '../git/pack/object-inflater.ts';
import type { CreateSha1 } from '../git/pack/sha1.ts';
import { discoverRefs } from '../git/wire/discover-refs.ts';
import type { GitHttpTarget } from '../git/wire/git-http.ts';
import { readDetachedHead, readShallow } from '../store/bare-repository.ts';
import type { StoreFs } from '../store/source-store.ts';
import {
  fetchPack,
  type FetchLimits,
  type FetchPackContext,
  type FetchProgress,
} from './fetch-pack.ts';
import { planFetch, type GitInfo } from './fetch-plan.ts';

export interface FetchCommitOptions {
  target: GitHttpTarget;
  gitInfo: GitInfo;
  /** Commits of history to fetch; 0 for all. */
  depth: number;
  fs: StoreFs;
  gitdir: string;
  packs: PackReader;
  sha1: CreateSha1;
  /** The store's inflater (`SourceStore.inflater`); default ours. */
  inflater?: ObjectInflater;
  limits?: FetchLimits;
  onProgress: (progress: FetchProgress) => void;
  signal?: AbortSignal;
}

export interface FetchedCommit {
  /** The store now holds the commit's id (whether it names a commit is the caller's check). */
  found: boolean;
  /** Every object the fetches brought, by id, inflated. */
  objects: Map<string, GitObject>;
  /** What was asked for, in order: the commit id, then refs of the fetch plan. */
  tried: string[];
  /** The ref (or the commit id) whose fetch brought the commit. */
  fetchedRef?: string;
  /** upload-pack requests made. */
  fetches: number;
  /** Objects in the packs received. */
  objectsFetched: number;
}

/** What every git server since 1.6 offers; asked for without a ref advertisement to check. */
const DIRECT_CAPABILITIES = new Set(['side-band-64k', 'ofs-delta', 'shallow']);

/** Fetch `gitInfo.sha` into the store unless it is there. See the module comment. */
export async function fetchCommit(options: FetchCommitOptions): Promise<FetchedCommit> {
  const { target, gitInfo, fs, gitdir, packs, signal } = options;
  const sha = gitInfo.sha;
  const objects = new Map<string, GitObject>();
  const has = (oid: string) => objects.has(oid) || packs.has(oid);
  const head = await readDetachedHead(fs, gitdir);
  const context: FetchPackContext = {
    target,
    fs,
    gitdir,
    packs,
    fetched: objects,
    shallow: await readShallow(fs, gitdir),
    haves: head && has(head) ? [head] : [],
    depth: options.depth,
    sha1: options.sha1,
    ...(options.inflater ? { inflater: options.inflater } : {}),
    ...(options.limits ? { limits: options.limits } : {}),
    onProgress: options.onProgress,
    ...(signal ? { signal } : {}),
  };
  const fetched: FetchedCommit = {
    found: has(sha),
    objects,
    tried: [],
    fetches: 0,
    objectsFetched: 0,
  };
  const fetch = async (want: string, capabilities: Set<string>): Promise<void> => {
    fetched.fetches += 1;
    fetched.objectsFetched += await fetchPack(context, want, capabilities);
  };

  if (fetched.found) {
    await discoverRefs(target);
    return fetched;
  }
  fetched.tried.push(sha);
  await fetch(sha, DIRECT_CAPABILITIES);
  if (has(sha)) return { ...fetched, found: true, fetchedRef: sha };

  const advertised = await discoverRefs(target);
  for (const candidate of planFetch(gitInfo)) {
    signal?.throwIfAborted();
    if (candidate === sha) continue;
    fetched.tried.push(candidate);
    const want = advertised.refs.get(candidate);
    // Not advertised (e.g. a deleted pipeline ref), or a tip this store already has and that
    // did not bring the commit: try the next candidate.
    if (!want || has(want)) continue;
    await fetch(want, advertised.capabilities);
    // An unrelated want leaves the commit missing: the object itself decides.
    if (has(sha)) return { ...fetched, found: true, fetchedRef: candidate };
  }
  return fetched;
}
