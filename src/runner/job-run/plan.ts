import type { JobPayload } from '../../gitlab/job-payload.ts';
import { planJob, shortToken, type JobPlan, type PlanRejection } from '../../job/index.ts';
import { TABRUNNER_REVISION, TABRUNNER_VERSION } from '../version.ts';
import type { JobRunOptions } from './options.ts';

/** The plan for `payload` on this runner and sandbox (docs/runner-protocol.md §10). */
export function planFor(o: JobRunOptions, payload: JobPayload): JobPlan | PlanRejection {
  return planJob(payload, {
    executor: o.executor.name,
    nodeVersion: majorVersion(o.executorInfo.nodeVersion),
    runner: {
      buildsDir: o.executorInfo.buildsDir,
      shortToken: shortToken(o.runner.token),
      version: TABRUNNER_VERSION,
      revision: TABRUNNER_REVISION,
      executableArch: o.executableArch,
    },
  });
}

/** `v20.19.1` → `20`, as the plan compares majors. */
function majorVersion(version: string | undefined): string | undefined {
  return version === undefined ? undefined : /^v?(\d+)/.exec(version)?.[1];
}
