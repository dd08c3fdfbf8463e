/**
 * `expire_in` as GitLab reads it (ChronicDuration): `7d`, `1 week`, `2 hrs 20 min`, `3600`,
 * or `never`. GitLab's default when none is given is the instance setting, 30 days.
 */

import { parseDuration } from '../pipelines/duration.ts';

/** Default artifact lifetime when `expire_in` is absent. */
export const DEFAULT_ARTIFACT_LIFETIME_MS = 30 * 24 * 3600 * 1000;

/**
 * Milliseconds until expiry; null for `never`; undefined when the text is not a duration
 * (the caller then answers 400 as GitLab does).
 */
export function parseExpireIn(text: string): number | null | undefined {
  if (text.trim().toLowerCase() === 'never') return null;
  const seconds = parseDuration(text);
  return seconds === null ? undefined : seconds * 1000;
}
