/** The emulator's token-protected admin API (`/admin/api/…`). */
export { ADMIN_ROUTES } from './routes.ts';
export type { AdminEnv, AdminRoute } from './admin-env.ts';
export { jobView } from './job-view.ts';
