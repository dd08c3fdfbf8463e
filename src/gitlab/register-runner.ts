/**
 * `POST /runners`, legacy registration with a registration token (docs/runner-protocol.md
 * docs/runner-protocol.md §2.1, deprecated since GitLab Runner 15.6). `glrt-` tokens are not registered here: they are
 * created in GitLab and checked with `verifyRunner` (docs/runner-protocol.md §2.2).
 */
import type { GitLabClient } from './client.ts';
import { RUNNER_TOKEN } from './headers.ts';
import {
  discard,
  failed,
  numberField,
  readJson,
  relayFailure,
  stringField,
  type Failed,
} from './response.ts';
import type { RunnerInfo } from './runner-info.ts';

export interface RegisterRunnerOptions {
  /** The project, group or instance registration token. */
  registrationToken: string;
  info: RunnerInfo;
  description?: string;
  maintenanceNote?: string;
  /** Sent as GitLab's comma-separated `tag_list` string. */
  tags?: string[];
  /** @default false */
  runUntagged?: boolean;
  /** @default true */
  locked?: boolean;
  /** @default false */
  paused?: boolean;
  accessLevel?: 'not_protected' | 'ref_protected';
  /** Seconds. */
  maximumTimeout?: number;
  signal?: AbortSignal;
}

export type RegisterRunnerResult =
  | { kind: 'registered'; id: number; token: string; tokenExpiresAt: string | null }
  /** 403: the registration token is wrong. */
  | { kind: 'forbidden' }
  /** 410: this GitLab no longer accepts registration tokens; create the runner in GitLab. */
  | { kind: 'gone' }
  | Failed;

export async function registerRunner(
  client: GitLabClient,
  options: RegisterRunnerOptions,
): Promise<RegisterRunnerResult> {
  const body: Record<string, unknown> = {};
  if (options.description) body['description'] = options.description;
  if (options.maintenanceNote) body['maintenance_note'] = options.maintenanceNote;
  if (options.tags?.length) body['tag_list'] = options.tags.join(',');
  body['run_untagged'] = options.runUntagged ?? false;
  body['locked'] = options.locked ?? true;
  if (options.accessLevel) body['access_level'] = options.accessLevel;
  if (options.maximumTimeout) body['maximum_timeout'] = options.maximumTimeout;
  body['paused'] = options.paused ?? false;
  body['info'] = options.info;
  body['token'] = options.registrationToken;

  const result = await client.send({
    method: 'POST',
    path: 'runners',
    headers: { [RUNNER_TOKEN]: options.registrationToken },
    json: body,
    acceptJson: true,
    signal: options.signal,
  });
  if (result.kind === 'network-error') return failed(result);
  const { response } = result;
  switch (response.status) {
    case 201: {
      const decoded = await readJson(response);
      if (!decoded.ok) return { kind: 'failed', status: 201, message: decoded.message };
      const id = numberField(decoded.value, 'id');
      const token = stringField(decoded.value, 'token');
      if (id === null || !token) {
        return { kind: 'failed', status: 201, message: 'GitLab answered 201 without id and token' };
      }
      return {
        kind: 'registered',
        id,
        token,
        tokenExpiresAt: stringField(decoded.value, 'token_expires_at'),
      };
    }
    case 403: {
      // Through the relay a 403 may be the relay refusing the host, not GitLab the token.
      const refused = await relayFailure(response);
      if (refused) return refused;
      await discard(response);
      return { kind: 'forbidden' };
    }
    case 410:
      await discard(response);
      return { kind: 'gone' };
    default:
      return failed(result);
  }
}
