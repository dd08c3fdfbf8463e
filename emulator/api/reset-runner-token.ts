/**
 * `POST /api/v4/runners/reset_authentication_token` (docs/runner-protocol.md §2.6): 201 with a fresh token of the same
 * kind; the old one stops working at once. 403 for an unknown token.
 */
import { newAuthenticationToken, newLegacyToken } from '../runners/index.ts';
import { json } from '../http/reply.ts';
import type { ApiRoute } from './api-env.ts';
import { authenticateRunner } from './runner-auth.ts';

export const resetRunnerToken: ApiRoute = {
  method: 'POST',
  pattern: '/api/v4/runners/reset_authentication_token',
  async handle({ ctx }, req) {
    const fields = await req.fields();
    const { runner, reply } = authenticateRunner(ctx, fields);
    if (reply) return reply;
    runner.token = runner.kind === 'legacy' ? newLegacyToken() : newAuthenticationToken();
    return json(201, { token: runner.token, token_expires_at: runner.tokenExpiresAt });
  },
};
