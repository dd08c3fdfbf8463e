import type { JobPayload } from '../../gitlab/job-payload.ts';
import type { JobSummary } from '../events.ts';

/** The job as listeners show it (the page's job list and history). */
export function jobSummary(payload: JobPayload): JobSummary {
  const url = payload.variables.findLast((v) => v.key === 'CI_JOB_URL')?.value ?? '';
  return {
    id: payload.id,
    name: payload.job_info.name,
    stage: payload.job_info.stage,
    projectPath: payload.job_info.project_full_path,
    pipelineId: payload.job_info.pipeline_id,
    url,
  };
}
