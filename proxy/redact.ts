/**
 * Removes tokens from text the relay writes down (access log lines, error messages). The relay
 * sees runner tokens, job tokens and personal access tokens in headers, bodies, query strings
 * and git URLs (`gitlab-ci-token:<job token>@…`); none of them may reach a log (docs/relay.md,
 * "What it forwards and what it refuses", and docs/architecture.md, "Security model").
 *
 * Clients and servers decode names and values before they read them, so a token hides as well
 * behind `%74oken=`, `private%5ftoken=` or `gl%72t-` as behind the plain spelling. Each piece
 * of the text is therefore judged on its fully decoded form, and what is kept is kept as sent.
 */

export const REDACTED = '[REDACTED]';

/**
 * Parameter names that carry credentials: GitLab's `token`, `private_token`, `job_token`, … in
 * any case or spelling (`private-token`, `token[]`), and passwords and secrets generally.
 * Matching part of a name hides a harmless value now and then, never a token.
 */
const SECRET_NAME = /token|passw|secret/i;

/**
 * GitLab's prefixed tokens (runner `glrt-`, job `glcbt-`, personal `glpat-`, and the other
 * `gl…-` families such as `gloas-`, `glptt-`, `glft-`), in any case, not inside a longer word.
 */
const PREFIXED_TOKEN = /(?<![a-z0-9])gl[a-z]{1,6}-[a-z0-9_.-]{8,}/i;

/** Enough rounds for any sensible nesting of `%25`; deeper ones are judged as they stand. */
const DECODE_ROUNDS = 8;

function decodeOnce(text: string): string {
  return text.replace(/(?:%[0-9a-f]{2})+/gi, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      // Not UTF-8: byte by byte is enough to find the ASCII a token is made of.
      return run.replace(/%([0-9a-f]{2})/gi, (_m, hex: string) =>
        String.fromCharCode(Number.parseInt(hex, 16)),
      );
    }
  });
}

/** Percent-decodes until nothing changes (`%2574` → `%74` → `t`). */
function decodeFully(text: string): string {
  let current = text;
  for (let round = 0; round < DECODE_ROUNDS; round += 1) {
    const next = decodeOnce(current);
    if (next === current) break;
    current = next;
  }
  return current;
}

/** A credential shape anywhere in decoded text: a prefixed token, userinfo, or `secret=`. */
function looksSecret(decoded: string): boolean {
  return (
    PREFIXED_TOKEN.test(decoded) ||
    decoded.includes('@') ||
    (SECRET_NAME.test(decoded) && decoded.includes('='))
  );
}

/**
 * One parameter or path segment as sent. A secret name keeps its name and loses its value;
 * `user:password@host` keeps the host; anything else that looks secret goes entirely.
 */
function redactPiece(raw: string): string {
  const equals = raw.indexOf('=');
  if (equals !== -1) {
    const name = decodeFully(raw.slice(0, equals));
    const value = decodeFully(raw.slice(equals + 1));
    if (looksSecret(name)) return REDACTED;
    if (SECRET_NAME.test(name) || looksSecret(value)) return `${raw.slice(0, equals)}=${REDACTED}`;
    return raw;
  }
  const decoded = decodeFully(raw);
  if (!looksSecret(decoded)) return raw;
  const at = decoded.lastIndexOf('@');
  const host = decoded.slice(at + 1);
  return at !== -1 && !looksSecret(host) ? `${REDACTED}@${host}` : REDACTED;
}

/**
 * A run of pieces joined by `;` (path parameters, or query parameters for servers that split on
 * `;`). Once one piece is secret, the rest of the run goes too: a server that does not split
 * on `;` reads them as part of that secret value.
 */
function redactRun(run: string): string {
  const pieces = run.split(';');
  const secretAt = pieces.findIndex((piece) => redactPiece(piece) !== piece);
  if (secretAt === -1) return run;
  return [...pieces.slice(0, secretAt), redactPiece(pieces[secretAt] ?? '')].join(';');
}

/**
 * The text with every credential replaced by `[REDACTED]`. Works on request targets (path and
 * query, absolute-form and authority-form too), origins and host segments.
 */
export function redactText(text: string): string {
  const queryAt = text.indexOf('?');
  const path = queryAt === -1 ? text : text.slice(0, queryAt);
  const query = queryAt === -1 ? null : text.slice(queryAt + 1);
  const redactedPath = path.split('/').map(redactRun).join('/');
  if (query === null) return redactedPath;
  return `${redactedPath}?${query.split('&').map(redactRun).join('&')}`;
}
