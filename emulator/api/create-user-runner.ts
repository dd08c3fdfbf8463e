/**
 * `POST /api/v4/user/runners` with `PRIVATE-TOKEN` (docs/runner-protocol.md §2.2): creates a `glrt-` runner.
 * The emulator's admin token stands in for an administrator's personal access token.
 */
import { createRunner } from '../runners/index.ts';
import { json, message, paramError, unauthorized } from '../http/reply.ts';
import { integerField, stringField } from '../http/request.ts';
import type { ApiRoute } from './api-env.ts';
import { runnerSettingsFrom } from './runner-fields.ts';

const RUNNER_TYPES = ['instance_type', 'group_type', 'project_type'] as const;

export const createUserRunner: ApiRoute = {
  method: 'POST',
  pattern: '/api/v4/user/runners',
  async handle({ ctx }, req) {
    if (req.header('private-token') !== ctx.options.adminToken) return unauthorized();
    const fields = await req.fields();
    const runnerType = RUNNER_TYPES.find((t) => t === stringField(fields, 'runner_type'));
    if (fields['runner_type'] === undefined) return paramError('runner_type is missing');
    if (!runnerType) return paramError('runner_type does not have a valid value');
    const parsed = runnerSettingsFrom(fields);
    if ('reply' in parsed) return parsed.reply;
    let projectIds: number[] | null = null;
    if (runnerType === 'project_type') {
      const projectId = integerField(fields, 'project_id');
      if (projectId === undefined) return paramError('project_id is missing');
      if (!ctx.state.projects.has(projectId)) return message(404, 'Project Not Found');
      projectIds = [projectId];
    } else if (runnerType === 'group_type' && integerField(fields, 'group_id') === undefined) {
      return paramError('group_id is missing');
    }
    const runner = createRunner(ctx, { ...parsed.settings, runnerType, projectIds });
    return json(201, {
      id: runner.id,
      token: runner.token,
      token_expires_at: runner.tokenExpiresAt,
    });
  },
};
