/**
 * The functions this half of the emulator takes from git hosting, pipelines, payloads and the
 * page (`git/`, `pipelines/`, `payload/`, `page/`), imported in one place so the seam is visible.
 */
export { buildJobPayload } from './payload/index.ts';
export {
  advancePipeline,
  createPipeline,
  newJobState,
  pipelineExtras,
  type PipelineInput,
} from './pipelines/index.ts';
export { createProject, handleGit, type CreateProjectInput } from './git/index.ts';
export { handlePage } from './page/index.ts';
