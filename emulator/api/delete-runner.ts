/** `DELETE /api/v4/runners` (§2.4): removes the whole runner; 204, or 403 for an unknown token. */
import { empty, forbidden, paramError } from '../http/reply.ts';
import { stringField } from '../http/request.ts';
import type { ApiRoute } from './api-env.ts';

export const deleteRunner: ApiRoute = {
  method: 'DELETE',
  pattern: '/api/v4/runners',
  async handle({ ctx }, req) {
    const fields = await req.fields();
    const token = stringField(fields, 'token');
    if (token === undefined) return paramError('token is missing');
    const runner = ctx.state.runnerByToken(token);
    if (!runner) return forbidden();
    ctx.state.runners.delete(runner.id);
    ctx.state.changed();
    return empty(204);
  },
};
