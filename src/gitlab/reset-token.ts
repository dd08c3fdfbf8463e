/**
 * Runner token rotation (docs/runner-protocol.md §2.6): with the current token, or with a
 * personal access token and the runner id. Deciding when to rotate is the caller's job.
 */
import type { GitLabClient } from './client.ts';
import { PRIVATE_TOKEN } from './headers.ts';
import { discard, failed, readJson, stringField, type Failed } from './response.ts';

export type ResetTokenResult =
  { kind: 'reset'; token: string; tokenExpiresAt: string | null } | { kind: 'forbidden' } | Failed;

/** `POST /runners/reset_authentication_token` with `{token}` → 201 `{token, token_expires_at}`. */
export async function resetToken(
  client: GitLabClient,
  { token, signal }: { token: string; signal?: AbortSignal },
): Promise<ResetTokenResult> {
  const result = await client.send({
    method: 'POST',
    path: 'runners/reset_authentication_token',
    json: { token },
    acceptJson: true,
    signal,
  });
  return interpret(result);
}

/** `POST /runners/:id/reset_authentication_token` with `PRIVATE-TOKEN` and a JSON `null` body. */
export async function resetTokenWithPat(
  client: GitLabClient,
  { runnerId, pat, signal }: { runnerId: number; pat: string; signal?: AbortSignal },
): Promise<ResetTokenResult> {
  const result = await client.send({
    method: 'POST',
    path: `runners/${runnerId}/reset_authentication_token`,
    headers: { [PRIVATE_TOKEN]: pat },
    json: null,
    acceptJson: true,
    signal,
  });
  return interpret(result);
}

async function interpret(
  result: Awaited<ReturnType<GitLabClient['send']>>,
): Promise<ResetTokenResult> {
  if (result.kind === 'network-error') return failed(result);
  const { response } = result;
  if (response.status === 201) {
    const decoded = await readJson(response);
    if (!decoded.ok) return { kind: 'failed', status: 201, message: decoded.message };
    const token = stringField(decoded.value, 'token');
    if (!token)
      return { kind: 'failed', status: 201, message: 'GitLab answered 201 without a token' };
    return { kind: 'reset', token, tokenExpiresAt: stringField(decoded.value, 'token_expires_at') };
  }
  if (response.status === 403) {
    await discard(response);
    return { kind: 'forbidden' };
  }
  return failed(result);
}
