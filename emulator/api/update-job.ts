/**
 * `PUT /api/v4/jobs/:id` (docs/runner-protocol.md §7), as GitLab's `UpdateBuildStateService`:
 * - `pending`: keep-alive while a two-phase job awaits acceptance (200); 409 once accepted.
 * - `running`: acceptance of a two-phase job (docs/runner-protocol.md §7.5) or keep-alive (200).
 * - `success`/`failed`: final; 400 while awaiting acceptance. With `output.checksum` the stored
 *   trace must match it (crc32 and `bytesize`); until it does the answer is 202 with a backoff
 *   interval, and after 5 minutes GitLab stops waiting and applies the state anyway (docs/runner-protocol.md §7.4).
 *   A `canceling` job becomes `canceled`.
 * - anything else: 400.
 * Every answer past authentication carries `Job-Status` with the status after the update.
 */
import { crc32 } from 'node:zlib';
import type { EmulatorContext } from '../context.ts';
import { acceptJob, finishJob } from '../jobs/index.ts';
import type { Job } from '../model.ts';
import { empty, message, type Reply } from '../http/reply.ts';
import { integerField, objectField, stringField } from '../http/request.ts';
import type { ApiRoute } from './api-env.ts';
import { authenticateJob } from './job-auth.ts';
import { touchManagerOfJob, traceUpdateInterval } from './job-heartbeat.ts';

/** GitLab stops waiting for the trace after this long and applies the final state (docs/runner-protocol.md §7.4). */
const GIVE_UP_WAITING_MS = 5 * 60 * 1000;

export const updateJob: ApiRoute = {
  method: 'PUT',
  pattern: '/api/v4/jobs/:id',
  endpoint: 'jobs/update',
  async handle({ ctx }, req) {
    const fields = await req.fields();
    const auth = authenticateJob(ctx, req, fields, { allowAwaitingAcceptance: true });
    if ('reply' in auth) return auth.reply;
    const { job } = auth;
    touchManagerOfJob(ctx, job, objectField(fields, 'info'));
    const state = stringField(fields, 'state');
    const status = (code: number, extra: Record<string, string> = {}): Reply =>
      empty(code, { 'Job-Status': job.status, ...extra });

    switch (state) {
      case 'pending':
        return job.awaitingAcceptance ? status(200) : status(409);
      case 'running':
        if (job.awaitingAcceptance) {
          acceptJob(ctx, job);
          ctx.state.changed();
        }
        return status(200, { 'X-GitLab-Trace-Update-Interval': traceUpdateInterval(ctx, job) });
      case 'success':
      case 'failed': {
        if (job.awaitingAcceptance) {
          return message(400, 'Bad request - job is awaiting acceptance', {
            'Job-Status': job.status,
          });
        }
        const waitSeconds = traceWaitSeconds(ctx, job, fields);
        if (waitSeconds !== null) {
          return status(202, { 'X-GitLab-Trace-Update-Interval': String(waitSeconds) });
        }
        const exitCode = integerField(fields, 'exit_code');
        if (job.status === 'canceling') {
          finishJob(ctx, job, 'canceled', { exitCode: exitCode ?? null });
        } else if (state === 'success') {
          finishJob(ctx, job, 'success', { exitCode: exitCode ?? null });
        } else {
          finishJob(ctx, job, 'failed', {
            failureReason: fields['failure_reason'],
            exitCode: exitCode ?? null,
          });
        }
        return status(200);
      }
      default:
        return message(400, 'Bad request - unknown job state', { 'Job-Status': job.status });
    }
  },
};

/**
 * Seconds the runner should wait before the next final PUT, or null when the state can be
 * applied: no checksum was sent, the stored trace matches it, or GitLab gave up waiting.
 */
function traceWaitSeconds(
  ctx: EmulatorContext,
  job: Job,
  fields: Record<string, unknown>,
): number | null {
  const output = objectField(fields, 'output') ?? {};
  const checksum = stringField(output, 'checksum') ?? stringField(fields, 'checksum');
  if (checksum === undefined) return null;
  job.reportedChecksum = checksum;
  const bytesize = integerField(output, 'bytesize');
  const stored = `crc32:${crc32(job.trace).toString(16).padStart(8, '0')}`;
  const matches = checksum === stored && (bytesize === undefined || bytesize === job.trace.length);
  if (matches) return null;
  const now = ctx.clock.now();
  job.pendingFinalSince ??= now;
  const ageMs = now - job.pendingFinalSince;
  if (ageMs >= GIVE_UP_WAITING_MS) return null;
  return backoffSeconds(ageMs / 1000);
}

/** GitLab's pending-state backoff: 1 s for the first seconds, then doubling up to 64 s (docs/runner-protocol.md §7.4). */
export function backoffSeconds(ageSeconds: number): number {
  if (ageSeconds < 3) return 1;
  return Math.min(64, 2 ** Math.floor(Math.log2(ageSeconds)));
}
