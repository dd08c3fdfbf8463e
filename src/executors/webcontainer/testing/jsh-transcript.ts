/**
 * What `jsh --osc` prints, written down from reference/webcontainer.md (§2 "Running shell
 * command lines", §5 "Output/ANSI") and the public transcripts it cites, not recorded from a
 * live WebContainer (none can boot on the build machine): OSC 654 markers end with BEL, the pty
 * turns `\n` into CRLF and echoes typed input, `exit=<pid>:<code>` follows a command's output,
 * the prompt text and a `prompt` marker follow that, and a start-up chunk was seen carrying
 * `interactive`, a stale `exit` and `prompt` together.
 */

export const osc = (payload: string): string => `\x1b]654;${payload}\x07`;

/** The coloured prompt jsh draws; its exact text does not matter to the driver. */
export const PROMPT_TEXT = '\r\n\x1b[36m~/project\x1b[0m \x1b[35m❯\x1b[0m ';

/** Start-up, as observed in the field: interactive, a stale exit marker, then the prompt. */
export const STARTUP = `${osc('interactive')}${osc('exit=0:0')}${PROMPT_TEXT}${osc('prompt')}`;

/** The pty's line discipline: every `\n` leaves as CRLF. */
export const crlf = (text: string): string => text.replace(/\r?\n/g, '\r\n');

/** Everything jsh prints for one typed line: echo, output, exit marker, next prompt. */
export function commandTranscript(line: string, output: string, code: number, pid = 42): string {
  return `${crlf(`${line}\n`)}${crlf(output)}${osc(`exit=${pid}:${code}`)}${PROMPT_TEXT}${osc('prompt')}`;
}
