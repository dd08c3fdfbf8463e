import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContactHealth, observeContact, type ContactOutcome } from './contact-health.ts';

describe('ContactHealth', () => {
  it('knows nothing before the first request', () => {
    expect(new ContactHealth().status).toEqual({
      lastContactAt: null,
      unreachableSince: null,
      failures: 0,
      lastProblem: null,
    });
  });

  it('keeps the first failure as the start of the outage, and clears it on the next answer', () => {
    const health = new ContactHealth();
    health.record({ at: 1_000, ok: true, problem: '' });
    health.record({ at: 2_000, ok: false, problem: '503 Service Unavailable' });
    expect(health.record({ at: 3_000, ok: false, problem: 'no answer (Failed to fetch)' })).toEqual(
      {
        lastContactAt: 1_000,
        unreachableSince: 2_000,
        failures: 2,
        lastProblem: 'no answer (Failed to fetch)',
      },
    );
    expect(health.record({ at: 4_000, ok: true, problem: '' })).toEqual({
      lastContactAt: 4_000,
      unreachableSince: null,
      failures: 0,
      lastProblem: null,
    });
  });

  it('never moves the last contact back when a slow request reports late', () => {
    const health = new ContactHealth();
    health.record({ at: 5_000, ok: true, problem: '' });
    expect(health.record({ at: 4_000, ok: true, problem: '' }).lastContactAt).toBe(5_000);
  });
});

describe('observeContact', () => {
  let server: Server;
  let base: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const status = Number(req.url?.slice(1)) || 200;
      if (req.url === '/hold') return; // never answers: for the aborted request
      res.writeHead(status).end('body');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  function observed(): { fetch: typeof fetch; outcomes: ContactOutcome[] } {
    const outcomes: ContactOutcome[] = [];
    let clock = 0;
    return {
      fetch: observeContact(
        fetch,
        (o) => outcomes.push(o),
        () => ++clock,
      ),
      outcomes,
    };
  }

  it('counts any answer below 500 as contact, a 403 too, and passes the response on', async () => {
    const { fetch: f, outcomes } = observed();
    const ok = await f(`${base}/200`);
    expect(await ok.text()).toBe('body');
    expect((await f(`${base}/403`)).status).toBe(403);
    expect(outcomes).toEqual([
      { at: 1, ok: true, problem: '' },
      { at: 2, ok: true, problem: '' },
    ]);
  });

  it('counts a server error as no contact, with its status as the problem', async () => {
    const { fetch: f, outcomes } = observed();
    expect((await f(`${base}/503`)).status).toBe(503);
    expect(outcomes).toEqual([{ at: 1, ok: false, problem: '503 Service Unavailable' }]);
  });

  it('counts a request that got no answer as no contact, and still rejects', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const { fetch: f, outcomes } = observed();
    await expect(f(`http://127.0.0.1:${port}/`)).rejects.toThrow();
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/^no answer \(/),
    });
  });

  it('says nothing about a request its caller aborted', async () => {
    const { fetch: f, outcomes } = observed();
    const abort = new AbortController();
    const pending = f(`${base}/hold`, { signal: abort.signal });
    abort.abort(new Error('runner paused'));
    await expect(pending).rejects.toThrow('runner paused');
    expect(outcomes).toEqual([]);
  });
});
