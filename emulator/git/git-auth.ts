/**
 * Who may fetch from or push to a hosted project over HTTP, as GitLab's
 * `Repositories::GitHttpClientController` and `Gitlab::GitAccess` decide (docs/runner-protocol.md §11):
 * - `gitlab-ci-token:<job token>` of a running (or canceling) job of the same project may fetch;
 *   any other job token (unknown, finished job) fails authentication: 401 with a Basic challenge.
 *   A valid job token of another project gets 404, as GitLab hides projects it cannot show.
 *   Job tokens never push: 403.
 * - Any user name with the admin token (a personal access token) may fetch and push.
 * - Any user name with the workshop password may fetch and push too (docs/workshop.md): as a
 *   GitLab user with a password and the Developer role could, and unlike the admin token it
 *   opens nothing else.
 * - No credentials: 401 with `WWW-Authenticate: Basic realm="GitLab"` (projects are private).
 */
import type { IncomingMessage } from 'node:http';
import type { EmulatorContext } from '../context.ts';
import type { Job, Project } from '../model.ts';
import { sameSecret } from '../http/same-secret.ts';

/** Outcome of the auth check: a user to pass to `git http-backend`, or an HTTP refusal. */
export type GitAuthResult =
  | { kind: 'allowed'; remoteUser: string; canPush: boolean }
  | { kind: 'denied'; status: 401 | 403 | 404; message: string };

export const ACCESS_DENIED =
  "HTTP Basic: Access denied. If a password was provided for Git authentication, the password was incorrect or you're required to use a token instead of a password. If a token was provided, it was either incorrect, expired, or improperly scoped.";
export const PROJECT_NOT_FOUND =
  "The project you were looking for could not be found or you don't have permission to view it.";
export const UPLOAD_FORBIDDEN = 'You are not allowed to upload code for this project.';

/** Decide access to `project` (null when the path names no project) for a fetch or a push. */
export function authorizeGit(
  ctx: EmulatorContext,
  req: IncomingMessage,
  project: Project | null,
  wantsPush: boolean,
): GitAuthResult {
  const credentials = basicCredentials(req.headers.authorization);
  if (!credentials) return { kind: 'denied', status: 401, message: ACCESS_DENIED };
  const { login, password } = credentials;

  if (login === 'gitlab-ci-token') {
    const job = runningJobByToken(ctx, password);
    if (!job) return { kind: 'denied', status: 401, message: ACCESS_DENIED };
    if (!project || job.projectId !== project.id) {
      return { kind: 'denied', status: 404, message: PROJECT_NOT_FOUND };
    }
    if (wantsPush) return { kind: 'denied', status: 403, message: UPLOAD_FORBIDDEN };
    return { kind: 'allowed', remoteUser: login, canPush: false };
  }

  const { adminToken, workshopPassword } = ctx.options;
  if (!sameSecret(password, adminToken) && !sameSecret(password, workshopPassword)) {
    return { kind: 'denied', status: 401, message: ACCESS_DENIED };
  }
  if (!project) return { kind: 'denied', status: 404, message: PROJECT_NOT_FOUND };
  return { kind: 'allowed', remoteUser: login, canPush: true };
}

function runningJobByToken(ctx: EmulatorContext, token: string): Job | undefined {
  if (!token) return undefined;
  for (const job of ctx.state.jobs.values()) {
    if (job.token === token) {
      return job.status === 'running' || job.status === 'canceling' ? job : undefined;
    }
  }
  return undefined;
}

function basicCredentials(header: string | undefined): { login: string; password: string } | null {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!match?.[1]) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return { login: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
