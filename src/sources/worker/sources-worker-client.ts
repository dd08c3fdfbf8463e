/**
 * The page side of the sources Worker: a typed bridge with the same shape as `getSources`,
 * minus what lives in the Worker (store, http). Errors come back as `TabrunnerError`s with the
 * Worker's `code` and `data`; aborting the signal cancels the fetch in the Worker.
 *
 * File bytes arrive transferred. The client keeps the last tree's blobs of each project (up to
 * `maxHeldBytes`, least recently used project dropped first), so the Worker sends the next
 * tree's unchanged files without bytes and they are filled in here: the same bytes, neither
 * re-read from the store nor copied. The bytes are shared with the tree handed out: do not
 * modify them in place.
 */
import { isErrorCode, TabrunnerError } from '../../errors/index.ts';
import type { FileTree } from '../../executors/port.ts';
import type { SourcesLine, SourcesProgress, SourcesStats } from '../sources-types.ts';
import type { StoreUsage } from '../store/source-store.ts';
import type {
  WorkerGetSourcesOptions,
  WorkerRequest,
  WorkerResponse,
  WorkerStoreOptions,
} from './worker-protocol.ts';

/** The part of `Worker` the client uses (a real Worker, or a fake in tests). */
export interface WorkerLike {
  postMessage(message: WorkerRequest): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<WorkerResponse>) => void): void;
  terminate(): void;
}

interface Pending {
  resolve(value: WorkerResponse): void;
  reject(error: unknown): void;
  onProgress?: ((progress: SourcesProgress) => void) | undefined;
  onLine?: ((line: SourcesLine) => void) | undefined;
}

/** 512 MiB: a few checkouts of a large project, about what one tab's executor holds anyway. */
const DEFAULT_MAX_HELD_BYTES = 512 * 1024 * 1024;

export interface WorkerGetSourcesCall extends WorkerGetSourcesOptions {
  onProgress?: (progress: SourcesProgress) => void;
  onLine?: (line: SourcesLine) => void;
  signal?: AbortSignal;
}

/** Drives `worker.ts`. One client per Worker; calls may overlap (different projects). */
export class SourcesWorkerClient {
  readonly #worker: WorkerLike;
  readonly #store: WorkerStoreOptions;
  readonly #pending = new Map<number, Pending>();
  /** Per project: the blobs of the last tree received, by id, and their total size. */
  readonly #held = new Map<string, { blobs: Map<string, Uint8Array>; bytes: number }>();
  readonly #maxHeldBytes: number;
  #nextId = 1;

  constructor(
    worker: WorkerLike,
    store: WorkerStoreOptions = {},
    options: { maxHeldBytes?: number } = {},
  ) {
    this.#worker = worker;
    this.#store = store;
    this.#maxHeldBytes = options.maxHeldBytes ?? DEFAULT_MAX_HELD_BYTES;
    worker.addEventListener('message', (event) => this.#receive(event.data));
  }

  /** `getSources` in the Worker. Resolves with the tree (buffers transferred, not copied). */
  async getSources(
    call: WorkerGetSourcesCall,
  ): Promise<{ tree: FileTree | null; commit: string; stats: SourcesStats }> {
    const { onProgress, onLine, signal, ...options } = call;
    signal?.throwIfAborted();
    const id = this.#nextId++;
    const onAbort = () => this.#worker.postMessage({ id, type: 'abort' });
    signal?.addEventListener('abort', onAbort, { once: true });
    const held = this.#held.get(options.projectKey);
    try {
      const response = await this.#request(
        { id, type: 'getSources', options, store: this.#store, pageHolds: Boolean(held) },
        onProgress,
        onLine,
      );
      if (response.type !== 'result') throw new Error(`unexpected ${response.type} reply`);
      const { blobs, ...result } = response.result;
      if (blobs && result.tree) this.#fillIn(options.projectKey, result.tree, blobs, held?.blobs);
      return result;
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      throw err;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** What the IndexedDB store holds. */
  async usage(): Promise<StoreUsage> {
    const response = await this.#request({ id: this.#nextId++, type: 'usage', store: this.#store });
    if (response.type !== 'usage') throw new Error(`unexpected ${response.type} reply`);
    return response.usage;
  }

  /** Delete one project's store. */
  async remove(projectKey: string): Promise<void> {
    this.#held.delete(projectKey);
    await this.#request({ id: this.#nextId++, type: 'remove', projectKey, store: this.#store });
  }

  /** Put the held bytes into the files sent without them; hold this tree's blobs next. */
  #fillIn(
    projectKey: string,
    tree: FileTree,
    blobs: { ids: string[]; held: number[] },
    previous: Map<string, Uint8Array> | undefined,
  ): void {
    for (const i of blobs.held) {
      const file = tree.files[i];
      const data = previous?.get(blobs.ids[i] ?? '');
      if (!file || !data) {
        throw new TabrunnerError(
          'SourcesWorkerProtocol',
          'The sources worker referred to a file the page does not hold; retry the job.',
          { projectKey },
        );
      }
      file.data = data;
    }
    const next = new Map<string, Uint8Array>();
    let bytes = 0;
    tree.files.forEach((file, i) => {
      const oid = blobs.ids[i];
      if (oid && !next.has(oid)) {
        next.set(oid, file.data);
        bytes += file.data.length;
      }
    });
    this.#held.delete(projectKey);
    if (bytes > this.#maxHeldBytes) return;
    this.#held.set(projectKey, { blobs: next, bytes });
    let total = 0;
    for (const entry of this.#held.values()) total += entry.bytes;
    for (const [key, entry] of this.#held) {
      if (total <= this.#maxHeldBytes) break;
      this.#held.delete(key);
      total -= entry.bytes;
    }
  }

  /** Stop the Worker; pending calls reject. */
  dispose(): void {
    this.#worker.terminate();
    for (const pending of this.#pending.values()) {
      pending.reject(
        new TabrunnerError('SourcesWorkerDisposed', 'The sources worker was stopped.', {}),
      );
    }
    this.#pending.clear();
  }

  #request(
    message: WorkerRequest,
    onProgress?: (progress: SourcesProgress) => void,
    onLine?: (line: SourcesLine) => void,
  ): Promise<WorkerResponse> {
    return new Promise((resolve, reject) => {
      this.#pending.set(message.id, { resolve, reject, onProgress, onLine });
      this.#worker.postMessage(message);
    });
  }

  #receive(response: WorkerResponse): void {
    const pending = this.#pending.get(response.id);
    if (!pending) return;
    if (response.type === 'progress') pending.onProgress?.(response.progress);
    else if (response.type === 'line') pending.onLine?.(response.line);
    else {
      this.#pending.delete(response.id);
      if (response.type === 'error') {
        const { code, message, data } = response.error;
        // An error that is not ours (a bug, a storage failure) keeps its message; its own code
        // rides in `data` so nothing compares against a code the compiler does not know.
        pending.reject(
          isErrorCode(code)
            ? new TabrunnerError(code, message, data)
            : new TabrunnerError('SourcesWorkerFailed', message, { ...data, workerCode: code }),
        );
      } else pending.resolve(response);
    }
  }
}
