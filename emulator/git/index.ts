/**
 * Git hosting: bare repositories per project, served over real smart HTTP through
 * `git http-backend`, with GitLab's job-token auth and its pipeline and merge-request refs.
 */
export { createProject, ProjectImportError, type CreateProjectInput } from './create-project.ts';
export { commitFiles, type CommitFilesInput } from './commit-files.ts';
export { handleGit, type GitFaults } from './handle-git.ts';
export { createPushPipeline } from './push-pipeline.ts';
export { newWorkshopPassword } from './workshop-password.ts';
export { setAllowAnyShaInWant } from './upload-pack-policy.ts';
export { changedPaths, filesAt } from './tree-paths.ts';
export {
  isTag,
  mergeBase,
  parentOf,
  readCommit,
  readFileAt,
  resolveCommit,
  writeMergeRequestRef,
  writePipelineRef,
} from './repository.ts';
