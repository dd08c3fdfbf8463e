/**
 * What the server adds around the route tables, pinned where Hono's defaults differ from Rails:
 * HEAD is not GET, paths match as sent, a client that leaves ends a long poll, a request without
 * `Host` is served, and streamed answers reach the request log.
 */
import { connect } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startEmulator, type Emulator } from './index.ts';
import { requestJob } from './test-support/index.ts';

let emulator: Emulator;

beforeEach(async () => {
  emulator = await startEmulator({ longPollSeconds: 50 });
});
afterEach(() => emulator.close());

/** One raw HTTP exchange; resolves with everything the server sent before it closed. */
function rawExchange(text: string): Promise<string> {
  const { hostname, port } = new URL(emulator.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(text));
    let received = '';
    socket.setTimeout(5_000, () => socket.destroy(new Error('no answer within 5 s')));
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    socket.on('error', reject);
    socket.on('close', () => resolve(received));
  });
}

describe('emulator server', () => {
  it('answers HEAD on a GET route with 405, as Grape does, instead of running the GET handler', async () => {
    const api = await fetch(`${emulator.url}/api/v4/jobs/1/artifacts`, { method: 'HEAD' });
    expect(api.status).toBe(405);
    const admin = await fetch(`${emulator.url}/admin/api/jobs`, {
      method: 'HEAD',
      headers: { 'PRIVATE-TOKEN': emulator.adminToken },
    });
    expect(admin.status).toBe(405);
  });

  it('matches the path as sent: an escaped letter in a fixed segment reaches no route', async () => {
    const runner = emulator.createRunner();
    const escaped = await fetch(`${emulator.url}/api/v4/job%73/request`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ token: runner.token }),
    });
    expect(escaped.status).toBe(404);
    expect((await requestJob(emulator.url, runner.token)).status).toBe(204);
  });

  it('ends a long poll whose client left and logs it with status 0', async () => {
    const runner = emulator.createRunner();
    const first = await requestJob(emulator.url, runner.token);
    const lastUpdate = first.headers.get('x-gitlab-last-update') ?? '';
    expect(lastUpdate).not.toBe('');
    const client = new AbortController();
    const held = fetch(`${emulator.url}/api/v4/jobs/request`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ token: runner.token, last_update: lastUpdate }),
      signal: client.signal,
    }).catch((error: unknown) => error);
    // Leaving means something only once the server holds the poll.
    await vi.waitFor(() => expect(emulator.state.listenerCount).toBe(1), { timeout: 5_000 });
    client.abort();
    expect(await held).toMatchObject({ name: 'AbortError' });
    await vi.waitFor(() => expect(emulator.state.listenerCount).toBe(0), { timeout: 5_000 });
    await vi.waitFor(
      () => expect(emulator.requests().map((entry) => entry.status)).toEqual([204, 0]),
      { timeout: 5_000 },
    );
  });

  it('serves an HTTP/1.0 request that names no Host', async () => {
    const answer = await rawExchange('GET /api/v4/nothing HTTP/1.0\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 404 /);
    expect(answer).toMatch(/\r\nx-request-id: [0-9A-F]{26}\r\n/i);
    expect(answer.endsWith('{"message":"404 Not Found"}')).toBe(true);
  });

  it('logs a streamed page answer once it has been sent', async () => {
    const page = await fetch(`${emulator.url}/`);
    expect(page.status).toBe(200);
    await page.text();
    await vi.waitFor(
      () =>
        expect(emulator.requests()).toEqual([
          expect.objectContaining({ method: 'GET', path: '/', status: 200 }),
        ]),
      { timeout: 5_000 },
    );
  });
});
