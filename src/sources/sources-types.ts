/**
 * What `getSources` takes and gives back: the job's `GIT_*` settings, the options, the trace
 * lines and progress it reports, and the result with its statistics.
 */
import type { HttpClient } from 'isomorphic-git';
import type { FileTree } from '../executors/port.ts';
import type { FetchLimits } from './fetch/fetch-pack.ts';
import type { GitInfo } from './fetch/fetch-plan.ts';
import type { CheckoutCache } from './store/checkout-cache.ts';
import type { HeldBlobs } from './store/read-file-tree.ts';
import type { SourceStore } from './store/source-store.ts';

export type { FetchLimits };

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
  /**
   * The HTTP client the fetch sends git's requests through: isomorphic-git's
   * (`isomorphic-git/http/node`, `isomorphic-git/http/web`), or any of its `HttpClient` shape.
   */
  http: HttpClient;
  /** CORS relay prefix for browsers (as isomorphic-git's `corsProxy`); never saved to the store. */
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
