import { request, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRelay, type RunningRelay } from './node.ts';
import { heldMemory } from './testing/held-memory.ts';
import { startUpstream, type ReceivedRequest, type TestUpstream } from './testing/upstream.ts';

/** Big enough that buffering it whole would dwarf the bound below. */
const BODY_BYTES = 128 * 1024 * 1024;
const CHUNK_BYTES = 64 * 1024;
/**
 * Client, relay and upstream all run in this process, so this bounds all three together:
 * a third of the body. Measured in-flight data (socket reads, stream queues, and Node's fetch,
 * which alone keeps ~13 MiB in flight) peaks around 10-27 MiB whatever the body size; a
 * buffered copy would be 128 MiB.
 */
const MEMORY_BOUND = BODY_BYTES / 3;

let upstream: TestUpstream;
let relay: RunningRelay;

/** Writes `total` bytes in chunks, waiting for `drain` as a well-behaved server does. */
function streamBytes(res: ServerResponse, total: number): void {
  let sent = 0;
  const chunk = Buffer.alloc(CHUNK_BYTES, 7);
  const more = () => {
    while (sent < total) {
      sent += chunk.length;
      if (!res.write(chunk)) {
        res.once('drain', more);
        return;
      }
    }
    res.end();
  };
  more();
}

/**
 * Runs `work`, which calls `sample()` for every chunk it moves; every 8 MiB the held memory is
 * measured. Returns the peak growth over the baseline.
 */
async function peakGrowth(
  work: (sample: (bytes: number) => void) => Promise<void>,
): Promise<number> {
  const baseline = heldMemory();
  let peak = baseline;
  let sinceLast = 0;
  await work((bytes) => {
    sinceLast += bytes;
    if (sinceLast < 8 * 1024 * 1024) return;
    sinceLast = 0;
    peak = Math.max(peak, heldMemory());
  });
  return peak - baseline;
}

/**
 * Streams `total` bytes as a chunked POST with node:http, honouring backpressure. (Node's
 * `fetch` keeps a streamed request body alive until the response, ~64 MiB here, which would
 * measure the test's client instead of the relay.)
 */
function upload(
  url: string,
  total: number,
  sample: (bytes: number) => void,
): Promise<ReceivedRequest> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', headers: { 'Content-Type': 'application/octet-stream' } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve(JSON.parse(text) as ReceivedRequest));
      },
    );
    req.on('error', reject);
    let sent = 0;
    const more = () => {
      while (sent < total) {
        sent += CHUNK_BYTES;
        sample(CHUNK_BYTES);
        if (!req.write(Buffer.alloc(CHUNK_BYTES, 3))) {
          req.once('drain', more);
          return;
        }
      }
      req.end();
    };
    more();
  });
}

beforeAll(async () => {
  upstream = await startUpstream({
    '/group/big.git/info/refs': (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/x-git-upload-pack-advertisement' });
      streamBytes(res, BODY_BYTES);
    },
  });
  relay = await startRelay({
    port: 0,
    upstreams: [upstream.url],
    allowPrivate: [upstream.host],
    maxRequestBytes: 2 * BODY_BYTES,
    log: () => undefined,
  });
  // Warm up the code paths once, so first-use allocations are not counted as buffering.
  await upload(
    `${relay.url}/gitlab/${upstream.host}/api/v4/jobs/1/artifacts`,
    1024 * 1024,
    () => undefined,
  );
});

afterAll(async () => {
  await relay?.close();
  await upstream?.close();
});

describe('streaming with bounded memory', () => {
  it('uploads a 128 MiB artifact without holding it', async () => {
    let seen: ReceivedRequest | undefined;
    const growth = await peakGrowth(async (sample) => {
      seen = await upload(
        `${relay.url}/gitlab/${upstream.host}/api/v4/jobs/1/artifacts`,
        BODY_BYTES,
        sample,
      );
    });
    expect(seen?.bodyBytes).toBe(BODY_BYTES);
    expect(growth).toBeLessThan(MEMORY_BOUND);
  }, 60_000);

  it('downloads a 128 MiB packfile advertisement without holding it', async () => {
    let received = 0;
    const growth = await peakGrowth(async (sample) => {
      const response = await fetch(
        `${relay.url}/gitlab/${upstream.host}/group/big.git/info/refs?service=git-upload-pack`,
      );
      expect(response.status).toBe(200);
      const reader = response.body?.getReader();
      for (;;) {
        const next = await reader?.read();
        if (!next || next.done) break;
        received += next.value.byteLength;
        sample(next.value.byteLength);
      }
    });
    expect(received).toBe(BODY_BYTES);
    expect(growth).toBeLessThan(MEMORY_BOUND);
  }, 60_000);
});
