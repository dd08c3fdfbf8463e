/**
 * The script one stage runs, generated the way GitLab's bash shell writes its step scripts
 * (docs/architecture.md, "Running a stage"): `set -eo pipefail` first, the job's variables
 * exported (GitLab exports them, so programs the job starts see them), then each entry as the
 * job wrote it, preceded by a marker command that tells the runner the entry starts (GitLab
 * puts its `echo $ cmd` there). The marker returns 0, as GitLab's echo does, so `$?` at the start
 * of an entry is 0 in both. Entries are joined as bash would read them from one file, so an
 * unclosed quote runs on into the next entry exactly as it does under GitLab's runner.
 */

/** The marker command; its arguments are the stage's nonce and the entry's index. */
export const LINE_COMMAND = '__tabrunner_line';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `exported`: names of variables already set that programs must see (others are skipped). */
export function stageScript(
  lines: readonly string[],
  nonce: string,
  exported: readonly string[],
): string {
  const parts = ['set -eo pipefail'];
  const names = exported.filter((name) => NAME.test(name));
  if (names.length > 0) parts.push(`export ${names.join(' ')}`);
  lines.forEach((line, index) => {
    parts.push(`${LINE_COMMAND} ${nonce} ${index}`);
    if (line.trim() !== '') parts.push(line);
  });
  return `${parts.join('\n')}\n`;
}

/** The entry index a marker call announces, or null when the call is not this stage's marker. */
export function markedLine(args: readonly string[], nonce: string): number | null {
  if (args.length !== 2 || args[0] !== nonce || !/^\d+$/.test(args[1] ?? '')) return null;
  return Number(args[1]);
}
