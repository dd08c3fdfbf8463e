/**
 * `POST /api/v4/runners/reset_authentication_token` (§2.6): 201 with a fresh token of the same
 * kind; the old one stops working at once. 403 for an unknown token.
 */
import { newAuthenticationToken, newLegacyToken } from '../runners/index.ts';
import { forbidden, json, paramError } from '../http/reply.ts';
import { stringField } from '../http/request.ts';
import type { ApiRoute } from './api-env.ts';

export const resetRunnerToken: ApiRoute = {
  method: 'POST',
  pattern: '/api/v4/runners/reset_authentication_token',
  async handle({ ctx }, req) {
    const fields = await req.fields();
    const token = stringField(fields, 'token');
    if (token === undefined) return paramError('token is missing');
    const runner = ctx.state.runnerByToken(token);
    if (!runner) return forbidden();
    runner.token = runner.kind === 'legacy' ? newLegacyToken() : newAuthenticationToken();
    return json(201, { token: runner.token, token_expires_at: runner.tokenExpiresAt });
  },
};
