/**
 * `DELETE /api/v4/runners/managers` (docs/runner-protocol.md §2.5): removes this host's manager. 400 without
 * `system_id` (Grape validates before authenticating), 403 unknown token, 404 unknown manager.
 */
import { empty, forbidden, message, paramError } from '../http/reply.ts';
import { stringField } from '../http/request.ts';
import type { ApiRoute } from './api-env.ts';

export const deleteRunnerManager: ApiRoute = {
  method: 'DELETE',
  pattern: '/api/v4/runners/managers',
  async handle({ ctx }, req) {
    const fields = await req.fields();
    const token = stringField(fields, 'token');
    if (token === undefined) return paramError('token is missing');
    const systemId = stringField(fields, 'system_id');
    if (systemId === undefined || systemId === '') return paramError('system_id is missing');
    const runner = ctx.state.runnerByToken(token);
    if (!runner) return forbidden();
    if (!runner.managers.delete(systemId)) return message(404, 'Runner manager Not Found');
    return empty(204);
  },
};
