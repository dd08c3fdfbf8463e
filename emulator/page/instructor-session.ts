/**
 * Who may change state from the page: the instructor. Being signed in is a cookie whose value is
 * an HMAC of the admin token, so it needs no stored session and survives a restart with the
 * same token; the sign-in link carries another HMAC of it, so the link never shows the token.
 * A POST is allowed with that cookie, or with the admin token itself in an `admin_token` form
 * field (for scripts), and only from the page's own origin (`Origin`, `Sec-Fetch-Site`), so
 * another site cannot make a signed-in browser press a button.
 */
import { createHmac } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { EmulatorContext } from '../context.ts';
import { sameSecret } from '../http/same-secret.ts';

export const SESSION_COOKIE = 'tabrunner_instructor';
export const SIGN_IN_PATH = '/-/sign-in';

function derive(ctx: EmulatorContext, purpose: string): string {
  return createHmac('sha256', ctx.options.adminToken).update(purpose).digest('hex');
}

/** The link that signs a browser in as the instructor (`npm start` prints it). */
export function signInUrl(ctx: EmulatorContext): string {
  return `${ctx.baseUrl()}${SIGN_IN_PATH}?code=${derive(ctx, 'sign-in')}`;
}

/** Whether `code` is the sign-in link's code. */
export function isSignInCode(ctx: EmulatorContext, code: string | null): boolean {
  return sameSecret(code ?? undefined, derive(ctx, 'sign-in'));
}

/** The `Set-Cookie` value that signs the browser in (or out, with `signOut`). */
export function sessionCookie(ctx: EmulatorContext, signOut = false): string {
  const value = signOut ? '' : derive(ctx, 'instructor-session');
  const age = signOut ? '; Max-Age=0' : '';
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict${age}`;
}

/** Whether the request carries the instructor's session cookie. */
export function isInstructor(ctx: EmulatorContext, req: IncomingMessage): boolean {
  const cookies = (req.headers.cookie ?? '').split(';').map((c) => c.trim());
  const value = cookies
    .find((c) => c.startsWith(`${SESSION_COOKIE}=`))
    ?.slice(SESSION_COOKIE.length + 1);
  return sameSecret(value, derive(ctx, 'instructor-session'));
}

/** Whether the request came from the page itself rather than another site (CSRF). */
function isSameOrigin(req: IncomingMessage): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin') return false;
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

/** Why a state-changing request is refused, or null when the instructor sent it. */
export function refusal(
  ctx: EmulatorContext,
  req: IncomingMessage,
  adminToken: string | undefined,
): string | null {
  if (!isSameOrigin(req)) {
    return 'This request came from another site, so it was refused. Use the buttons on the emulator’s own page.';
  }
  if (isInstructor(ctx, req) || sameSecret(adminToken, ctx.options.adminToken)) return null;
  return (
    'Only the instructor can do this. Open the sign-in link that `npm start` printed ' +
    '(it signs this browser in), or send the admin token in an admin_token form field.'
  );
}
