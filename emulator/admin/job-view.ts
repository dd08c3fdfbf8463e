/** How the admin API shows a job: its state and outcome, never its token. */
import type { Job } from '../model.ts';

export function jobView(job: Job, withTrace: boolean): Record<string, unknown> {
  return {
    id: job.id,
    name: job.name,
    stage: job.stage,
    status: job.status,
    pipeline_id: job.pipelineId,
    project_id: job.projectId,
    runner_id: job.runnerId,
    system_id: job.systemId,
    awaiting_acceptance: job.awaitingAcceptance,
    retried: job.retried === true,
    failure_reason: job.failureReason,
    exit_code: job.exitCode,
    trace_size: job.trace.length,
    artifacts: job.artifactsStored.map((a) => ({
      artifact_type: a.artifactType,
      artifact_format: a.artifactFormat,
      filename: a.filename,
      size: a.data.length,
      expires_at: a.expiresAt === null ? null : new Date(a.expiresAt).toISOString(),
    })),
    ...(withTrace ? { trace: new TextDecoder().decode(job.trace) } : {}),
  };
}
