import { TraceSender, updateJob } from '../../gitlab/index.ts';
import type { ParsedJob } from '../../gitlab/job-payload.ts';
import { closingLine } from '../../job/index.ts';
import { JobTrace } from '../job-trace.ts';
import type { JobRunOptions } from './options.ts';
import type { JobReport } from './report.ts';

/** A payload we could not read still names a job: fail it with the reasons in its trace. */
export async function reportUnparsable(
  o: JobRunOptions,
  parsed: Extract<ParsedJob, { ok: false }>,
): Promise<JobReport> {
  o.events.emit({
    type: 'error',
    message: `GitLab sent a job payload tabrunner cannot read: ${parsed.problems.join('; ')}`,
    fatal: false,
  });
  const job = parsed.job;
  if (!job)
    return {
      jobId: 0,
      result: 'failed',
      failureReason: 'runner_system_failure',
      exitCode: null,
      reported: false,
    };
  const trace = new JobTrace({
    limit: o.outputLimit,
    masking: { phrases: [job.token], tokenPrefixes: [] },
    sections: false,
    scriptSections: false,
    timestamps: true,
    clock: o.traceClock ?? o.clock,
    onOutput: (chunk) => o.events.emit({ type: 'job-output', jobId: job.id, chunk }),
  });
  trace.header(o.runner);
  trace.error('The job payload from GitLab is malformed, so tabrunner did not run it:');
  for (const problem of job.problems) trace.error(`  ${problem}`);
  trace.close(closingLine({ kind: 'system', message: 'invalid job payload' }));
  const acceptance = await updateJob(o.client, {
    jobId: job.id,
    jobToken: job.token,
    info: o.info,
    state: 'running',
  });
  if (acceptance.kind === 'aborted') {
    return {
      jobId: job.id,
      result: 'failed',
      failureReason: 'runner_system_failure',
      exitCode: null,
      reported: false,
    };
  }
  const sender = new TraceSender({
    client: o.client,
    jobId: job.id,
    jobToken: job.token,
    source: trace.buffer,
    clock: o.clock,
    info: o.info,
  });
  const final = await sender.finish({ state: 'failed', failureReason: 'runner_system_failure' });
  return {
    jobId: job.id,
    result: 'failed',
    failureReason: 'runner_system_failure',
    exitCode: null,
    reported: final.kind === 'accepted',
  };
}
