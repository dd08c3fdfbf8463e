/**
 * Unregistering (docs/runner-protocol.md §2.4, §2.5): `DELETE /runners` removes the whole
 * runner and is for legacy tokens only; `DELETE /runners/managers` removes this host's runner
 * manager and is what `glrt-` tokens use. `isAuthenticationToken` tells which applies.
 */
import type { GitLabClient } from './client.ts';
import { RUNNER_TOKEN } from './headers.ts';
import { discard, failed, type Failed } from './response.ts';

/** A `glrt-` runner authentication token (created in GitLab, docs/runner-protocol.md §2.2), as opposed to a legacy one. */
export function isAuthenticationToken(token: string): boolean {
  return token.startsWith('glrt-');
}

export type UnregisterResult =
  { kind: 'deleted' } | { kind: 'forbidden' } | { kind: 'not-found' } | Failed;

/** `DELETE /runners` with `{token}`: 204 deleted, 403 forbidden. Legacy tokens only. */
export async function unregisterRunner(
  client: GitLabClient,
  { token, signal }: { token: string; signal?: AbortSignal },
): Promise<UnregisterResult> {
  const result = await client.send({
    method: 'DELETE',
    path: 'runners',
    headers: { [RUNNER_TOKEN]: token },
    json: { token },
    signal,
  });
  return interpret(result);
}

/** `DELETE /runners/managers` with `{token, system_id}`: 204, 400, 403, 404 (docs/runner-protocol.md §2.5). */
export async function unregisterManager(
  client: GitLabClient,
  { token, systemId, signal }: { token: string; systemId: string; signal?: AbortSignal },
): Promise<UnregisterResult> {
  const result = await client.send({
    method: 'DELETE',
    path: 'runners/managers',
    headers: { [RUNNER_TOKEN]: token },
    json: { token, system_id: systemId },
    signal,
  });
  return interpret(result);
}

async function interpret(
  result: Awaited<ReturnType<GitLabClient['send']>>,
): Promise<UnregisterResult> {
  if (result.kind === 'network-error') return failed(result);
  const { response } = result;
  switch (response.status) {
    case 204:
      await discard(response);
      return { kind: 'deleted' };
    case 403:
      await discard(response);
      return { kind: 'forbidden' };
    case 404:
      await discard(response);
      return { kind: 'not-found' };
    default:
      return failed(result);
  }
}
