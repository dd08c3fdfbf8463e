/**
 * `PATCH /api/v4/jobs/:id/trace` (docs/runner-protocol.md §6.2, §6.3), as GitLab's `AppendBuildTraceService`: only the
 * start of the non-RFC `Content-Range` counts; bytes are appended only at the stored length.
 * The answer is 202 when the stored length then equals start + body length (so resending the
 * last accepted chunk after a lost response is acknowledged without writing twice), else 416.
 * Both carry `Range: 0-<stored length>`, `Job-Status` and the update interval. Past the trace
 * size limit the job is dropped with `trace_size_exceeded` and the answer is 403.
 */
import { dropJob } from '../jobs/index.ts';
import { empty, forbidden, message } from '../http/reply.ts';
import type { ApiRoute } from './api-env.ts';
import { authenticateJob } from './job-auth.ts';
import { traceUpdateInterval } from './job-heartbeat.ts';

export const patchTrace: ApiRoute = {
  method: 'PATCH',
  pattern: '/api/v4/jobs/:id/trace',
  endpoint: 'jobs/trace',
  async handle({ ctx }, req) {
    const auth = authenticateJob(ctx, req);
    if ('reply' in auth) return auth.reply;
    const { job } = auth;
    const contentRange = req.header('content-range');
    if (contentRange === undefined) return message(400, 'Missing header Content-Range');
    const body = await req.bytes(ctx.options.traceSizeLimit + 1);
    // Ruby's `to_i`: leading digits, else 0.
    const start = Number(/^\s*(\d+)/.exec(contentRange)?.[1] ?? 0);
    if (start === job.trace.length) {
      const next = new Uint8Array(job.trace.length + body.length);
      next.set(job.trace);
      next.set(body, job.trace.length);
      job.trace = next;
    }
    const storedLength = job.trace.length;
    if (storedLength !== start + body.length) {
      return empty(416, traceHeaders(storedLength));
    }
    if (storedLength > ctx.options.traceSizeLimit) {
      dropJob(ctx, job, 'trace_size_exceeded');
      return forbidden();
    }
    return empty(202, traceHeaders(storedLength));

    function traceHeaders(length: number): Record<string, string> {
      return {
        Range: `0-${length}`,
        'Job-Status': job.status,
        'X-GitLab-Trace-Update-Interval': traceUpdateInterval(ctx, job),
      };
    }
  },
};
