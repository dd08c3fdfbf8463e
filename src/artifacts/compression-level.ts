/**
 * `ARTIFACT_COMPRESSION_LEVEL` (docs/runner-protocol.md §10.4) as the Go runner's fastzip archiver reads it: names to
 * deflate levels, `fastest` meaning stored (no compression at all) in a zip. fflate's level-0
 * gzip writes broken members at some sizes, so the archiver writes `fastest` gzip at level 1
 * (`gzipLevel` in archive.ts).
 */
import { helperLogLine } from './helper-log-line.ts';

/** Deflate level per name, from the Go runner's `flateLevels`. */
const LEVELS = { fastest: 0, fast: 1, default: 5, slow: 7, slowest: 9 } as const;

export type DeflateLevel = (typeof LEVELS)[keyof typeof LEVELS];

/**
 * The deflate level for a variable value (`fastest|fast|default|slow|slowest`, empty or absent
 * = `default`). An unknown value falls back to `default` with a warning line for the trace.
 */
export function compressionLevel(value: string | undefined): {
  level: DeflateLevel;
  warning: string | null;
} {
  const name = (value ?? '').trim();
  if (name === '') return { level: LEVELS.default, warning: null };
  if (Object.hasOwn(LEVELS, name)) {
    return { level: LEVELS[name as keyof typeof LEVELS], warning: null };
  }
  return {
    level: LEVELS.default,
    warning: helperLogLine(
      'warning',
      `compression level ${JSON.stringify(name)} is not valid, falling back to default`,
    ),
  };
}
