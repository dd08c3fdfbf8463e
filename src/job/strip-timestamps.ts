/**
 * Hide the docs/runner-protocol.md §9.6 timestamp prefixes for a human view (the CLI, the page terminal), as GitLab's
 * log viewer does. Works on whole entries: the timestamper writes each prefix with its line.
 */
const PREFIX = /(^|\n)\d{4}-[01]\d-[0-3]\dT[0-2]\d:[0-5]\d:[0-5]\d\.\d{6}Z [0-9a-f]{2}[EO]([+ ])/g;

export function stripTimestamps(text: string): string {
  // A `+` entry continues the previous line: drop the newline the timestamper added before it.
  return text.replace(PREFIX, (_match, lead: string, flag: string) => (flag === '+' ? '' : lead));
}
