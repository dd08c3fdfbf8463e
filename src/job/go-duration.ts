/**
 * Go's duration syntax (`time.ParseDuration`, `Duration.String`), which job variables such as
 * `RUNNER_SCRIPT_TIMEOUT=10m` use and GitLab's messages print ("execution took longer than
 * 1h0m0s seconds", docs/runner-protocol.md §9.7, §12.2). Values are milliseconds.
 */

const UNITS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const PART = /^(\d*\.?\d*)(ns|us|µs|μs|ms|s|m|h)/;

/** Parse `1h30m`, `90s`, `1.5h`, `-2m`, `0`; undefined when Go would reject it. */
export function parseGoDuration(text: string): number | undefined {
  let rest = text;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest.startsWith('-') ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') return undefined;
  let total = 0;
  while (rest.length > 0) {
    const m = PART.exec(rest);
    if (!m || m[1] === '' || m[1] === '.') return undefined;
    total += Number(m[1]) * (UNITS[m[2] ?? ''] ?? 0);
    rest = rest.slice(m[0].length);
  }
  return sign * total;
}

/** Go's `Duration.String()` for milliseconds: `1h0m0s`, `5m0s`, `1.5s`, `250ms`, `0s`. */
export function formatGoDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 0) return `-${formatGoDuration(-ms)}`;
  if (ms < 1000) return `${trim(ms)}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  return (h ? `${h}h` : '') + (h || m ? `${m}m` : '') + `${trim(s)}s`;
}

function trim(n: number): string {
  return String(Math.round(n * 1e6) / 1e6);
}
