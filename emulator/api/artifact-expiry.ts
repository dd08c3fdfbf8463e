/**
 * `expire_in` as GitLab reads it (ChronicDuration): `7d`, `1 week`, `2 hrs 20 min`, `3600`,
 * or `never`. GitLab's default when none is given is the instance setting, 30 days.
 */

/** Default artifact lifetime when `expire_in` is absent. */
export const DEFAULT_ARTIFACT_LIFETIME_MS = 30 * 24 * 3600 * 1000;

const UNIT_SECONDS: Record<string, number> = {
  s: 1,
  sec: 1,
  secs: 1,
  second: 1,
  seconds: 1,
  m: 60,
  min: 60,
  mins: 60,
  minute: 60,
  minutes: 60,
  h: 3600,
  hr: 3600,
  hrs: 3600,
  hour: 3600,
  hours: 3600,
  d: 86400,
  day: 86400,
  days: 86400,
  w: 604800,
  wk: 604800,
  wks: 604800,
  week: 604800,
  weeks: 604800,
  mo: 2592000,
  mos: 2592000,
  month: 2592000,
  months: 2592000,
  y: 31536000,
  yr: 31536000,
  yrs: 31536000,
  year: 31536000,
  years: 31536000,
};

/**
 * Milliseconds until expiry; null for `never`; undefined when the text is not a duration
 * (the caller then answers 400 as GitLab does).
 */
export function parseExpireIn(text: string): number | null | undefined {
  const value = text.trim().toLowerCase();
  if (value === 'never') return null;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const parts = [...value.matchAll(/(\d+(?:\.\d+)?)\s*([a-z]+)/g)];
  const rest = value.replace(/(\d+(?:\.\d+)?)\s*([a-z]+)/g, '').replace(/[\s,]|and/g, '');
  if (parts.length === 0 || rest !== '') return undefined;
  let seconds = 0;
  for (const [, amount, unit] of parts) {
    const factor = UNIT_SECONDS[unit ?? ''];
    if (factor === undefined) return undefined;
    seconds += Number(amount) * factor;
  }
  return seconds * 1000;
}
