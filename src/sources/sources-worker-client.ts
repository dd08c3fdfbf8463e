/**
 * The page side of the sources Worker: a typed bridge with the same shape as `getSources`,
 * minus what lives in the Worker (store, http). Errors come back as `TabrunnerError`s with the
 * Worker's `code` and `data`; aborting the signal cancels the fetch in the Worker.
 */
import { TabrunnerError } from '../errors/index.ts';
import type { FileTree } from '../executors/port.ts';
import type { SourcesLine, SourcesProgress, SourcesStats } from './get-sources.ts';
import type { StoreUsage } from './source-store.ts';
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
  #nextId = 1;

  constructor(worker: WorkerLike, store: WorkerStoreOptions = {}) {
    this.#worker = worker;
    this.#store = store;
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
    try {
      const response = await this.#request(
        { id, type: 'getSources', options, store: this.#store },
        onProgress,
        onLine,
      );
      if (response.type !== 'result') throw new Error(`unexpected ${response.type} reply`);
      return response.result;
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
    await this.#request({ id: this.#nextId++, type: 'remove', projectKey, store: this.#store });
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
        pending.reject(new TabrunnerError(code, message, data));
      } else pending.resolve(response);
    }
  }
}
