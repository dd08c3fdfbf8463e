import { describe, expect, it } from 'vitest';
import { hasErrorCode } from '../errors/index.ts';
import {
  createGitLabClient,
  isRetriableStatus,
  normalizeGitLabUrl,
  retryDelayMs,
} from './client.ts';
import { errorMessage, readJson, renderGitLabMessage } from './response.ts';
import { FakeClock } from './testing/fake-clock.ts';
import { useScriptedServers } from './testing/use-server.ts';

const serve = useScriptedServers();

describe('normalizeGitLabUrl (TestUrlFixing)', () => {
  it.each([
    ['https://gitlab.example.com', 'https://gitlab.example.com'],
    ['https://gitlab.example.com/', 'https://gitlab.example.com'],
    ['https://gitlab.example.com///', 'https://gitlab.example.com'],
    ['https://gitlab.example.com/ci', 'https://gitlab.example.com'],
    ['https://gitlab.example.com/ci/', 'https://gitlab.example.com'],
    ['http://host:8080/gitlab/ci', 'http://host:8080/gitlab'],
    ['  https://gitlab.example.com/sub/  ', 'https://gitlab.example.com/sub'],
  ])('turns %s into %s', (input, expected) => {
    expect(normalizeGitLabUrl(input)).toBe(expected);
  });

  it.each(['ftp://gitlab.example.com', 'gitlab.example.com', 'file:///etc/passwd', ''])(
    'refuses %j with a clear, coded error',
    (input) => {
      let caught: unknown;
      try {
        normalizeGitLabUrl(input);
      } catch (err) {
        caught = err;
      }
      expect(hasErrorCode(caught, 'InvalidGitLabUrlError')).toBe(true);
      expect((caught as Error).message).toMatch(
        /cannot be used: .*e\.g\. https:\/\/gitlab\.example\.com/,
      );
    },
  );

  it('refuses credentials in the URL without repeating them', () => {
    expect(() => normalizeGitLabUrl('https://user:glrt-secret@gitlab.example.com')).toThrow(
      /contains credentials/,
    );
    try {
      normalizeGitLabUrl('https://user:glrt-secret@gitlab.example.com');
    } catch (err) {
      expect(String((err as Error).message)).not.toContain('glrt-secret');
      expect(JSON.stringify(err)).not.toContain('glrt-secret');
    }
  });

  it('builds the API base under /api/v4/', () => {
    const client = createGitLabClient({ url: 'https://gitlab.example.com/ci/' });
    expect(client.apiUrl).toBe('https://gitlab.example.com/api/v4/');
  });
});

describe('retry layer (TestShouldRetryRequest, TestRetryRequester_calculateWaitTime)', () => {
  it.each([
    [408, true],
    [429, true],
    [500, true],
    [502, true],
    [503, true],
    [504, true],
    [512, true],
    [515, true],
    [200, false],
    [308, false],
    [400, false],
    [416, false],
    [501, false],
    [505, false],
    [511, false],
  ])('status %i retriable: %s', (status, retry) => {
    expect(isRetriableStatus(status)).toBe(retry);
  });

  const now = Date.UTC(2026, 0, 1, 12, 0, 0);
  const zero = () => 0;

  it('waits until RateLimit-ResetTime first', () => {
    const headers = new Headers({
      'RateLimit-ResetTime': new Date(now + 120_000).toUTCString(),
      'Retry-After': '5',
    });
    expect(retryDelayMs(headers, 0, now, zero)).toEqual({ ms: 120_000, usedBackoff: false });
  });

  it('falls back to Retry-After when the reset time is invalid', () => {
    const headers = new Headers({ 'RateLimit-ResetTime': 'invalid time', 'Retry-After': '120' });
    expect(retryDelayMs(headers, 0, now, zero).ms).toBe(120_000);
  });

  it('ignores a reset time in the past', () => {
    const headers = new Headers({
      'RateLimit-ResetTime': new Date(now - 1000).toUTCString(),
      'Retry-After': '2',
    });
    expect(retryDelayMs(headers, 0, now, zero).ms).toBe(2000);
  });

  it('falls back to exponential backoff with jitter, from 100 ms, capped at 60 s', () => {
    const headers = new Headers({
      'RateLimit-ResetTime': 'invalid time',
      'Retry-After': 'invalid time',
    });
    expect(retryDelayMs(headers, 0, now, zero)).toEqual({ ms: 100, usedBackoff: true });
    expect(retryDelayMs(headers, 0, now, () => 0.999).ms).toBe(100);
    expect(retryDelayMs(headers, 3, now, () => 0.999).ms).toBeCloseTo(100 + 0.999 * 700);
    expect(retryDelayMs(headers, 3, now, zero).ms).toBe(100);
    expect(retryDelayMs(headers, 30, now, () => 0.999).ms).toBeLessThanOrEqual(60_000);
    expect(retryDelayMs(headers, 30, now, () => 0.999).ms).toBeGreaterThan(59_000);
    expect(retryDelayMs(new Headers({ 'Retry-After': '-3' }), 1, now, () => 1).ms).toBe(200);
  });
});

describe('send', () => {
  it('retries 500 and 429 with the same body, a fresh X-Request-Id each time, waiting per docs/runner-protocol.md §1.5', async () => {
    let n = 0;
    const server = await serve(() => {
      n++;
      if (n === 1) return { status: 500 };
      if (n === 2) return { status: 429, headers: { 'Retry-After': '7' } };
      return { status: 200, body: 'ok' };
    });
    const clock = new FakeClock();
    const client = createGitLabClient({ url: server.url, clock, random: () => 0 });
    const result = await client.send({
      method: 'POST',
      path: 'runners/verify',
      json: { a: 'somebody' },
    });
    expect(result.kind).toBe('response');
    expect(result.attempts).toBe(3);
    expect(server.requests.map((r) => r.body.toString())).toEqual(
      Array(3).fill('{"a":"somebody"}'),
    );
    const ids = server.requests.map((r) => r.headers['x-request-id']);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(ids).size).toBe(3);
    expect(clock.sleeps).toEqual([100, 7000]);
  });

  it('hands the last retriable response to the caller after 5 attempts', async () => {
    const server = await serve(() => ({ status: 503 }));
    const clock = new FakeClock();
    const client = createGitLabClient({ url: server.url, clock, random: () => 0 });
    const result = await client.send({ method: 'GET', path: 'x' });
    expect(server.requests).toHaveLength(5);
    expect(result.kind === 'response' && result.response.status).toBe(503);
    expect(clock.sleeps).toHaveLength(4);
  });

  it('does not retry network errors and reports them without secrets', async () => {
    const server = await serve(() => ({ status: 200 }));
    await server.close();
    const client = createGitLabClient({ url: server.url, clock: new FakeClock() });
    const result = await client.send({
      method: 'POST',
      path: 'jobs/request',
      headers: { 'RUNNER-TOKEN': 'glrt-secret' },
      json: { token: 'glrt-secret' },
    });
    expect(result.kind).toBe('network-error');
    expect(result.attempts).toBe(1);
    if (result.kind !== 'network-error') return;
    expect(result.message).toMatch(
      /^couldn't execute POST http:\/\/127\.0\.0\.1:\d+\/api\/v4\/jobs\/request: /,
    );
    expect(result.message).not.toContain('glrt-secret');
  });

  it('sends Accept only when it will decode JSON, and User-Agent when configured', async () => {
    const server = await serve(() => ({ status: 204 }));
    const client = createGitLabClient({ url: server.url, userAgent: 'tabrunner 0.1.0 (node)' });
    await client.send({ method: 'PUT', path: 'jobs/1', json: {} });
    await client.send({ method: 'POST', path: 'jobs/request', json: {}, acceptJson: true });
    expect(server.requests[0]?.headers['accept']).not.toBe('application/json');
    expect(server.requests[1]?.headers['accept']).toBe('application/json');
    expect(server.requests[0]?.headers['content-type']).toBe('application/json');
    expect(server.requests[0]?.headers['user-agent']).toBe('tabrunner 0.1.0 (node)');
  });

  it('rejects with the signal reason when aborted during a retry wait', async () => {
    const server = await serve(() => ({ status: 503, headers: { 'Retry-After': '60' } }));
    const controller = new AbortController();
    const clock = {
      now: () => 0,
      sleep: (_ms: number, signal?: AbortSignal) =>
        new Promise<void>((_resolve, reject) => {
          controller.abort(new Error('stopping'));
          reject(signal?.reason);
        }),
    };
    const client = createGitLabClient({ url: server.url, clock });
    await expect(
      client.send({ method: 'GET', path: 'x', signal: controller.signal }),
    ).rejects.toThrow('stopping');
    expect(server.requests).toHaveLength(1);
  });

  it('counts a same-origin (basic) response as readable headers', async () => {
    const server = await serve(() => ({ status: 204 }));
    const client = createGitLabClient({ url: server.url });
    await client.send({ method: 'GET', path: 'x' });
    expect(client.headersReadable).toBe(true);
  });

  it('learns from responses whether protocol headers are readable', async () => {
    let expose = false;
    const server = await serve(() => ({
      status: 202,
      headers: expose ? { 'Job-Status': 'running' } : ({} as Record<string, string>),
    }));
    // Rebuilt responses have type "default", like a relay whose CORS policy we cannot see.
    const rebuilding: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      return new Response(response.body, { status: response.status, headers: response.headers });
    };
    const client = createGitLabClient({ url: server.url, fetch: rebuilding });
    expect(client.headersReadable).toBeNull();
    const first = await client.send({ method: 'GET', path: 'x' });
    if (first.kind === 'response') client.observeHeaders(first.response, false);
    expect(client.headersReadable).toBeNull();
    if (first.kind === 'response') client.observeHeaders(first.response, true);
    expect(client.headersReadable).toBe(false);
    expose = true;
    await client.send({ method: 'GET', path: 'x' });
    expect(client.headersReadable).toBe(true);
  });
});

describe('response decoding (docs/runner-protocol.md §1.4, TestClientHandleCharsetInContentType)', () => {
  it('renders a map-shaped message as the Go runner does (runner limit hit)', async () => {
    const response = new Response(
      JSON.stringify({
        message: {
          'runner_projects.base': ['Maximum number of ci registered project runners (3) exceeded'],
        },
      }),
      { status: 400, headers: { 'Content-Type': 'application/json' } },
    );
    expect(await errorMessage(response)).toBe(
      '400 Bad Request (runner_projects.base: Maximum number of ci registered project runners (3) exceeded)',
    );
  });

  it('joins several values with "; " and several keys with ", "', () => {
    expect(renderGitLabMessage({ a: ['x', 'y'], b: ['z'] })).toBe('a: x; y, b: z');
  });

  it('renders a string message, and does not repeat the status line', async () => {
    const json = { 'Content-Type': 'application/json; charset=utf-8' };
    expect(
      await errorMessage(
        new Response('{"message":"403 Forbidden"}', { status: 403, headers: json }),
      ),
    ).toBe('403 Forbidden');
    expect(
      await errorMessage(
        new Response('{"message":"Runner is orphaned"}', { status: 422, headers: json }),
      ),
    ).toBe('422 Unprocessable Entity (Runner is orphaned)');
    expect(
      await errorMessage(
        new Response('{"message":"x"}', { status: 400, headers: { 'Content-Type': 'text/plain' } }),
      ),
    ).toBe('400 Bad Request');
  });

  it('decodes JSON only with the application/json media type, charset allowed', async () => {
    expect(
      await readJson(
        new Response('{"id":1}', {
          headers: { 'Content-Type': 'application/json; charset=utf-8' },
        }),
      ),
    ).toEqual({ ok: true, value: { id: 1 } });
    expect(
      await readJson(new Response('{"id":1}', { headers: { 'Content-Type': 'text/plain' } })),
    ).toEqual({
      ok: false,
      message: 'server should return application/json. Got: text/plain',
    });
    expect(
      (await readJson(new Response('{', { headers: { 'Content-Type': 'application/json' } }))).ok,
    ).toBe(false);
  });
});
