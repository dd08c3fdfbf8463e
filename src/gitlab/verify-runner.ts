/**
 * `POST /runners/verify` (docs/runner-protocol.md §2.3): is this token valid? For `glrt-`
 * tokens it is also the registration step, and the first call creates this host's runner
 * manager, so `info` (with `features`) and `system_id` are always sent.
 */
import type { GitLabClient } from './client.ts';
import { RUNNER_TOKEN } from './headers.ts';
import {
  discard,
  failed,
  mediaType,
  numberField,
  readJson,
  relayFailure,
  stringField,
  type Failed,
} from './response.ts';
import type { RunnerInfo } from './runner-info.ts';

export interface VerifyRunnerOptions {
  token: string;
  systemId: string;
  info: RunnerInfo;
  signal?: AbortSignal;
}

export type VerifyRunnerResult =
  /** 200. `id` is 0 when an old server answered plain text (it has no id to give). */
  | { kind: 'valid'; id: number; tokenExpiresAt: string | null }
  /** 403 from GitLab: the token is invalid or the runner was removed (a relay's 403 is `failed`). */
  | { kind: 'forbidden' }
  /** 422: the runner has no owning project or group left. */
  | { kind: 'orphaned' }
  | Failed;

export async function verifyRunner(
  client: GitLabClient,
  { token, systemId, info, signal }: VerifyRunnerOptions,
): Promise<VerifyRunnerResult> {
  const result = await client.send({
    method: 'POST',
    path: 'runners/verify',
    headers: { [RUNNER_TOKEN]: token },
    json: { info, token, system_id: systemId },
    acceptJson: true,
    signal,
  });
  if (result.kind === 'network-error') return failed(result);
  const { response } = result;
  switch (response.status) {
    case 200: {
      if (mediaType(response) !== 'application/json') {
        await discard(response);
        return { kind: 'valid', id: 0, tokenExpiresAt: null };
      }
      const body = await readJson(response);
      if (!body.ok) return { kind: 'failed', status: 200, message: body.message };
      return {
        kind: 'valid',
        id: numberField(body.value, 'id') ?? 0,
        tokenExpiresAt: stringField(body.value, 'token_expires_at'),
      };
    }
    case 403: {
      // Through the relay a 403 may be the relay refusing the host, not GitLab the token.
      const refused = await relayFailure(response);
      if (refused) return refused;
      await discard(response);
      return { kind: 'forbidden' };
    }
    case 422:
      await discard(response);
      return { kind: 'orphaned' };
    default:
      return failed(result);
  }
}
