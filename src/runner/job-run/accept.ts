import { updateJob } from '../../gitlab/index.ts';
import type { JobPayload } from '../../gitlab/job-payload.ts';
import type { JobRunOptions } from './options.ts';

/**
 * The acceptance PUT (docs/runner-protocol.md §7.5). Retried a few times when it fails outright: a lost answer may hide
 * an applied acceptance, and a second `running` PUT is harmless.
 */
export async function acceptJob(
  o: JobRunOptions,
  payload: JobPayload,
): Promise<'running' | 'canceling' | 'dropped'> {
  for (let attempt = 1; ; attempt += 1) {
    const answer = await updateJob(o.client, {
      jobId: payload.id,
      jobToken: payload.token,
      info: o.info,
      state: 'running',
    });
    if (answer.kind === 'aborted') return 'dropped';
    if (answer.kind === 'succeeded' || answer.kind === 'accepted') {
      return answer.jobStatus === 'canceling' ? 'canceling' : 'running';
    }
    if (attempt >= 3) {
      // Go on: if GitLab never got it, the first trace PATCH answers 403 and the job stops.
      o.events.emit({
        type: 'error',
        message: `Job ${payload.id}: GitLab did not confirm the job start; continuing.`,
        fatal: false,
      });
      return 'running';
    }
    await o.clock.sleep(1000 * attempt);
  }
}
