/**
 * `POST /api/v4/runners/verify` (docs/runner-protocol.md §2.3): 200 with `{id, token, token_expires_at}` for a known
 * token, 403 otherwise. Creates or refreshes the manager for `system_id` with its `info`.
 */
import { touchManager } from '../runners/index.ts';
import { json } from '../http/reply.ts';
import { objectField, stringField } from '../http/request.ts';
import type { ApiRoute } from './api-env.ts';
import { authenticateRunner } from './runner-auth.ts';

export const verifyRunner: ApiRoute = {
  method: 'POST',
  pattern: '/api/v4/runners/verify',
  endpoint: 'runners/verify',
  async handle({ ctx }, req) {
    const fields = await req.fields();
    const { runner, reply } = authenticateRunner(ctx, fields);
    if (reply) return reply;
    touchManager(ctx, runner, stringField(fields, 'system_id'), objectField(fields, 'info'));
    return json(200, {
      id: runner.id,
      token: runner.token,
      token_expires_at: runner.tokenExpiresAt,
    });
  },
};
