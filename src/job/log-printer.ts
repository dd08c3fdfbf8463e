/**
 * The exact text of the lines tabrunner itself writes into a trace, byte for byte as GitLab's
 * runner writes them (docs/runner-protocol.md §9.1, §9.2, §9.7). Plain strings: the runner
 * encodes them and passes them through the masker like any other output.
 */

export const ANSI = {
  clear: '\x1b[0K',
  reset: '\x1b[0;m',
  boldGreen: '\x1b[32;1m',
  boldCyan: '\x1b[36;1m',
  yellow: '\x1b[0;33m',
  boldYellow: '\x1b[33;1m',
  boldRed: '\x1b[31;1m',
} as const;

/** A plain runner line (the Go runner's `Println`): `ESC[0K` text `ESC[0;m` `\n`. */
export function println(...args: string[]): string {
  return `${ANSI.clear}${args.join(' ')}${ANSI.reset}\n`;
}

/** A notice (`Infoln`): bold green, e.g. `Fetching changes...`, `Job succeeded`. */
export function notice(...args: string[]): string {
  return `${ANSI.boldGreen}${args.join(' ')}${ANSI.reset}\n`;
}

/** A warning (`Warningln`): yellow `WARNING: `. */
export function warning(...args: string[]): string {
  return `${ANSI.yellow}WARNING: ${args.join(' ')}${ANSI.reset}\n`;
}

/** An error (`Errorln`): bold red `ERROR: `. */
export function error(...args: string[]): string {
  return `${ANSI.boldRed}ERROR: ${args.join(' ')}${ANSI.reset}\n`;
}

export interface HeaderInfo {
  /** tabrunner's version, e.g. `0.1.0`. */
  version: string;
  /** Build revision (short commit), e.g. `abcd1234`. */
  revision: string;
  runnerName: string;
  /** `shortToken(runnerToken)`, never the token itself. */
  shortToken: string;
  systemId: string;
  /** Feature flags that differ from their defaults, as `FF_X:true`; the line is omitted when empty. */
  featureFlags?: string[];
}

/** The first lines of every trace (docs/runner-protocol.md §9.2), naming tabrunner instead of gitlab-runner. */
export function headerLines(info: HeaderInfo): string {
  let text = println(`Running with tabrunner ${info.version} (${info.revision})`);
  text += println(`  on ${info.runnerName} ${info.shortToken}, system ID: ${info.systemId}`);
  if (info.featureFlags?.length)
    text += println(`  feature flags: ${info.featureFlags.join(', ')}`);
  return text;
}

/** A stage header inside its section (docs/runner-protocol.md §9.4): Println of bold-cyan text. */
export function stageHeader(text: string): string {
  return println(`${ANSI.boldCyan}${text}${ANSI.reset}`);
}

/** The closing line of a successful job (docs/runner-protocol.md §9.7). */
export function jobSucceeded(): string {
  return notice('Job succeeded');
}

/** The closing line of a failed job (docs/runner-protocol.md §9.7), e.g. `jobFailed('exit code 1')`. */
export function jobFailed(text: string): string {
  return error(`Job failed: ${text}`);
}

/** The closing line when the runner or executor failed rather than the script (docs/runner-protocol.md §9.7). */
export function systemFailure(text: string): string {
  return error(`Job failed (system failure): ${text}`);
}

/**
 * The short form of a runner token shown in the header and as `CI_RUNNER_SHORT_TOKEN` (docs/runner-protocol.md §9.2):
 * known prefixes stripped, then the first 9 characters.
 */
export function shortToken(token: string): string {
  const stripped = token
    .replace(/^glrt-(t\d_)?/, '')
    .replace(/^glrtr-/, '')
    .replace(/^glcbt-/, '')
    .replace(/^GR[0-9a-fA-F]{7}/, '');
  return stripped.slice(0, 9);
}
