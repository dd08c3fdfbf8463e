/** Test support: a pipeline's jobs in the order the pipeline lists them. */
import type { Job, Pipeline } from '../model.ts';
import type { EmulatorState } from '../state.ts';

/** The jobs of `pipeline` in `state`; a listed id with no job fails loudly (a broken state). */
export function pipelineJobs(state: EmulatorState, pipeline: Pipeline): Job[] {
  return pipeline.jobIds.map((id) => {
    const job = state.jobs.get(id);
    if (!job)
      throw new Error(
        `pipeline ${String(pipeline.id)} lists job ${String(id)}, which is not in the state`,
      );
    return job;
  });
}
