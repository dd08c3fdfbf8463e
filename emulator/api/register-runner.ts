/**
 * `POST /api/v4/runners`: legacy registration with a registration token (docs/runner-protocol.md §2.1). The new runner
 * gets a 20-character token; `tag_list` arrives as a comma-separated string.
 */
import { createRunner, touchManager } from '../runners/index.ts';
import { json, paramError, forbidden } from '../http/reply.ts';
import { objectField, stringField } from '../http/request.ts';
import type { ApiRoute } from './api-env.ts';
import { runnerSettingsFrom } from './runner-fields.ts';

export const registerRunner: ApiRoute = {
  method: 'POST',
  pattern: '/api/v4/runners',
  async handle({ ctx }, req) {
    const fields = await req.fields();
    const token = stringField(fields, 'token');
    if (token === undefined) return paramError('token is missing');
    if (token !== ctx.options.registrationToken) return forbidden();
    const parsed = runnerSettingsFrom(fields);
    if ('reply' in parsed) return parsed.reply;
    const runner = createRunner(ctx, { ...parsed.settings, kind: 'legacy' });
    const info = objectField(fields, 'info');
    if (info) touchManager(ctx, runner, stringField(fields, 'system_id'), info);
    return json(201, {
      id: runner.id,
      token: runner.token,
      token_expires_at: runner.tokenExpiresAt,
    });
  },
};
