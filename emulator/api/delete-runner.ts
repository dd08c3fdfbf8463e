/** `DELETE /api/v4/runners` (docs/runner-protocol.md §2.4): removes the whole runner; 204, or 403 for an unknown token. */
import { empty } from '../http/reply.ts';
import type { ApiRoute } from './api-env.ts';
import { authenticateRunner } from './runner-auth.ts';

export const deleteRunner: ApiRoute = {
  method: 'DELETE',
  pattern: '/api/v4/runners',
  async handle({ ctx }, req) {
    const fields = await req.fields();
    const { runner, reply } = authenticateRunner(ctx, fields);
    if (reply) return reply;
    ctx.state.runners.delete(runner.id);
    ctx.state.changed();
    return empty(204);
  },
};
