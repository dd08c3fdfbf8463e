/** The GitLab runner API the emulator serves under `/api/v4/`. */
export { API_ROUTES } from './routes.ts';
export type { ApiEnv, ApiRoute } from './api-env.ts';
export { backoffSeconds } from './update-job.ts';
export { parseExpireIn } from './artifact-expiry.ts';
