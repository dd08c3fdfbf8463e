/**
 * The sources Web Worker: runs `getSources` with the IndexedDB store and isomorphic-git's web
 * HTTP client (the only part of isomorphic-git it carries) off the page's thread, so cloning
 * and inflating packs never freeze the tab, and with the fetch limits of a tab
 * (`TAB_FETCH_LIMITS`, unless the page names others). Start it with
 * `new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' })` and talk to it
 * through `SourcesWorkerClient`.
 */
import http from 'isomorphic-git/http/web';
import { sharedCheckoutCache } from '../store/checkout-cache.ts';
import { getSources } from '../get-sources.ts';
import { createIdbSourceStore } from '../store/idb-source-store.ts';
import type { HeldBlobs } from '../store/read-file-tree.ts';
import type { SourceStore } from '../store/source-store.ts';
import {
  TAB_FETCH_LIMITS,
  type WorkerError,
  type WorkerRequest,
  type WorkerResponse,
  type WorkerStoreOptions,
} from './worker-protocol.ts';

interface WorkerScope {
  postMessage(message: WorkerResponse, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<WorkerRequest>) => void): void;
}

const scope = self as unknown as WorkerScope;
const controllers = new Map<number, AbortController>();
let store: SourceStore | null = null;
/** Per project: the blobs of the last tree sent to the page, which the page keeps. */
const pageHolds = new Map<string, HeldBlobs>();

function storeFor(options: WorkerStoreOptions | undefined): SourceStore {
  store ??= createIdbSourceStore({
    ...(options?.name ? { name: options.name } : {}),
    ...(options?.maxBytes !== undefined ? { maxBytes: options.maxBytes } : {}),
  });
  return store;
}

function toWorkerError(err: unknown): WorkerError {
  if (typeof err === 'object' && err !== null) {
    const e = err as { code?: unknown; name?: unknown; message?: unknown; data?: unknown };
    return {
      code: typeof e.code === 'string' ? e.code : typeof e.name === 'string' ? e.name : 'Error',
      message: typeof e.message === 'string' ? e.message : String(err),
      data: typeof e.data === 'object' && e.data !== null ? { ...e.data } : {},
    };
  }
  return { code: 'Error', message: String(err), data: {} };
}

/**
 * Transfer the file buffers that each own a whole ArrayBuffer (every blob does: the checkout
 * cache keeps only trees here); copy the rest. `skip`: files sent without bytes.
 */
function transferables(files: { data: Uint8Array }[], skip: number[] = []): Transferable[] {
  const seen = new Set<ArrayBufferLike>();
  const out: Transferable[] = [];
  const skipped = new Set(skip);
  for (const [i, { data }] of files.entries()) {
    if (skipped.has(i)) continue;
    const buffer = data.buffer;
    if (
      buffer instanceof ArrayBuffer &&
      data.byteOffset === 0 &&
      data.byteLength === buffer.byteLength &&
      !seen.has(buffer)
    ) {
      seen.add(buffer);
      out.push(buffer);
    }
  }
  return out;
}

async function handle(request: WorkerRequest): Promise<void> {
  const { id } = request;
  try {
    switch (request.type) {
      case 'abort':
        controllers.get(id)?.abort(new DOMException('The job was canceled', 'AbortError'));
        return;
      case 'usage':
        scope.postMessage({ id, type: 'usage', usage: await storeFor(request.store).usage() });
        return;
      case 'remove':
        pageHolds.delete(request.projectKey);
        sharedCheckoutCache.delete(request.projectKey);
        await storeFor(request.store).remove(request.projectKey);
        scope.postMessage({ id, type: 'done' });
        return;
      case 'getSources': {
        const controller = new AbortController();
        controllers.set(id, controller);
        const key = request.options.projectKey;
        const held = request.pageHolds ? pageHolds.get(key) : undefined;
        // A job of this project running meanwhile must not count on blobs this one replaces.
        pageHolds.delete(key);
        let sent = false;
        try {
          const { blobs, ...result } = await getSources({
            ...request.options,
            // Not a default spread under the options: a page passing `limits: undefined` would
            // wipe it and leave the fetch unbounded.
            limits: request.options.limits ?? TAB_FETCH_LIMITS,
            store: storeFor(request.store),
            http,
            signal: controller.signal,
            heldBlobs: held ?? new Map(),
            onProgress: (progress) => scope.postMessage({ id, type: 'progress', progress }),
            onLine: (line) => scope.postMessage({ id, type: 'line', line }),
          });
          scope.postMessage(
            {
              id,
              type: 'result',
              result: {
                ...result,
                ...(blobs ? { blobs: { ids: blobs.ids, held: blobs.held } } : {}),
              },
            },
            result.tree ? transferables(result.tree.files, blobs?.held) : [],
          );
          sent = true;
          if (blobs) pageHolds.set(key, blobs.all);
        } finally {
          // A failed job changed nothing on the page: it still holds what it held.
          if (!sent && held) pageHolds.set(key, held);
          controllers.delete(id);
        }
        return;
      }
    }
  } catch (err) {
    scope.postMessage({ id, type: 'error', error: toWorkerError(err) });
  }
}

scope.addEventListener('message', (event) => {
  void handle(event.data);
});
