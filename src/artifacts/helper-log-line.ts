/**
 * The line format of the Go runner's helper binary (its `RunnerTextFormatter`), which prints the
 * artifact lines of a job log: the message padded to 50 columns (less the level prefix), RESET,
 * a space, then ` key=value` fields sorted by key. Warnings are yellow `WARNING: `, errors
 * bold red `ERROR: `; info lines have no colour but still end the message with RESET.
 */

const LEVELS = {
  info: { color: '', prefix: '' },
  warning: { color: '\x1b[0;33m', prefix: 'WARNING: ' },
  error: { color: '\x1b[31;1m', prefix: 'ERROR: ' },
  fatal: { color: '\x1b[31;1m', prefix: 'FATAL: ' },
} as const;

const RESET = '\x1b[0;m';

export type HelperLogLevel = keyof typeof LEVELS;

/**
 * One helper log line, `\n`-terminated, ready for the trace. Never pass a token as a field:
 * unlike the Go helper, tabrunner leaves the `token` field out altogether.
 */
export function helperLogLine(
  level: HelperLogLevel,
  message: string,
  fields: Record<string, string | number> = {},
): string {
  const { color, prefix } = LEVELS[level];
  let line = `${color}${prefix}${message.padEnd(50 - prefix.length)}${RESET} `;
  for (const key of Object.keys(fields).sort()) {
    line += ` ${color}${key}${RESET}=${fields[key]}`;
  }
  return `${line}\n`;
}
