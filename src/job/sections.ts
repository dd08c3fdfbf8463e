/**
 * Collapsible section markers and echoed commands in a trace (docs/runner-protocol.md §9.3,
 * docs/runner-protocol.md §9.5). Markers carry a Unix time in seconds; callers pass it in (`src/job` has no clock).
 * The runner writes markers only when the payload has `features.trace_sections`.
 */
import { ANSI } from './log-printer.ts';

export interface SectionOptions {
  /** Start folded in GitLab's log view. */
  collapsed?: boolean;
  /** Do not show the section's duration. */
  hideDuration?: boolean;
}

const SECTION_NAME = /^[a-zA-Z0-9_.-]+$/;

function checkName(name: string): void {
  // GitLab ignores markers with other names; a bad name is a bug in the caller.
  if (!SECTION_NAME.test(name))
    throw new RangeError(`invalid section name ${JSON.stringify(name)}`);
}

/** `section_start:<ts>:<name>[options]\r ESC[0K`, no newline (the next line continues it). */
export function sectionStart(name: string, unixSeconds: number, options: SectionOptions = {}) {
  checkName(name);
  const opts: string[] = [];
  if (options.hideDuration) opts.push('hide_duration=true');
  if (options.collapsed) opts.push('collapsed=true');
  const suffix = opts.length ? `[${opts.join(',')}]` : '';
  return `section_start:${Math.floor(unixSeconds)}:${name}${suffix}\r${ANSI.clear}`;
}

/** `section_end:<ts>:<name>\r ESC[0K`, no newline. */
export function sectionEnd(name: string, unixSeconds: number): string {
  checkName(name);
  return `section_end:${Math.floor(unixSeconds)}:${name}\r${ANSI.clear}`;
}

export interface CommandEchoOptions {
  /** Whether the job has `features.trace_sections`: multi-line commands get their own section. */
  sections: boolean;
  /** Index of the command in its step, for the section name. */
  index: number;
  /** Section id prefix: `script_step` for user steps, `after_script_step` in after_script. */
  prefix?: string;
  /** Unix seconds for the per-command section markers. */
  unixSeconds: number;
}

/**
 * The echo of one script command (docs/runner-protocol.md §9.5). A single line is `$ cmd` in bold green. A multi-line
 * command is shown whole in a folded `section_<prefix>_<index>` when sections are on (the
 * output follows after the section end, as in the current runner), else as its first line with
 * `# collapsed multi-line command`. Commands are trimmed; an empty one is an empty line.
 */
export function commandEcho(command: string, options: CommandEchoOptions): string {
  const cmd = command.trim();
  if (cmd === '') return '\n';
  const newline = cmd.indexOf('\n');
  if (newline < 0) return `${ANSI.boldGreen}$ ${cmd}${ANSI.reset}\n`;
  if (!options.sections) {
    const first = cmd.slice(0, newline).trimEnd();
    return `${ANSI.boldGreen}$ ${first} # collapsed multi-line command${ANSI.reset}\n`;
  }
  const name = `section_${options.prefix ?? 'script_step'}_${options.index}`;
  return (
    sectionStart(name, options.unixSeconds, { hideDuration: true, collapsed: true }) +
    `${ANSI.boldGreen}$ ${cmd}${ANSI.reset}\n` +
    sectionEnd(name, options.unixSeconds) +
    '\n'
  );
}
