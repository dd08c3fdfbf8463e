/**
 * `POST /api/v4/jobs/request` (docs/runner-protocol.md §3): Workhorse's long poll in front of Rails' scheduler.
 * Order: 403 unknown token; manager heartbeat (stores `info`); Workhorse hold while
 * `last_update` is current, answered 204 WITHOUT `X-GitLab-Last-Update` (docs/runner-protocol.md §3.3); paused → 204
 * with the header; `last_update` current → 204 echoing it; else the scheduler: 201 + payload
 * or 204 with the queue version.
 */
import type { EmulatorContext } from '../context.ts';
import { buildJobPayload } from '../collaborators.ts';
import { pickJob } from '../jobs/index.ts';
import type { Runner } from '../model.ts';
import { touchManager } from '../runners/index.ts';
import { empty, json } from '../http/reply.ts';
import { objectField, stringField } from '../http/request.ts';
import type { ApiRoute } from './api-env.ts';
import { authenticateRunner } from './runner-auth.ts';

export const requestJob: ApiRoute = {
  method: 'POST',
  pattern: '/api/v4/jobs/request',
  endpoint: 'jobs/request',
  async handle({ ctx }, req) {
    const fields = await req.fields();
    const { runner, reply } = authenticateRunner(ctx, fields);
    if (reply) return reply;
    const manager = touchManager(
      ctx,
      runner,
      stringField(fields, 'system_id'),
      objectField(fields, 'info'),
    );

    const longPoll = ctx.options.longPollSeconds > 0;
    const polling: Record<string, string> = longPoll ? { 'Gitlab-Ci-Builds-Polling': 'yes' } : {};
    const lastUpdate = stringField(fields, 'last_update') || undefined;

    // Workhorse only intercepts JSON bodies that carry both token and last_update (docs/runner-protocol.md §3.3).
    if (longPoll && req.mediaType() === 'application/json' && lastUpdate !== undefined) {
      if (lastUpdate === runner.queueVersion) {
        await queueChangeOrTimeout(ctx, runner, lastUpdate, req.signal);
        return { ...empty(204, polling), fromWorkhorse: true };
      }
    }
    if (runner.paused) {
      return empty(204, { ...polling, 'X-GitLab-Last-Update': runner.queueVersion });
    }
    if (lastUpdate !== undefined && lastUpdate === runner.queueVersion) {
      return empty(204, { ...polling, 'X-GitLab-Last-Update': lastUpdate });
    }
    const job = pickJob(ctx, runner, manager);
    if (!job) return empty(204, { ...polling, 'X-GitLab-Last-Update': runner.queueVersion });
    const payload = { ...buildJobPayload(ctx, job, runner), ...(job.payloadOverrides ?? {}) };
    return json(201, payload, polling);
  },
};

/** Resolve when the runner's queue version moves off `lastUpdate`, time runs out, or the client leaves. */
function queueChangeOrTimeout(
  ctx: EmulatorContext,
  runner: Runner,
  lastUpdate: string,
  signal: AbortSignal,
): Promise<void> {
  const stop = new AbortController();
  const unsubscribe = ctx.state.onChange(() => {
    if (runner.queueVersion !== lastUpdate || !ctx.state.runners.has(runner.id)) stop.abort();
  });
  const onClientGone = () => stop.abort();
  signal.addEventListener('abort', onClientGone, { once: true });
  return ctx.clock
    .sleep(ctx.options.longPollSeconds * 1000, stop.signal)
    .catch(() => undefined)
    .finally(() => {
      unsubscribe();
      signal.removeEventListener('abort', onClientGone);
    });
}
