import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessLogEntry } from './access-log.ts';
import { startRelay, type RunningRelay } from './node.ts';
import { redactText } from './redact.ts';
import { rawRequest } from './testing/raw-request.ts';
import { startUpstream, type TestUpstream } from './testing/upstream.ts';

const SECRETS = {
  runner: 'glrt-RunnerSecret0001',
  job: 'glcbt-JobSecret00002',
  pat: 'glpat-PersonalSecret3',
  legacy: 'LegacyToken20chars44',
  basic: 'BasicPassword555555',
};

let upstream: TestUpstream;
let relay: RunningRelay;
const log: AccessLogEntry[] = [];

beforeAll(async () => {
  upstream = await startUpstream();
  relay = await startRelay({
    port: 0,
    upstreams: [upstream.url],
    allowPrivate: [upstream.host],
    log: (e) => log.push(e),
  });
});

afterAll(async () => {
  await relay?.close();
  await upstream?.close();
});

/** Percent-decodes until nothing changes, so no encoding of a token can hide in the log. */
function decodeFully(text: string): string {
  let current = text;
  for (let round = 0; round < 10; round += 1) {
    const next = current.replace(/%([0-9a-f]{2})/gi, (_m, hex: string) =>
      String.fromCharCode(Number.parseInt(hex, 16)),
    );
    if (next === current) return current;
    current = next;
  }
  return current;
}

/** `%XX` for every character of `text`. */
function encodeAll(text: string): string {
  return [...text].map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join('');
}

/**
 * Placements of a token in a request line, each with its own secret body. `{H}` is the upstream's
 * `host:port`, `{B}` the secret body; `glrt-{B}` and the like are prefixed tokens, bare `{B}` a
 * legacy token without prefix.
 */
const PLACEMENTS: readonly (readonly [name: string, requestLine: string])[] = [
  ['token query parameter', 'GET /gitlab/{H}/api/v4/jobs/1/artifacts?token={B} HTTP/1.1'],
  ['private_token', 'GET /gitlab/{H}/api/v4/jobs/1?private_token={B} HTTP/1.1'],
  ['job_token', 'GET /gitlab/{H}/api/v4/jobs/1?job_token={B} HTTP/1.1'],
  ['access_token', 'GET /gitlab/{H}/api/v4/jobs/1?access_token={B} HTTP/1.1'],
  ['runner_token', 'GET /gitlab/{H}/api/v4/runners?runner_token={B} HTTP/1.1'],
  ['a later & parameter', 'GET /gitlab/{H}/api/v4/jobs/1?artifact_format=zip&token={B} HTTP/1.1'],
  ['a ;-separated parameter', 'GET /gitlab/{H}/api/v4/jobs/1?x=1;token={B} HTTP/1.1'],
  ['a value followed by ;', 'GET /gitlab/{H}/api/v4/jobs/1?token={B};x=1 HTTP/1.1'],
  ['an upper-case name', 'GET /gitlab/{H}/api/v4/jobs/1?TOKEN={B} HTTP/1.1'],
  ['a mixed-case name', 'GET /gitlab/{H}/api/v4/jobs/1?Private_Token={B} HTTP/1.1'],
  ['a percent-encoded name', 'GET /gitlab/{H}/api/v4/jobs/1?%74oken={B} HTTP/1.1'],
  ['an encoded underscore', 'GET /gitlab/{H}/api/v4/jobs/1?private%5ftoken={B} HTTP/1.1'],
  ['an encoded upper-case name', 'GET /gitlab/{H}/api/v4/jobs/1?PRIVATE%5FTOKEN={B} HTTP/1.1'],
  ['a fully encoded name', `GET /gitlab/{H}/api/v4/jobs/1?${encodeAll('job_token')}={B} HTTP/1.1`],
  ['a double-encoded name', 'GET /gitlab/{H}/api/v4/jobs/1?%2574oken={B} HTTP/1.1'],
  ['an encoded =', 'GET /gitlab/{H}/api/v4/jobs/1?token%3D{B} HTTP/1.1'],
  ['an encoded & and =', 'GET /gitlab/{H}/api/v4/jobs/1?x=1%26token%3D{B} HTTP/1.1'],
  ['an array parameter', 'GET /gitlab/{H}/api/v4/jobs/1?token[]={B} HTTP/1.1'],
  ['a hyphenated name', 'GET /gitlab/{H}/api/v4/jobs/1?private-token={B} HTTP/1.1'],
  ['an empty parameter before it', 'GET /gitlab/{H}/api/v4/jobs/1?x=1&&token={B} HTTP/1.1'],
  ['a prefixed token in any parameter', 'GET /gitlab/{H}/api/v4/jobs/1?x=glrt-{B} HTTP/1.1'],
  ['an encoded prefix', 'GET /gitlab/{H}/api/v4/jobs/1?x=gl%72t-{B} HTTP/1.1'],
  ['a double-encoded prefix', 'GET /gitlab/{H}/api/v4/jobs/1?x=%2567lpat-{B} HTTP/1.1'],
  ['an upper-case prefix', 'GET /gitlab/{H}/api/v4/jobs/1?x=GLRT-{B} HTTP/1.1'],
  ['a prefix after an underscore', 'GET /gitlab/{H}/api/v4/jobs/1?x=id_glcbt-{B} HTTP/1.1'],
  ['a prefixed token in a path segment', 'GET /gitlab/{H}/api/v4/runners/glrt-{B} HTTP/1.1'],
  ['an upper-case prefix in a path', 'GET /gitlab/{H}/api/v4/runners/GLPAT-{B} HTTP/1.1'],
  ['an encoded prefix in a path', 'GET /gitlab/{H}/api/v4/runners/gl%72t-{B} HTTP/1.1'],
  ['a path parameter', 'GET /gitlab/{H}/api/v4/jobs/1;token={B} HTTP/1.1'],
  ['an upper-case path parameter', 'PUT /gitlab/{H}/api/v4/jobs/1;JOB_TOKEN={B} HTTP/1.1'],
  ['the host segment', 'GET /gitlab/glpat-{B}/api/v4/jobs/1 HTTP/1.1'],
  [
    'basic-auth userinfo',
    'GET /gitlab/gitlab-ci-token:{B}@{H}/group/demo.git/info/refs?service=git-upload-pack HTTP/1.1',
  ],
  ['a token as user name', 'GET /gitlab/{B}@{H}/group/demo.git/info/refs HTTP/1.1'],
  ['userinfo with an encoded colon', 'GET /gitlab/oauth2%3A{B}@{H}/group/demo.git/HEAD HTTP/1.1'],
  [
    'userinfo with an encoded @',
    'GET /gitlab/gitlab-ci-token:{B}%40{H}/group/demo.git/HEAD HTTP/1.1',
  ],
  [
    'userinfo in an absolute-form target',
    'GET http://gitlab-ci-token:{B}@{H}/gitlab/{H}/api/v4/jobs/1 HTTP/1.1',
  ],
  ['a query in an absolute-form target', 'GET http://evil.example/x?private_token={B} HTTP/1.1'],
  ['a query on an encoded target', 'GET /gitlab/{H}/api/v4/jobs/%2e%2e/x?%74oken={B} HTTP/1.1'],
  ['a prefixed token on a dotted target', 'GET /gitlab/{H}/api/v4/jobs/../glrt-{B} HTTP/1.1'],
  ['userinfo in a CONNECT target', 'CONNECT gitlab-ci-token:{B}@evil.example:443 HTTP/1.1'],
];

describe('redaction', () => {
  it(`keeps ${PLACEMENTS.length} placements of a token out of the access log`, async () => {
    // The security review asked for at least 22 placements; the table holds 40.
    expect(PLACEMENTS.length).toBe(40);
    const relayHost = new URL(relay.url).host;
    for (const [index, [name, line]] of PLACEMENTS.entries()) {
      const body = `Zq${index}SecretBodyX7`;
      const before = log.length;
      const response = await rawRequest(
        relay.url,
        `${line.replaceAll('{H}', upstream.host).replaceAll('{B}', body)}\r\nHost: ${relayHost}`,
      );
      // Every placement is logged, once, with the status the client got...
      // (soft: a failure names every placement that leaks, not only the first)
      await expect.poll(() => log.length, { timeout: 2_000 }).toBe(before + 1);
      const entry = log.at(-1) as AccessLogEntry;
      expect.soft(entry.status, name).toBe(response.status);
      // ...and no spelling of the token, however encoded, is in that line.
      const written = decodeFully(JSON.stringify(entry)).toLowerCase();
      expect.soft(written, name).not.toContain(body.toLowerCase());
      expect.soft(written, name).toContain('[redacted]');
    }
    // The tokens did reach the upstream where the path is relayed (nothing is silently dropped).
    expect(JSON.stringify(upstream.received)).toContain('Zq0SecretBodyX7');
  });

  it('keeps what is not a token, as sent', async () => {
    const target = `/gitlab/${upstream.host}/api/v4/jobs/1/artifacts?artifact_format=zip&token=Zq9SecretBodyX7&file_type=archive`;
    await (await fetch(`${relay.url}${target}`)).text();
    const entry = log.findLast((e) => e.path.includes('artifact_format=zip'));
    expect(entry?.path).toBe(
      `/gitlab/${upstream.host}/api/v4/jobs/1/artifacts?artifact_format=zip&token=[REDACTED]&file_type=archive`,
    );
  });

  it.each([
    [
      'a token query parameter',
      '/api/v4/jobs/1/artifacts?token=abc123&x=1',
      '/api/v4/jobs/1/artifacts?token=[REDACTED]&x=1',
    ],
    ['a private_token parameter', '/x?private_token=abc', '/x?private_token=[REDACTED]'],
    [
      'userinfo in a path',
      '/gitlab/gitlab-ci-token:glcbt-abcdefgh1234@host/g/p.git',
      '/gitlab/[REDACTED]@host/g/p.git',
    ],
    ['a prefixed token anywhere', '/runners/glrt-abcdefghijklmn/x', '/runners/[REDACTED]/x'],
  ])('redacts %s', (_name, text, expected) => {
    expect(redactText(text)).toBe(expected);
  });

  it('never writes a token to the access log, wherever the request carried it', async () => {
    const base = `${relay.url}/gitlab/${upstream.host}`;
    const responses = await Promise.all([
      fetch(`${base}/api/v4/jobs/request`, {
        method: 'POST',
        headers: { 'RUNNER-TOKEN': SECRETS.runner, 'Content-Type': 'application/json' },
        body: JSON.stringify({ token: SECRETS.runner }),
      }),
      fetch(`${base}/api/v4/jobs/9/trace?token=${SECRETS.legacy}`, {
        method: 'PATCH',
        headers: { 'JOB-TOKEN': SECRETS.job, 'Content-Range': '0-1' },
        body: 'hi',
      }),
      fetch(`${base}/api/v4/runners/reset_authentication_token?private_token=${SECRETS.pat}`, {
        method: 'POST',
        headers: { 'PRIVATE-TOKEN': SECRETS.pat },
      }),
      fetch(`${base}/group/demo.git/info/refs?service=git-upload-pack`, {
        headers: {
          Authorization: `Basic ${Buffer.from(`gitlab-ci-token:${SECRETS.basic}`).toString('base64')}`,
        },
      }),
      fetch(
        `${relay.url}/gitlab/gitlab-ci-token:${SECRETS.job}@${upstream.host}/group/demo.git/info/refs?service=git-upload-pack`,
      ),
    ]);
    await Promise.all(responses.map((r) => r.text()));
    // The tokens did reach the upstream (the relay is not silently dropping them)...
    const forwarded = JSON.stringify(upstream.received);
    expect(forwarded).toContain(SECRETS.runner);
    expect(forwarded).toContain(SECRETS.job);
    // ...and the log has every request but none of the tokens, nor the Basic credentials.
    expect(log.length).toBeGreaterThanOrEqual(5);
    const written = JSON.stringify(log);
    for (const secret of Object.values(SECRETS)) expect(written).not.toContain(secret);
    expect(written).not.toContain(
      Buffer.from(`gitlab-ci-token:${SECRETS.basic}`).toString('base64'),
    );
    expect(written).toContain('token=[REDACTED]');
  });
});
