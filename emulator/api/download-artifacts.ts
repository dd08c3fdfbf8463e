/**
 * `GET /api/v4/jobs/:id/artifacts` (docs/runner-protocol.md §8.2): the archive of job `:id`, for the `JOB-TOKEN` of a
 * running job of the same pipeline that depends on it (current GitLab hands out the running
 * job's own token, docs/runner-protocol.md §4.11), or of `:id` itself while it runs. 401 without a live job token,
 * 403 when that job may not read `:id`, 404 without an unexpired archive, else 200 and the file.
 */
import { isProcessing } from '../jobs/index.ts';
import { forbidden, notFound, unauthorized } from '../http/reply.ts';
import type { ApiRoute } from './api-env.ts';

export const downloadArtifacts: ApiRoute = {
  method: 'GET',
  pattern: '/api/v4/jobs/:id/artifacts',
  endpoint: 'artifacts/download',
  async handle({ ctx }, req) {
    const id = Number(req.params['id']);
    const dependency = Number.isInteger(id) ? ctx.state.jobs.get(id) : undefined;
    const token = req.header('job-token') ?? req.query.get('job_token') ?? req.query.get('token');
    const reader = ctx.state.jobByToken(token ?? undefined);
    if (!reader || !isProcessing(reader)) return unauthorized();
    if (!dependency) return notFound();
    const allowed =
      reader.id === dependency.id ||
      (reader.pipelineId === dependency.pipelineId &&
        reader.dependencies.includes(dependency.name));
    if (!allowed) return forbidden();
    const now = ctx.clock.now();
    const archive = dependency.artifactsStored.find(
      (a) => a.artifactType === 'archive' && (a.expiresAt === null || a.expiresAt > now),
    );
    if (!archive) return notFound();
    return {
      status: 200,
      headers: {
        'Content-Type': 'application/octet-stream',
        'Content-Disposition': `attachment; filename="${archive.filename.replace(/"/g, '')}"`,
        'Content-Length': String(archive.data.length),
      },
      body: archive.data,
    };
  },
};
