/** Contract tests of the runner lifecycle endpoints (docs/runner-protocol.md §2), ported from network/gitlab_test.go. */
import { describe, expect, it } from 'vitest';
import { createGitLabClient } from './client.ts';
import { registerRunner } from './register-runner.ts';
import { resetToken, resetTokenWithPat } from './reset-token.ts';
import type { RecordedRequest, Reply } from './testing/scripted-server.ts';
import { useScriptedServers } from './testing/use-server.ts';
import { isAuthenticationToken, unregisterManager, unregisterRunner } from './unregister.ts';
import { verifyRunner } from './verify-runner.ts';
import { testRunnerInfo } from './testing/test-runner-info.ts';

const serve = useScriptedServers();
const info = testRunnerInfo({ headersReadable: true });
const json = (body: unknown, status = 200): Reply => ({ status, body });

/** What a GitLab handler checks on runner-token calls: RUNNER-TOKEN equals the body token. */
function checkRunnerToken(req: RecordedRequest): Reply | null {
  const body = req.json as { token?: string } | undefined;
  if (!body?.token || req.headers['runner-token'] !== body.token)
    return { status: 400, body: 'token mismatch' };
  return null;
}

describe('verifyRunner (TestVerifyRunner, TestGitLabClient_VerifyRunner_TransmitsRunnerInfo)', () => {
  async function verifyWith(reply: (req: RecordedRequest) => Reply, token = 'glrt-valid') {
    const server = await serve((req) => {
      if (req.method !== 'POST' || req.path !== '/api/v4/runners/verify') return { status: 404 };
      if (req.headers['accept'] !== 'application/json') return { status: 406 };
      return checkRunnerToken(req) ?? reply(req);
    });
    const result = await verifyRunner(createGitLabClient({ url: server.url }), {
      token,
      systemId: 's_0123456789ab',
      info,
    });
    return { result, server };
  }

  it('sends info with features, token and system_id, and reads id and expiry', async () => {
    const { result, server } = await verifyWith(() =>
      json({ id: 54321, token: 'glrt-valid', token_expires_at: '2684-10-16T13:25:59Z' }),
    );
    expect(result).toEqual({ kind: 'valid', id: 54321, tokenExpiresAt: '2684-10-16T13:25:59Z' });
    expect(server.requests[0]?.json).toEqual({
      info,
      token: 'glrt-valid',
      system_id: 's_0123456789ab',
    });
    expect(server.requests[0]?.headers['content-type']).toBe('application/json');
  });

  it('accepts the plain-text 200 of old servers (TestVerifyRunnerOnLegacyServer)', async () => {
    const { result } = await verifyWith(() => ({
      status: 200,
      body: '200',
      headers: { 'Content-Type': 'text/plain' },
    }));
    expect(result).toEqual({ kind: 'valid', id: 0, tokenExpiresAt: null });
  });

  it.each([
    [403, { kind: 'forbidden' }],
    [422, { kind: 'orphaned' }],
  ])('maps %i', async (status, expected) => {
    const { result } = await verifyWith(() => ({ status }));
    expect(result).toEqual(expected);
  });

  it('reports other statuses with GitLab message', async () => {
    const { result } = await verifyWith(() => json({ message: 'boom' }, 400));
    expect(result).toEqual({ kind: 'failed', status: 400, message: '400 Bad Request (boom)' });
  });
});

describe('registerRunner (TestGitLabClient_RegisterRunner)', () => {
  async function registerWith(reply: () => Reply) {
    const server = await serve((req) => {
      if (req.method !== 'POST' || req.path !== '/api/v4/runners') return { status: 404 };
      if (req.headers['accept'] !== 'application/json') return { status: 406 };
      return checkRunnerToken(req) ?? reply();
    });
    const result = await registerRunner(createGitLabClient({ url: server.url }), {
      registrationToken: 'GR1348941registration',
      description: 'tab',
      tags: ['docker', 'linux'],
      info,
    });
    return { result, server };
  }

  it('sends the body GitLab expects and reads the new token', async () => {
    const { result, server } = await registerWith(() =>
      json({ id: 12345, token: 'abcdef1234567890abcd', token_expires_at: null }, 201),
    );
    expect(result).toEqual({
      kind: 'registered',
      id: 12345,
      token: 'abcdef1234567890abcd',
      tokenExpiresAt: null,
    });
    expect(server.requests[0]?.json).toEqual({
      description: 'tab',
      tag_list: 'docker,linux',
      run_untagged: false,
      locked: true,
      paused: false,
      info,
      token: 'GR1348941registration',
    });
  });

  it('renders the runner-limit error (TestGitLabClient_RegisterRunner_OnRunnerLimitHit)', async () => {
    const { result } = await registerWith(() =>
      json(
        {
          message: {
            'runner_projects.base': [
              'Maximum number of ci registered project runners (3) exceeded',
            ],
          },
        },
        400,
      ),
    );
    expect(result).toEqual({
      kind: 'failed',
      status: 400,
      message:
        '400 Bad Request (runner_projects.base: Maximum number of ci registered project runners (3) exceeded)',
    });
  });

  it.each([
    [403, 'forbidden'],
    [410, 'gone'],
  ])('maps %i to %s', async (status, kind) => {
    const { result } = await registerWith(() => ({ status }));
    expect(result.kind).toBe(kind);
  });

  it('takes a 403 the relay wrote (a host it does not forward to) for no verdict on the token', async () => {
    const refusal = { error: 'host_not_allowed', message: 'The relay does not forward to x.' };
    const { result } = await registerWith(() => json(refusal, 403));
    expect(result).toMatchObject({
      kind: 'failed',
      status: 403,
      relay: { reason: 'host_not_allowed' },
    });
    // GitLab's own JSON 403 is still the token's.
    const { result: gitlab } = await registerWith(() => json({ message: '403 Forbidden' }, 403));
    expect(gitlab.kind).toBe('forbidden');
  });
});

describe('unregister (TestGitLabClient_UnregisterRunner, TestUnregisterRunnerManager)', () => {
  it('tells glrt- tokens from legacy ones', () => {
    expect(isAuthenticationToken('glrt-abc')).toBe(true);
    expect(isAuthenticationToken('abcdef1234567890abcd')).toBe(false);
  });

  it('deletes the whole runner with DELETE /runners', async () => {
    const server = await serve((req) =>
      req.method === 'DELETE' && req.path === '/api/v4/runners'
        ? (checkRunnerToken(req) ?? { status: 204 })
        : { status: 404 },
    );
    const client = createGitLabClient({ url: server.url });
    expect(await unregisterRunner(client, { token: 'legacy-token' })).toEqual({ kind: 'deleted' });
    expect(server.requests[0]?.json).toEqual({ token: 'legacy-token' });
  });

  it('deletes this manager with DELETE /runners/managers and its system_id', async () => {
    let status = 204;
    const server = await serve((req) => {
      if (req.method !== 'DELETE' || req.path !== '/api/v4/runners/managers')
        return { status: 405 };
      if ((req.json as { system_id?: string }).system_id !== 's_0123456789ab')
        return { status: 400 };
      return checkRunnerToken(req) ?? { status };
    });
    const client = createGitLabClient({ url: server.url });
    const call = () => unregisterManager(client, { token: 'glrt-x', systemId: 's_0123456789ab' });
    expect(await call()).toEqual({ kind: 'deleted' });
    status = 403;
    expect(await call()).toEqual({ kind: 'forbidden' });
    status = 404;
    expect(await call()).toEqual({ kind: 'not-found' });
    status = 400;
    expect(await call()).toMatchObject({ kind: 'failed', status: 400 });
    expect(server.requests[0]?.json).toEqual({ token: 'glrt-x', system_id: 's_0123456789ab' });
  });
});

describe('resetToken (TestGitlabClient_ResetToken, TestGitLabClient_ResetTokenWithPAT)', () => {
  it('resets with the current token', async () => {
    const server = await serve((req) =>
      req.method === 'POST' &&
      req.path === '/api/v4/runners/reset_authentication_token' &&
      (req.json as { token?: string }).token === 'glrt-old'
        ? json({ token: 'glrt-new', token_expires_at: '2030-01-01T00:00:00Z' }, 201)
        : { status: 403 },
    );
    const client = createGitLabClient({ url: server.url });
    expect(await resetToken(client, { token: 'glrt-old' })).toEqual({
      kind: 'reset',
      token: 'glrt-new',
      tokenExpiresAt: '2030-01-01T00:00:00Z',
    });
    expect(await resetToken(client, { token: 'glrt-wrong' })).toEqual({ kind: 'forbidden' });
  });

  it('resets with a personal access token and the runner id', async () => {
    const server = await serve((req) =>
      req.path === '/api/v4/runners/42/reset_authentication_token' &&
      req.headers['private-token'] === 'glpat-x'
        ? json({ token: 'glrt-new', token_expires_at: null }, 201)
        : { status: 403 },
    );
    const result = await resetTokenWithPat(createGitLabClient({ url: server.url }), {
      runnerId: 42,
      pat: 'glpat-x',
    });
    expect(result).toEqual({ kind: 'reset', token: 'glrt-new', tokenExpiresAt: null });
    expect(server.requests[0]?.body.toString()).toBe('null');
  });
});
