/**
 * The flags of `npm start` (scripts/start.ts), apart from it so they can be read without
 * starting anything.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_RELAY_PORT, DEFAULT_STATE_DIR } from './sandbox.ts';

/** What `npm start -- --help` prints. */
export const HELP = `Usage: npm start -- [flags]   (npm needs the -- before the flags)

Starts the local sandbox: a GitLab emulator with a sample project and its pipeline, and the
relay serving the tabrunner page. Ports, runner tokens, the project and its jobs are kept in a
state folder, so restarting keeps a tab that is already open working. For a workshop, serve
your own repositories with --project and let the room push to them (docs/workshop.md).

Flags:
  --port <n>            relay (page) port; default: the saved one, else ${DEFAULT_RELAY_PORT}
                        (a free one if ${DEFAULT_RELAY_PORT} is taken on a first start)
  --emulator-port <n>   GitLab emulator port; default: the saved one, else a free one
  --project <dir>       serve this local git repository (branches, tags, history) instead of
                        the sample, as demo/<folder name> (repeatable); a push to it runs its
                        .gitlab-ci.yml. A restart keeps the projects; a new folder is added
  --password <text>     workshop password: any user name may fetch and push with it, nothing
                        else; default: the saved one, else a new one (printed at start)
  --host <addr>         interface the relay and the emulator bind (default 127.0.0.1;
                        0.0.0.0 lets a room in)
  --public-url <url>    a name the page is opened by other than the listen address, such as a
                        LAN address (repeatable; the relay refuses other Host names); the
                        first one also names this machine in the URLs printed for a room
                        and in the links the emulator hands out (it must resolve here too)
  --tls-cert <file>     PEM certificate for the relay to serve HTTPS (with --tls-key)
  --tls-key <file>      PEM private key of that certificate (with --tls-cert)
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
  /** Absolute folders of `--project`, in order. */
  projects: string[];
  password?: string;
  /** Absolute paths of `--tls-cert` and `--tls-key`, both or neither. */
  tlsFiles?: { cert: string; key: string };
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
      project: { type: 'string', multiple: true, default: [] },
      password: { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
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
  const { password } = values;
  if (password !== undefined && (password.length < 8 || /[\s:@/]/.test(password))) {
    // It goes into remote URLs (`http://user:<password>@host/…`) that participants type.
    throw new Error('--password must be at least 8 characters without spaces, ":", "@" or "/"');
  }
  const cert = values['tls-cert'];
  const key = values['tls-key'];
  if ((cert === undefined) !== (key === undefined)) {
    throw new Error('--tls-cert and --tls-key go together: give both files or neither');
  }
  return {
    ...(port !== undefined ? { port } : {}),
    ...(emulatorPort !== undefined ? { emulatorPort } : {}),
    projects: values.project.map((dir) => resolve(dir)),
    ...(password !== undefined ? { password } : {}),
    ...(cert !== undefined && key !== undefined
      ? { tlsFiles: { cert: resolve(cert), key: resolve(key) } }
      : {}),
    host: values.host,
    publicUrls: values['public-url'],
    stateDir: resolve(stateDir),
    fresh: values.fresh,
    rebuild: values.rebuild,
    verbose: values.verbose,
    help: values.help,
  };
}

/**
 * The PEM text of `--tls-cert` and `--tls-key`; throws, naming the flag and the file, when one
 * cannot be read or holds no PEM block of the right kind.
 */
export async function readTlsFiles(files: {
  cert: string;
  key: string;
}): Promise<{ cert: string; key: string }> {
  const read = async (flag: string, file: string, kind: RegExp, what: string) => {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      const code = (error as { code?: string }).code ?? String(error);
      throw new Error(`${flag} ${file} cannot be read (${code})`);
    }
    if (!kind.test(text)) throw new Error(`${flag} ${file} is not a PEM ${what}`);
    return text;
  };
  return {
    cert: await read('--tls-cert', files.cert, /-----BEGIN CERTIFICATE-----/, 'certificate'),
    key: await read('--tls-key', files.key, /-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'private key'),
  };
}
