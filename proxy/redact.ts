/**
 * Removes tokens from text the relay writes down (access log lines, error messages). The relay
 * sees runner tokens, job tokens and personal access tokens in headers, bodies, query strings
 * and git URLs (protocol §1.2, §14.5); none of them may reach a log.
 */

export const REDACTED = '[REDACTED]';

/** Query parameters that carry credentials in GitLab's API (`params[:token]`, §1.2). */
const SECRET_PARAMS = /([?&](?:token|private_token|job_token|access_token|runner_token)=)[^&#]*/gi;

/** `user:password@` in a URL or path, e.g. `gitlab-ci-token:<job token>@` (§14.5). */
const USERINFO = /[^/?#@\s]*:[^/?#@\s]*@/g;

/**
 * GitLab's prefixed tokens (runner `glrt-`, job `glcbt-`, personal `glpat-`, and the other
 * `gl…-` families such as `gloas-`, `glptt-`, `glft-`), wherever they appear.
 */
const PREFIXED_TOKEN = /\bgl[a-z]{1,6}-[A-Za-z0-9_.-]{8,}/g;

/** The text with every credential shape above replaced by `[REDACTED]`. */
export function redactText(text: string): string {
  return text
    .replace(SECRET_PARAMS, `$1${REDACTED}`)
    .replace(USERINFO, `${REDACTED}@`)
    .replace(PREFIXED_TOKEN, REDACTED);
}
