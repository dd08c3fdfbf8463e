/**
 * @module `npm run relay`: starts the relay from flags and environment variables
 * (config.ts, `RELAY_FLAGS`). Example:
 * `tsx proxy/cli.ts --upstream https://gitlab.example.com --origin https://runner.example --app-dir dist`
 * (add `--tls-cert cert.pem --tls-key key.pem` to serve HTTPS itself).
 */
import { RELAY_FLAGS, loadRelayOptions } from './config.ts';
import { startRelay } from './node.ts';
import { readRelayTls } from './read-relay-tls.ts';

function usage(): string {
  const lines = Object.values(RELAY_FLAGS).map(
    (f) =>
      `  --${f.flag.padEnd(22)} ${f.env.padEnd(26)} ${f.help}${f.list ? ' (repeatable; env: comma-separated)' : ''}`,
  );
  return [
    'Usage: tsx proxy/cli.ts --upstream <origin> [options]',
    '',
    '  flag                     environment variable',
    ...lines,
  ].join('\n');
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${usage()}\n`);
    return;
  }
  let options;
  try {
    options = loadRelayOptions(argv, process.env);
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n\n${usage()}\n`);
    process.exitCode = 2;
    return;
  }
  try {
    const { tlsFiles, ...serverOptions } = options;
    const tls = tlsFiles ? await readRelayTls(tlsFiles) : undefined;
    const relay = await startRelay({ ...serverOptions, tls });
    process.stderr.write(`relay listening on ${relay.url}\n`);
    const stop = () => void relay.close().then(() => process.exit(0));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  }
}

await main();
