/**
 * Job-token authentication for job-scoped endpoints (docs/runner-protocol.md §1.2, §6.2): `token` parameter first,
 * then the `JOB-TOKEN` header. 404 unknown job, 403 wrong token, and 403 with `Job-Status`
 * when the job is not processing on a runner (GitLab's `job_forbidden!`).
 */
import type { EmulatorContext } from '../context.ts';
import { isProcessing } from '../jobs/index.ts';
import type { Job } from '../model.ts';
import { message, notFound, type Reply } from '../http/reply.ts';
import { stringField, type EmulatorRequest, type ParamValue } from '../http/request.ts';
import { touchManagerOfJob } from './job-heartbeat.ts';

/** The token a request presents for a job. */
export function jobTokenOf(
  req: EmulatorRequest,
  fields: Record<string, ParamValue> = {},
): string | undefined {
  return stringField(fields, 'token') ?? req.query.get('token') ?? req.header('job-token');
}

/** Find `:id` and check its token. Does not look at the job's status. */
export function findJobFor(
  ctx: EmulatorContext,
  req: EmulatorRequest,
  fields: Record<string, ParamValue> = {},
): { job: Job } | { reply: Reply } {
  const id = Number(req.params['id']);
  const job = Number.isInteger(id) ? ctx.state.jobs.get(id) : undefined;
  if (!job) return { reply: notFound() };
  if (jobTokenOf(req, fields) !== job.token) return { reply: message(403, 'Forbidden') };
  return { job };
}

/** `authenticate_job!`: the job, which must be running or canceling. Heartbeats its manager. */
export function authenticateJob(
  ctx: EmulatorContext,
  req: EmulatorRequest,
  fields: Record<string, ParamValue> = {},
  options: { allowAwaitingAcceptance?: boolean } = {},
): { job: Job } | { reply: Reply } {
  const found = findJobFor(ctx, req, fields);
  if ('reply' in found) return found;
  const { job } = found;
  const awaiting = options.allowAwaitingAcceptance === true && job.awaitingAcceptance;
  if (!isProcessing(job) && !awaiting) {
    return {
      reply: message(403, 'Forbidden - Job is not processing on runner', {
        'Job-Status': job.status,
      }),
    };
  }
  touchManagerOfJob(ctx, job);
  return { job };
}
