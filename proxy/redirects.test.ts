/**
 * The relay redirect suite: a real upstream answers 3xx with a fixed table of `Location`
 * values (other hosts, schemes, userinfo, IP spellings, traversal, encodings, relative forms,
 * paths off the allow-list) and the relay must never follow one, nor hand the browser one that
 * leaves a configured host and a relayed path. 70 locations × 5 statuses (301, 302, 303 as GET;
 * 307, 308 as POST) = 350 cases, plus 15 answers that carry a `Location` or `Refresh` outside
 * a redirect: 365 cases in all. Nothing is random: the tables are the suite.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutgoingHttpHeaders } from 'node:http';
import { classifyPath } from './allowed-paths.ts';
import { startRelay, type RunningRelay } from './node.ts';
import { startUpstream, type Route, type TestUpstream } from './testing/upstream.ts';

/** The relay's verdict: refused with 502, or passed with this rewritten `Location`. */
type Verdict = 'refused' | { location: string };

const REFUSED = 'refused';

/** `{H}` the upstream's `host:port`, `{P}` its port, `{E}` a live server the relay does not know, `{I}` the case's number. */
const rewritten = (path: string): Verdict => ({ location: `/gitlab/{H}${path}` });

const LOCATIONS: readonly (readonly [location: string, verdict: Verdict])[] = [
  // Other hosts and schemes.
  ['https://evil.example/api/v4/jobs/request', REFUSED],
  ['http://evil.example/api/v4/jobs/1', REFUSED],
  ['http://evil.example:{P}/api/v4/jobs/1', REFUSED],
  ['http://{E}/api/v4/jobs/1', REFUSED],
  ['//evil.example/api/v4/jobs/1', REFUSED],
  ['//{E}/api/v4/jobs/1', REFUSED],
  ['////evil.example/api/v4/jobs/1', REFUSED],
  ['http:///evil.example/api/v4/jobs/1', REFUSED],
  ['\\\\evil.example/api/v4/jobs/1', REFUSED],
  ['/\\evil.example/api/v4/jobs/1', REFUSED],
  ['\\/evil.example/api/v4/jobs/1', REFUSED],
  ['https://{H}/api/v4/jobs/1', REFUSED],
  ['https:evil.example/api/v4/jobs/1', REFUSED],
  ['ftp://{H}/api/v4/jobs/1', REFUSED],
  ['ws://{H}/api/v4/jobs/1', REFUSED],
  ['javascript:alert(document.domain)', REFUSED],
  ['data:text/html,<script>alert(1)</script>', REFUSED],
  ['file:///etc/passwd', REFUSED],
  ['mailto:x@evil.example', REFUSED],
  ['blob:http://{H}/x', REFUSED],
  ['http://{H}.evil.example/api/v4/jobs/1', REFUSED],
  ['http://ex\u00e4mple.com/api/v4/jobs/1', REFUSED],
  ['http://evil.example%00.{H}/', REFUSED],
  // Userinfo tricks.
  ['http://{H}@evil.example/api/v4/jobs/1', REFUSED],
  ['http://evil.example@{H}/api/v4/jobs/1', REFUSED],
  ['http://user:pass@{H}/api/v4/jobs/1', REFUSED],
  ['http://evil.example\\@{H}/api/v4/jobs/1', REFUSED],
  // The same machine under names and addresses that are not configured.
  ['http://[::1]:{P}/api/v4/jobs/1', REFUSED],
  ['http://[::ffff:127.0.0.1]:{P}/api/v4/jobs/1', REFUSED],
  ['http://localhost:{P}/api/v4/jobs/1', REFUSED],
  ['http://127.0.0.1/api/v4/jobs/1', REFUSED],
  ['http://{H}:80/api/v4/jobs/1', REFUSED],
  ['http://169.254.169.254/latest/meta-data/', REFUSED],
  // Spellings a URL parser turns into the configured host: safe, they stay on it.
  ['http://2130706433:{P}/api/v4/jobs/1', rewritten('/api/v4/jobs/1')],
  ['http://0x7f.1:{P}/api/v4/jobs/1', rewritten('/api/v4/jobs/1')],
  ['http://127.0.0.1.:{P}/api/v4/jobs/1', rewritten('/api/v4/jobs/1')],
  ['HTTP://{H}/api/v4/jobs/1', rewritten('/api/v4/jobs/1')],
  ['http://{H}/api/v4/jobs/1#@evil.example', rewritten('/api/v4/jobs/1')],
  // Paths the relay does not serve, however spelled.
  ['/users/sign_in', REFUSED],
  ['/api/v4/projects', REFUSED],
  ['/API/v4/jobs/1', REFUSED],
  ['/api/v4/jobs/1/../../projects', REFUSED],
  ['/api/v4/jobs/%2e%2e/%2e%2e/projects', REFUSED],
  ['/api/v4/jobs/1%2f..%2f..%2fprojects', REFUSED],
  ['/api/v4/jobs/%252e%252e/projects', REFUSED],
  ['/api/v4/jobs/1 /../../projects', REFUSED],
  ['http://{H}/api/v4/jobs/1;evil', REFUSED],
  ['http://{H}/api/v4/jobs/1%00', REFUSED],
  ['%2F%2Fevil.example/api', REFUSED],
  ['/%2F%2Fevil.example', REFUSED],
  ['../../../../../../etc/passwd', REFUSED],
  ['/group/demo.git/info/refs?service=git-receive-pack', REFUSED],
  ['http://{H}/api/v4/jobs/1?service=git-receive-pack', REFUSED],
  ['/group/demo.git/git-receive-pack', REFUSED],
  // API paths dressed as git paths.
  ['/api/v4/projects/7/packages/generic/pkg/info/refs?service=git-upload-pack', REFUSED],
  ['http://{H}/api/v4/projects/7/git-upload-pack', REFUSED],
  ['/Api/v4/user/info/refs?service=git-upload-pack', REFUSED],
  // Allowed targets, rewritten to the relay; relative ones resolve against the answered path.
  [
    '/api/v4/jobs/7/artifacts?artifact_format=zip',
    rewritten('/api/v4/jobs/7/artifacts?artifact_format=zip'),
  ],
  ['http://{H}/api/v4/jobs/1', rewritten('/api/v4/jobs/1')],
  [
    '/group/demo.git/info/refs?service=git-upload-pack',
    rewritten('/group/demo.git/info/refs?service=git-upload-pack'),
  ],
  ['/api/v4/runners/verify', rewritten('/api/v4/runners/verify')],
  ['/api/v4/jobs/1/../2', rewritten('/api/v4/jobs/2')],
  ['/api/v4/\tjobs/1', rewritten('/api/v4/jobs/1')],
  ['/api/v4/jobs/1?next=//evil.example', rewritten('/api/v4/jobs/1?next=//evil.example')],
  ['7/artifacts', rewritten('/api/v4/jobs/redirect/7/artifacts')],
  ['../../runners/verify', rewritten('/api/v4/runners/verify')],
  ['?x=1', rewritten('/api/v4/jobs/redirect/{I}?x=1')],
  ['', rewritten('/api/v4/jobs/redirect/{I}')],
  // Looks like a host, is a relative path under the answered one (same-scheme relative form).
  ['http:evil.example/api', rewritten('/api/v4/jobs/redirect/evil.example/api')],
  ['evil.example', rewritten('/api/v4/jobs/redirect/evil.example')],
];

const REDIRECTS: readonly (readonly [status: number, method: 'GET' | 'POST'])[] = [
  [301, 'GET'],
  [302, 'GET'],
  [303, 'GET'],
  [307, 'POST'],
  [308, 'POST'],
];

interface Case {
  name: string;
  status: number;
  method: 'GET' | 'POST';
  headers: OutgoingHttpHeaders;
  /** What the client gets: a refusal, this status with this `Location` (or none). */
  expected: Verdict | { status: number; location: null };
}

const OTHER_ANSWERS: readonly Omit<Case, 'method'>[] = [
  ...[200, 201, 300, 304].flatMap((status) =>
    ['https://evil.example/', '//{E}/api/v4/jobs/1', '/api/v4/jobs/1'].map((location) => ({
      name: `${status} with Location ${location}`,
      status,
      headers: { Location: location },
      expected: { status, location: null },
    })),
  ),
  {
    name: '200 with Refresh to evil',
    status: 200,
    headers: { Refresh: '0; url=https://evil.example/' },
    expected: { status: 200, location: null },
  },
  {
    name: '302 to an allowed path with Refresh to evil',
    status: 302,
    headers: { Location: '/api/v4/jobs/1', Refresh: '0; url=https://evil.example/' },
    expected: rewritten('/api/v4/jobs/1'),
  },
  {
    name: 'two Locations, the allowed one first',
    status: 302,
    headers: { Location: ['/api/v4/jobs/1', 'https://evil.example/'] },
    expected: rewritten('/api/v4/jobs/1'),
  },
];

const CASES: readonly Case[] = [
  ...LOCATIONS.flatMap(([location, verdict]) =>
    REDIRECTS.map(([status, method]) => ({
      name: `${status} ${method} to "${location}"`,
      status,
      method,
      headers: { Location: location },
      expected: verdict,
    })),
  ),
  ...OTHER_ANSWERS.map((c) => ({ ...c, method: 'GET' as const })),
];

/** True when the relay would relay `path` as a GET, or with the method the client used. */
function relayable(method: string, path: string, search: string): boolean {
  return ['GET', method].some((m) => {
    try {
      classifyPath(m, path, search, null);
      return true;
    } catch {
      return false;
    }
  });
}

const routes: Record<string, Route> = {};
let upstream: TestUpstream;
let evil: TestUpstream;
let relay: RunningRelay;

function fill(text: string, index: number): string {
  return text
    .replaceAll('{H}', upstream.host)
    .replaceAll('{P}', new URL(upstream.url).port)
    .replaceAll('{E}', evil.host)
    .replaceAll('{I}', String(index));
}

beforeAll(async () => {
  // The upstream reads `routes` per request, so they can name the ports chosen below.
  upstream = await startUpstream(routes);
  evil = await startUpstream();
  for (const [index, c] of CASES.entries()) {
    const headers: OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(c.headers)) {
      headers[name] = Array.isArray(value)
        ? value.map((v) => fill(v, index))
        : fill(String(value), index);
    }
    routes[`/api/v4/jobs/redirect/${index}`] = (req, res) => {
      req.resume();
      req.on('end', () => {
        upstream.received.push({
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          bodyBytes: 0,
        });
        res.writeHead(c.status, headers);
        res.end();
      });
    };
  }
  relay = await startRelay({
    port: 0,
    upstreams: [upstream.url],
    allowPrivate: [upstream.host],
    log: () => undefined,
  });
});

afterAll(async () => {
  await relay?.close();
  await upstream?.close();
  await evil?.close();
});

describe('upstream redirects', () => {
  it('holds the number of cases its header states', () => {
    expect(LOCATIONS).toHaveLength(70);
    expect(CASES).toHaveLength(365);
  });

  it.each([...CASES.entries()].map(([index, c]) => [c.name, index, c] as const))(
    '%s',
    async (_name, index, c) => {
      const before = upstream.received.length;
      const response = await fetch(
        `${relay.url}/gitlab/${upstream.host}/api/v4/jobs/redirect/${index}`,
        c.method === 'POST'
          ? {
              method: 'POST',
              redirect: 'manual',
              headers: { 'Content-Type': 'application/json' },
              body: '{}',
            }
          : { redirect: 'manual' },
      );
      const body = await response.text();
      // Never followed: the upstream saw this one request and nothing after it.
      expect(upstream.received.length).toBe(before + 1);
      expect(upstream.received.at(-1)?.url).toBe(`/api/v4/jobs/redirect/${index}`);
      expect(response.headers.get('refresh')).toBeNull();
      const location = response.headers.get('location');
      if (c.expected === REFUSED) {
        expect(response.status).toBe(502);
        expect(location).toBeNull();
        expect((JSON.parse(body) as { error: string }).error).toBe('redirect_refused');
        expect(body).not.toContain('evil');
        return;
      }
      if ('status' in c.expected) {
        expect(response.status).toBe(c.expected.status);
        expect(location).toBeNull();
        return;
      }
      expect(response.status).toBe(c.status);
      expect(location).toBe(fill(c.expected.location, index));
      // Whatever the table says, a passed Location is a relayed path on the configured host.
      const prefix = `/gitlab/${upstream.host}/`;
      expect(location?.startsWith(prefix)).toBe(true);
      const target = new URL(location?.slice(prefix.length - 1) ?? '', 'http://x');
      expect(relayable(c.method, target.pathname, target.search)).toBe(true);
    },
  );

  it('never reached the server it was redirected to', () => {
    expect(evil.received).toEqual([]);
  });
});
