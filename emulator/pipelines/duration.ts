/**
 * GitLab duration strings (`timeout: 1h 30m`, `expire_in: 2 days`), parsed like ChronicDuration
 * for the units CI configs use. A bare number is seconds.
 */
const UNITS: Record<string, number> = {
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

/** Seconds in a duration, or null when the text is not a duration. */
export function parseDuration(text: string | number): number | null {
  if (typeof text === 'number') return Number.isFinite(text) && text >= 0 ? text : null;
  const trimmed = text.trim().toLowerCase();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  let total = 0;
  let matched = false;
  for (const match of trimmed.matchAll(/(\d+(?:\.\d+)?)\s*([a-z]+)/g)) {
    const unit = UNITS[match[2] ?? ''];
    if (unit === undefined) return null;
    total += Number(match[1]) * unit;
    matched = true;
  }
  // Nothing but separators may remain, so `ten minutes` is not a duration.
  const rest = trimmed.replace(/(\d+(?:\.\d+)?)\s*([a-z]+)/g, '').replace(/[\s,]|\band\b/g, '');
  return matched && rest === '' ? Math.round(total) : null;
}
