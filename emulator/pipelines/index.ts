/**
 * Pipelines: created from a JSON description or a `.gitlab-ci.yml` subset, and advanced stage by
 * stage as jobs finish (docs/runner-protocol.md §13).
 */
export { advancePipeline, pipelineStatus } from './advance-pipeline.ts';
export { CiConfigError } from './ci-config-error.ts';
export { DEFAULT_STAGES, parseCiConfig, type ParsedCiConfig } from './ci-config.ts';
export {
  createPipeline,
  type JsonPipelineInput,
  type PipelineInput,
  type PipelineInputBase,
  type YamlPipelineInput,
} from './create-pipeline.ts';
export { parseDuration } from './duration.ts';
export { newJobState } from './new-job-state.ts';
export type { JobSpecJson } from './job-spec.ts';
export {
  pipelineExtras,
  setPipelineExtras,
  type CommitInfo,
  type MergeRequestInfo,
  type PipelineExtras,
} from './pipeline-extras.ts';
export { evaluateRule } from './rules.ts';
