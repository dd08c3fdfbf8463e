/**
 * Messages between the page (`SourcesWorkerClient`) and the sources Worker (`worker.ts`).
 * Everything here is structured-clone safe; errors travel as `{ code, message, data }`. File
 * bytes are transferred, never copied, so the Worker cannot keep them: for the next job the page
 * keeps the last tree's blobs per project, and the Worker sends only the files whose blob
 * changed: a warm fetch reads and moves only what changed.
 */
import type { FileTree } from '../../executors/port.ts';
import type {
  FetchLimits,
  GetSourcesOptions,
  SourcesLine,
  SourcesProgress,
  SourcesStats,
} from '../sources-types.ts';
import type { StoreUsage } from '../store/source-store.ts';

/** What the page sends for one job (functions, store and http stay in the Worker). */
export type WorkerGetSourcesOptions = Pick<
  GetSourcesOptions,
  'gitInfo' | 'settings' | 'corsProxy' | 'projectKey' | 'projectDir' | 'limits'
>;

/**
 * One fetch in a tab. The pack is held twice while its received chunks are joined into one
 * buffer (512 MiB at these limits), then once beside the objects it unpacks to (768 MiB): a
 * fetch's pack and objects stay below 1 GiB of a tab's memory.
 */
export const TAB_FETCH_LIMITS: FetchLimits = {
  packBytes: 256 * 1024 * 1024,
  unpackedBytes: 512 * 1024 * 1024,
};

/** Store configuration, applied when the Worker opens the store (first request). */
export interface WorkerStoreOptions {
  /** IndexedDB name; default `tabrunner-sources`. */
  name?: string;
  maxBytes?: number;
}

export type WorkerRequest =
  | {
      id: number;
      type: 'getSources';
      options: WorkerGetSourcesOptions;
      store?: WorkerStoreOptions;
      /** The page still holds the blobs of the last tree it received for this project. */
      pageHolds: boolean;
    }
  | { id: number; type: 'abort' }
  | { id: number; type: 'usage'; store?: WorkerStoreOptions }
  | { id: number; type: 'remove'; projectKey: string; store?: WorkerStoreOptions };

export interface WorkerError {
  code: string;
  message: string;
  data: Record<string, unknown>;
}

export type WorkerResponse =
  | { id: number; type: 'progress'; progress: SourcesProgress }
  | { id: number; type: 'line'; line: SourcesLine }
  | {
      id: number;
      type: 'result';
      result: {
        tree: FileTree | null;
        commit: string;
        stats: SourcesStats;
        /**
         * Each file's blob id, and the files sent without bytes because the page holds their
         * blob from the last tree (`pageHolds`); the page fills those in.
         */
        blobs?: { ids: string[]; held: number[] };
      };
    }
  | { id: number; type: 'usage'; usage: StoreUsage }
  | { id: number; type: 'done' }
  | { id: number; type: 'error'; error: WorkerError };
