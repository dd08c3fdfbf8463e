/**
 * A second writer for the browser cache store's tests: a Worker, which shares the page's
 * origin storage and Web Locks as another tab would. Told `{ name, backend, key, bytes, fill }`,
 * it saves `bytes` bytes of `fill` under `key`: the first half, then `started`, then the rest
 * once the page says `finish`, so the test can hold two saves of one key open at once.
 */
import { openBrowserCacheStore } from '../browser-cache-store.ts';

export interface SaveInWorkerRequest {
  name: string;
  backend: 'opfs' | 'indexeddb';
  key: string;
  bytes: number;
  fill: number;
}

export type SaveInWorkerReport =
  { type: 'started' } | { type: 'saved' } | { type: 'failed'; message: string };

let finish: () => void = () => undefined;
const finishing = new Promise<void>((resolve) => (finish = resolve));

self.onmessage = async (event: MessageEvent<SaveInWorkerRequest | 'finish'>) => {
  if (event.data === 'finish') return finish();
  const { name, backend, key, bytes, fill } = event.data;
  const report = (message: SaveInWorkerReport) => self.postMessage(message);
  try {
    const store = await openBrowserCacheStore({
      name,
      backend,
      budgetBytes: 1 << 30,
      retiredGraceMs: 0,
    });
    const half = Math.floor(bytes / 2);
    let sent = 0;
    const archive = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (sent === half) {
          report({ type: 'started' });
          await finishing;
        }
        const size = Math.min(64 * 1024, (sent < half ? half : bytes) - sent);
        if (size === 0) return controller.close();
        controller.enqueue(new Uint8Array(size).fill(fill));
        sent += size;
      },
    });
    await store.save({ gitlab: 'https://gitlab.example.com', projectId: 1, key }, archive);
    report({ type: 'saved' });
  } catch (err) {
    report({ type: 'failed', message: String(err) });
  }
};
