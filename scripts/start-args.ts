/**
 * The flags of `npm start` (scripts/start.ts), apart from it so they can be read without
 * starting anything.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_RELAY_PORT, DEFAULT_STATE_DIR } from './sandbox.ts';

/** What `npm start -- --help` prints. */
export const HELP = `Usage: npm start -- [flags]   (npm needs the -- before the flags)

Starts the local sandbox: a GitLab emulator with a sample project and its pipeline, and the
relay serving the tabrunner page. Ports, runner tokens, the project and its jobs are kept in a
state folder, so restarting keeps a tab that is already open working.

Flags:
  --port <n>            relay (page) port; default: the saved one, else ${DEFAULT_RELAY_PORT}
                        (a free one if ${DEFAULT_RELAY_PORT} is taken on a first start)
  --emulator-port <n>   GitLab emulator port; default: the saved one, else a free one
  --host <addr>         interface the relay binds (default 127.0.0.1)
  --public-url <url>    a name the page is opened by other than the listen address, such as a
                        LAN address (repeatable; the relay refuses other Host names)
  --state-dir <path>    state folder (default .tabrunner-sandbox/ in the repository, or
                        $TABRUNNER_SANDBOX_DIR)
  --fresh               forget the saved state: new ports, tokens, project and pipeline
                        (an open tab then has to connect again)
  --rebuild             build the app even when it is up to date
  --verbose             relay access log
  --help                show this and exit
`;

export interface StartArgs {
  port?: number;
  emulatorPort?: number;
  host: string;
  publicUrls: string[];
  stateDir: string;
  fresh: boolean;
  rebuild: boolean;
  verbose: boolean;
  help: boolean;
}

function portFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (value.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`--${name} must be a number from 0 to 65535, got "${value}"`);
  }
  return port;
}

/** The flags of `npm start`; throws on an unknown flag or a port that is not one. */
export function parseStartArgs(
  argv: string[],
  env: Record<string, string | undefined> = {},
): StartArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      'emulator-port': { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      'public-url': { type: 'string', multiple: true, default: [] },
      'state-dir': { type: 'string' },
      fresh: { type: 'boolean', default: false },
      rebuild: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  const port = portFlag('port', values.port);
  const emulatorPort = portFlag('emulator-port', values['emulator-port']);
  const stateDir = values['state-dir'] ?? env['TABRUNNER_SANDBOX_DIR'] ?? DEFAULT_STATE_DIR;
  return {
    ...(port !== undefined ? { port } : {}),
    ...(emulatorPort !== undefined ? { emulatorPort } : {}),
    host: values.host,
    publicUrls: values['public-url'],
    stateDir: resolve(stateDir),
    fresh: values.fresh,
    rebuild: values.rebuild,
    verbose: values.verbose,
    help: values.help,
  };
}
