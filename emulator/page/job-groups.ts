/**
 * The pipeline graph's job groups, as GitLab draws a stage (`Ci::Group.fabricate`): jobs whose
 * names differ only in a parallel suffix (`test 1/3`, `deploy: [aws, app]`) are one group named
 * without it, whose status is the composite status of its jobs (`Ci::Group#status`, which is
 * `Gitlab::Ci::Status::Composite#status`).
 */
import type { Job, JobStatus } from '../model.ts';

/**
 * `Gitlab::Utils::Job::PARALLEL_VARIANT_REGEX`: up to three trailing `[matrix values]` or `i/n`
 * parts, each after spaces or colons. (`[\b]` is a backspace in both Ruby's class and ours.)
 */
const PARALLEL_VARIANT = /([\b\s:]+((\[.*\])|(\d+[\s:/\\]+\d+))){1,3}\s*$/;

/** A group of a stage: one job, or the instances of a parallel or matrix job. */
export interface JobGroup {
  name: string;
  jobs: Job[];
  status: JobStatus;
}

/** GitLab's `group_name`: the job's name without its parallel or matrix suffix. */
function groupName(jobName: string): string {
  return jobName.replace(PARALLEL_VARIANT, '').trim();
}

/** A stage's jobs grouped by `groupName`, groups in the order of their first job. */
export function jobGroups(jobs: readonly Job[]): JobGroup[] {
  const byName = new Map<string, Job[]>();
  for (const job of jobs) {
    const name = groupName(job.name);
    byName.set(name, [...(byName.get(name) ?? []), job]);
  }
  return [...byName].map(([name, members]) => ({
    name,
    jobs: members,
    status: compositeStatus(members),
  }));
}

/**
 * `Gitlab::Ci::Status::Composite#status` (no DAG) over the statuses the emulator has: a
 * failure or cancel that is allowed to fail counts as a passed-with-warnings job, a manual job
 * that is allowed to fail as ignored; then the first rule that holds, in GitLab's order.
 */
function compositeStatus(jobs: readonly Job[]): JobStatus {
  const set = new Set<string>(
    jobs.map((job) => {
      if (job.allowFailure && (job.status === 'failed' || job.status === 'canceled')) {
        return 'success_with_warnings';
      }
      if (job.allowFailure && job.status === 'manual') return 'ignored';
      return job.status;
    }),
  );
  const onlyOf = (...names: string[]) => [...set].every((status) => names.includes(status));
  const anyOf = (...names: string[]) => names.some((status) => set.has(status));
  if (onlyOf('skipped', 'ignored')) return 'skipped';
  if (onlyOf('success', 'skipped', 'success_with_warnings', 'ignored')) return 'success';
  if (onlyOf('created', 'success_with_warnings', 'ignored')) return 'created';
  if (onlyOf('canceled', 'success', 'skipped', 'success_with_warnings', 'ignored')) {
    return 'canceled';
  }
  if (onlyOf('pending', 'created', 'skipped', 'success_with_warnings', 'ignored')) return 'pending';
  if (anyOf('running', 'pending')) return 'running';
  if (anyOf('manual')) return 'manual';
  if (anyOf('created')) return 'running';
  if (anyOf('canceling')) return 'canceling';
  return 'failed';
}
