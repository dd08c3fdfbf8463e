/** The runner API's route table (docs/runner-protocol.md §2–§8): one handler file per endpoint. */
import type { ApiRoute } from './api-env.ts';
import { createUserRunner } from './create-user-runner.ts';
import { deleteRunner } from './delete-runner.ts';
import { deleteRunnerManager } from './delete-runner-manager.ts';
import { downloadArtifacts } from './download-artifacts.ts';
import { patchTrace } from './patch-trace.ts';
import { registerRunner } from './register-runner.ts';
import { requestJob } from './request-job.ts';
import { resetRunnerToken } from './reset-runner-token.ts';
import { updateJob } from './update-job.ts';
import { uploadArtifacts } from './upload-artifacts.ts';
import { verifyRunner } from './verify-runner.ts';

export const API_ROUTES: readonly ApiRoute[] = [
  registerRunner,
  verifyRunner,
  deleteRunner,
  deleteRunnerManager,
  resetRunnerToken,
  createUserRunner,
  requestJob,
  updateJob,
  patchTrace,
  uploadArtifacts,
  downloadArtifacts,
];
