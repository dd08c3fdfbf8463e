/**
 * Token shapes GitLab hands out: `glrt-` authentication tokens (docs/runner-protocol.md §2.2), 20-character legacy
 * runner tokens (docs/runner-protocol.md §2.1) and `glcbt-` job tokens (docs/runner-protocol.md §1.2).
 */
import { randomBytes } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-';

function randomToken(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const byte of bytes) out += ALPHABET[byte % ALPHABET.length];
  return out;
}

/** A `glrt-` runner authentication token. */
export function newAuthenticationToken(): string {
  return `glrt-${randomToken(20)}`;
}

/** A legacy runner token, as registration with a registration token returns it. */
export function newLegacyToken(): string {
  return randomToken(20);
}

/** A `glcbt-` job token. */
export function newJobToken(): string {
  return `glcbt-${randomToken(20)}`;
}

/** A random secret for the admin API and registration. */
export function newSecret(): string {
  return randomToken(24);
}
