import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessLogEntry } from './access-log.ts';
import { startRelay, type RunningRelay } from './node.ts';
import { redactText } from './redact.ts';
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

describe('redaction', () => {
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
