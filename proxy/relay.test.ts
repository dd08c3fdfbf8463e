import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessLogEntry } from './access-log.ts';
import { startRelay, type RunningRelay } from './node.ts';
import { rawRequest } from './testing/raw-request.ts';
import { startUpstream, type ReceivedRequest, type TestUpstream } from './testing/upstream.ts';

const APP_ORIGIN = 'http://app.test';

let upstream: TestUpstream;
let relay: RunningRelay;
const log: AccessLogEntry[] = [];

/** `<relay>/gitlab/<upstream host><path>` */
function via(path: string): string {
  return `${relay.url}/gitlab/${upstream.host}${path}`;
}

async function json<T>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

beforeAll(async () => {
  upstream = await startUpstream({
    '/api/v4/jobs/redirect-home': (_req, res, u) => {
      res.writeHead(302, { Location: `${u.url}/api/v4/jobs/7/artifacts?artifact_format=zip` });
      res.end();
    },
    '/api/v4/jobs/redirect-away': (_req, res) => {
      res.writeHead(302, { Location: 'https://evil.example/api/v4/jobs/request' });
      res.end();
    },
    '/api/v4/jobs/redirect-login': (_req, res) => {
      res.writeHead(302, { Location: '/users/sign_in' });
      res.end();
    },
    '/api/v4/jobs/page': (_req, res) => {
      res.writeHead(200, {
        'Content-Type': 'text/html',
        'Content-Security-Policy': "script-src 'unsafe-inline'",
        'Content-Security-Policy-Report-Only': "default-src 'none'",
        'Clear-Site-Data': '"storage"',
        Refresh: '0; url=https://evil.example/',
        'Service-Worker-Allowed': '/',
        'Set-Cookie': 'planted=1; path=/',
        'Cross-Origin-Resource-Policy': 'cross-origin',
        'X-Content-Type-Options': 'sniff',
      });
      res.end('<script>alert(document.domain)</script>');
    },
  });
  relay = await startRelay({
    port: 0,
    upstreams: [upstream.url],
    allowPrivate: [upstream.host],
    origins: [APP_ORIGIN],
    log: (entry) => log.push(entry),
  });
});

afterAll(async () => {
  await relay?.close();
  await upstream?.close();
});

describe('relaying runner calls', () => {
  it('forwards a runner API call and lets an allowed origin read the runner headers', async () => {
    const response = await fetch(via('/api/v4/jobs/request'), {
      method: 'POST',
      headers: {
        Origin: APP_ORIGIN,
        'Content-Type': 'application/json',
        'RUNNER-TOKEN': 'glrt-abcdefghijkl',
        'X-Request-Id': 'abc123',
      },
      body: JSON.stringify({ token: 'glrt-abcdefghijkl' }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    const exposed = (response.headers.get('access-control-expose-headers') ?? '').toLowerCase();
    for (const name of [
      'job-status',
      'range',
      'x-gitlab-trace-update-interval',
      'x-gitlab-last-update',
      'retry-after',
      'ratelimit-resettime',
      'x-request-id',
    ]) {
      expect(exposed.split(', ')).toContain(name);
    }
    expect(response.headers.get('job-status')).toBe('running');
    expect(response.headers.get('range')).toBe('0-42');
    expect(response.headers.get('vary')).toContain('Origin');
    const seen = await json<ReceivedRequest>(response);
    expect(seen.method).toBe('POST');
    expect(seen.url).toBe('/api/v4/jobs/request');
    expect(seen.headers['runner-token']).toBe('glrt-abcdefghijkl');
    expect(seen.headers['x-request-id']).toBe('abc123');
    expect(seen.headers.host).toBe(upstream.host);
    expect(seen.headers.origin).toBeUndefined();
    expect(seen.bodyBytes).toBe(JSON.stringify({ token: 'glrt-abcdefghijkl' }).length);
  });

  it('strips cookies and hop-by-hop headers in both directions', async () => {
    const response = await fetch(via('/api/v4/jobs/1'), {
      method: 'PUT',
      headers: {
        Cookie: '_gitlab_session=stolen',
        'X-Forwarded-Host': 'evil.example',
        Forwarded: 'host=evil.example',
      },
      body: '{}',
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('set-cookie')).toBeNull();
    // The relay's own connection may send Keep-Alive; the upstream's must not come through.
    expect(response.headers.get('keep-alive') ?? '').not.toContain('max=7');
    expect(response.headers.get('x-hop')).toBeNull();
    // GitLab's own `Access-Control-Allow-Origin: *` never reaches a browser through the relay.
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    const seen = await json<ReceivedRequest>(response);
    expect(seen.headers.cookie).toBeUndefined();
    expect(seen.headers['x-forwarded-host']).toBeUndefined();
    expect(seen.headers.forwarded).toBeUndefined();
  });

  it('drops request headers that Connection names as hop-by-hop', async () => {
    const response = await rawRequest(
      relay.url,
      `PUT /gitlab/${upstream.host}/api/v4/jobs/1 HTTP/1.1\r\nHost: ${new URL(relay.url).host}\r\nJOB-TOKEN: glcbt-droppedtoken1\r\nX-Request-Id: kept\r\nContent-Length: 2\r\nTE: trailers\r\nConnection: JOB-TOKEN, TE`,
      '{}',
    );
    expect(response.status).toBe(200);
    const seen = upstream.received.at(-1);
    expect(seen?.headers['x-request-id']).toBe('kept');
    expect(seen?.headers['job-token']).toBeUndefined();
    expect(seen?.headers.te).toBeUndefined();
  });

  it('answers preflights without contacting the upstream', async () => {
    const before = upstream.received.length;
    const response = await fetch(via('/api/v4/jobs/1/trace'), {
      method: 'OPTIONS',
      headers: {
        Origin: APP_ORIGIN,
        'Access-Control-Request-Method': 'PATCH',
        'Access-Control-Request-Headers': 'job-token, content-range, content-type',
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    expect(response.headers.get('access-control-allow-methods')).toContain('PATCH');
    const allowed = response.headers.get('access-control-allow-headers') ?? '';
    expect(allowed).toContain('job-token');
    expect(allowed).toContain('content-range');
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    expect(upstream.received.length).toBe(before);
  });

  it('passes a redirect that stays on an allowed host, rewritten to the relay', async () => {
    const response = await fetch(via('/api/v4/jobs/redirect-home'), { redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe(
      `/gitlab/${upstream.host}/api/v4/jobs/7/artifacts?artifact_format=zip`,
    );
    const followed = await fetch(via('/api/v4/jobs/redirect-home'));
    expect(followed.status).toBe(200);
    expect((await json<ReceivedRequest>(followed)).url).toBe(
      '/api/v4/jobs/7/artifacts?artifact_format=zip',
    );
  });

  it('answers /healthz and 404 elsewhere when no app folder is given', async () => {
    const health = await fetch(`${relay.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const other = await fetch(`${relay.url}/index.html`);
    expect(other.status).toBe(404);
    await other.body?.cancel();
  });
});

describe('relayed answers cannot act as pages on the relay origin', () => {
  it('sandboxes every relayed answer and drops the headers that act on the origin', async () => {
    const response = await fetch(via('/api/v4/jobs/page'), { headers: { Origin: APP_ORIGIN } });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<script>');
    expect(response.headers.get('content-security-policy')).toBe("sandbox; default-src 'none'");
    expect(response.headers.get('content-security-policy-report-only')).toBeNull();
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    // The app page is same-origin (or reads through CORS), so same-origin CORP never blocks it.
    expect(response.headers.get('cross-origin-resource-policy')).toBe('same-origin');
    for (const name of ['clear-site-data', 'refresh', 'service-worker-allowed', 'set-cookie']) {
      expect(response.headers.get(name)).toBeNull();
    }
    // The CORS answer is untouched by the sandbox.
    expect(response.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
  });

  it('sandboxes the answers the relay makes itself under /gitlab/', async () => {
    const refused = await fetch(via('/api/v4/projects'));
    expect(refused.status).toBe(403);
    expect(refused.headers.get('content-security-policy')).toBe("sandbox; default-src 'none'");
    expect(refused.headers.get('x-content-type-options')).toBe('nosniff');
    await refused.body?.cancel();
  });
});

describe('refusals', () => {
  async function refused(
    path: string,
    init?: RequestInit,
  ): Promise<{ status: number; error: string }> {
    const response = await fetch(`${relay.url}${path}`, init);
    const body = await json<{ error: string; message: string }>(response);
    return { status: response.status, error: body.error };
  }

  it.each([
    [
      'a host that is not configured',
      '/gitlab/gitlab.com/api/v4/jobs/request',
      'POST',
      403,
      'host_not_allowed',
    ],
    ['another API path', '/api/v4/projects', 'GET', 403, 'path_not_allowed'],
    ['the user API', '/api/v4/user', 'GET', 403, 'path_not_allowed'],
    ['a web page', '/users/sign_in', 'GET', 403, 'path_not_allowed'],
    [
      'git-receive-pack discovery',
      '/group/demo.git/info/refs?service=git-receive-pack',
      'GET',
      403,
      'push_not_allowed',
    ],
    [
      'git info/refs without the service query',
      '/group/demo.git/info/refs',
      'GET',
      403,
      'path_not_allowed',
    ],
    [
      'git info/refs with another query',
      '/group/demo.git/info/refs?service=git-upload-pack&x=1',
      'GET',
      403,
      'path_not_allowed',
    ],
    [
      'a job API call with a method it does not take',
      '/api/v4/jobs/1',
      'DELETE',
      405,
      'method_not_allowed',
    ],
    [
      'an encoded segment that survived URL parsing',
      '/api/v4/jobs/%2561',
      'GET',
      403,
      'path_not_allowed',
    ],
  ])('refuses %s', async (_name, path, method, status, error) => {
    const before = upstream.received.length;
    const url = path.startsWith('/gitlab/') ? path : `/gitlab/${upstream.host}${path}`;
    // `%2561` is refused by the adapter before the handler; either refusal is fine here.
    const result = await refused(url, { method });
    if (path.includes('%25')) expect(result).toEqual({ status: 400, error: 'bad_request_target' });
    else expect(result).toEqual({ status, error });
    expect(upstream.received.length).toBe(before);
  });

  it('refuses git-receive-pack posts', async () => {
    const result = await refused(`/gitlab/${upstream.host}/group/demo.git/git-receive-pack`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-git-receive-pack-request' },
      body: '0000',
    });
    expect(result).toEqual({ status: 403, error: 'push_not_allowed' });
  });

  it('never lets a git rule carry an API path, nor the token sent with it', async () => {
    const before = upstream.received.length;
    const discovery = await refused(
      `/gitlab/${upstream.host}/api/v4/projects/7/packages/generic/pkg/info/refs?service=git-upload-pack`,
      { headers: { 'PRIVATE-TOKEN': 'glpat-NeverForwarded01' } },
    );
    expect(discovery).toEqual({ status: 403, error: 'path_not_allowed' });
    const uploadPack = await refused(`/gitlab/${upstream.host}/api/v4/projects/7/git-upload-pack`, {
      method: 'POST',
      headers: {
        'PRIVATE-TOKEN': 'glpat-NeverForwarded01',
        'Content-Type': 'application/x-git-upload-pack-request',
      },
      body: '0000',
    });
    expect(uploadPack).toEqual({ status: 403, error: 'path_not_allowed' });
    expect(upstream.received.length).toBe(before);
  });

  it('refuses git-upload-pack posts that are not git requests', async () => {
    const result = await refused(`/gitlab/${upstream.host}/group/demo.git/git-upload-pack`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(result).toEqual({ status: 403, error: 'path_not_allowed' });
  });

  it.each([
    ['dot-dot segments', (h: string) => `GET /gitlab/${h}/api/v4/jobs/../../../admin HTTP/1.1`],
    [
      'encoded dot-dot',
      (h: string) => `GET /gitlab/${h}/api/v4/jobs/%2e%2e/%2E%2E/projects HTTP/1.1`,
    ],
    [
      'double-encoded dot-dot',
      (h: string) => `GET /gitlab/${h}/api/v4/jobs/%252e%252e/projects HTTP/1.1`,
    ],
    ['an encoded slash', (h: string) => `GET /gitlab/${h}/api/v4/jobs%2f..%2fprojects HTTP/1.1`],
    ['a backslash', (h: string) => `GET /gitlab/${h}/api/v4/jobs\\..\\projects HTTP/1.1`],
    ['an absolute URL', (h: string) => `GET http://${h}/gitlab/${h}/api/v4/jobs/1 HTTP/1.1`],
    [
      'an absolute URL to another host',
      (h: string) => `GET http://evil.example/gitlab/${h}/api/v4/jobs/1 HTTP/1.1`,
    ],
    ['an authority-form target', (h: string) => `CONNECT ${h} HTTP/1.1`],
  ])('refuses %s with 400 before parsing', async (_name, line) => {
    const before = upstream.received.length;
    const response = await rawRequest(
      relay.url,
      `${line(upstream.host)}\r\nHost: ${upstream.host}`,
    );
    expect(response.status).toBe(400);
    expect(upstream.received.length).toBe(before);
  });

  it('takes the upstream from the path alone, and refuses a Host it does not answer to', async () => {
    const relayHost = new URL(relay.url).host;
    const ok = await rawRequest(
      relay.url,
      `GET /gitlab/${upstream.host}/api/v4/jobs/5 HTTP/1.1\r\nHost: ${relayHost}`,
    );
    expect(ok.status).toBe(200);
    expect(upstream.received.at(-1)?.headers.host).toBe(upstream.host);
    const before = upstream.received.length;
    const spoofed = await rawRequest(
      relay.url,
      `GET /gitlab/${upstream.host}/api/v4/jobs/5 HTTP/1.1\r\nHost: evil.example`,
    );
    expect(spoofed.status).toBe(421);
    expect(spoofed.text).toContain('relay_host_not_allowed');
    expect(upstream.received.length).toBe(before);
    const other = await rawRequest(
      relay.url,
      `GET /gitlab/evil.example/api/v4/jobs/5 HTTP/1.1\r\nHost: ${relayHost}`,
    );
    expect(other.status).toBe(403);
    expect(other.text).toContain('host_not_allowed');
  });

  it('refuses credentials in the host segment without echoing them', async () => {
    const secret = 'glcbt-s3cr3tjobtoken';
    const response = await fetch(
      `${relay.url}/gitlab/gitlab-ci-token:${secret}@${upstream.host}/group/demo.git/info/refs?service=git-upload-pack`,
    );
    const text = await response.text();
    expect(response.status).toBe(403);
    expect(text).toContain('host_not_allowed');
    expect(text).not.toContain('s3cr3t');
  });

  it('refuses browsers on origins it does not know, before contacting the upstream', async () => {
    const before = upstream.received.length;
    const post = await fetch(via('/api/v4/jobs/request'), {
      method: 'POST',
      headers: { Origin: 'https://evil.example', 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(post.status).toBe(403);
    expect(post.headers.get('access-control-allow-origin')).toBeNull();
    expect((await json<{ error: string }>(post)).error).toBe('origin_not_allowed');
    const preflight = await fetch(via('/api/v4/jobs/request'), {
      method: 'OPTIONS',
      headers: { Origin: 'null', 'Access-Control-Request-Method': 'POST' },
    });
    expect(preflight.status).toBe(403);
    await preflight.body?.cancel();
    expect(upstream.received.length).toBe(before);
  });

  it('lets an allowed origin read why a request was refused', async () => {
    const response = await fetch(via('/api/v4/projects'), { headers: { Origin: APP_ORIGIN } });
    expect(response.status).toBe(403);
    expect(response.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    expect((await json<{ error: string }>(response)).error).toBe('path_not_allowed');
  });

  it('refuses redirects to other hosts and to paths it would not relay', async () => {
    for (const path of ['/api/v4/jobs/redirect-away', '/api/v4/jobs/redirect-login']) {
      const response = await fetch(via(path), { redirect: 'manual' });
      expect(response.status).toBe(502);
      expect(response.headers.get('location')).toBeNull();
      expect((await json<{ error: string }>(response)).error).toBe('redirect_refused');
    }
  });
});

describe('access log', () => {
  it('logs each request with its status and upstream', async () => {
    const response = await fetch(via('/api/v4/jobs/42'), { method: 'PUT', body: '{}' });
    await response.text();
    const entry = log.find((e) => e.path === '/gitlab/' + upstream.host + '/api/v4/jobs/42');
    expect(entry).toMatchObject({
      method: 'PUT',
      status: 200,
      upstream: upstream.host,
      completed: true,
      reason: null,
    });
    expect(entry?.bytes).toBeGreaterThan(0);
  });
});
