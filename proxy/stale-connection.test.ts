/**
 * A pooled connection the upstream closed while it sat idle: the relay's next request on it
 * dies before any answer, and nothing reached GitLab. A request without a body is sent again on
 * a new connection; one with a body (already streamed) is not, and fails as before. The upstream
 * here is a real node:http server that drops a connection when a second request arrives on it,
 * the way an idle-timeout close crosses a request on the wire.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRelay, type RelayHandler } from './handler.ts';

let server: Server;
let host = '';
let relay: RelayHandler;
/** Requests that reached the upstream, each with the connection it came on. */
const seen: { method: string; connection: number }[] = [];
/** Requests the upstream dropped, unanswered. */
let dropped = 0;

beforeAll(async () => {
  const served = new Map<Socket, number>();
  let connections = 0;
  server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    const socket = req.socket;
    const id = served.get(socket) ?? ++connections;
    if (served.has(socket)) {
      // The connection's second request: gone, as if the idle close got there first.
      dropped++;
      socket.destroy();
      return;
    }
    served.set(socket, id);
    req.resume();
    req.on('end', () => {
      seen.push({ method: req.method ?? '', connection: id });
      res.writeHead(200, { 'Content-Type': 'text/plain', Connection: 'keep-alive' });
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  relay = createRelay(
    { upstreams: [`http://${host}`], allowPrivate: [host], publicUrls: ['http://relay.test'] },
    { log: () => undefined },
  );
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const refs = () =>
  relay(
    new Request(
      `http://relay.test/gitlab/${host}/demo/sample.git/info/refs?service=git-upload-pack`,
    ),
  );

describe('a pooled connection the upstream closed', () => {
  it('sends a request without a body again on a new connection', async () => {
    const first = await refs();
    expect(first.status).toBe(200);
    expect(await first.text()).toBe('ok');
    const second = await refs();
    expect(second.status).toBe(200);
    expect(await second.text()).toBe('ok');
    expect(dropped).toBe(1);
    expect(seen.map((s) => s.connection)).toEqual([1, 2]);
  });

  it('does not send a request with a body twice: it fails as unreachable', async () => {
    // A new pooled connection, which then serves its one request.
    expect(await (await refs()).text()).toBe('ok');
    const before = seen.length;
    const answer = await relay(
      new Request(`http://relay.test/gitlab/${host}/demo/sample.git/git-upload-pack`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-git-upload-pack-request' },
        body: '0000',
      }),
    );
    expect(answer.status).toBe(502);
    expect(await answer.json()).toMatchObject({ error: 'upstream_unreachable' });
    expect(dropped).toBe(2);
    expect(seen.length).toBe(before);
  });
});
