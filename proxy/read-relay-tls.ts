/**
 * The certificate and key files named by `--tls-cert` and `--tls-key`, read as PEM text for
 * `startRelay({ tls })`, which checks them (relay-tls.ts). Reads nothing else.
 */
import { readFile } from 'node:fs/promises';
import type { RelayTls } from './relay-tls.ts';
import { RelayTlsError } from './relay-tls-error.ts';

/** Paths of the PEM files, as the flags give them. */
export interface RelayTlsFiles {
  cert: string;
  key: string;
}

async function readPem(path: string, part: 'cert' | 'key'): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const flag = part === 'cert' ? '--tls-cert' : '--tls-key';
    const code = (err as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new RelayTlsError(part, `Cannot read the ${flag} file ${path} (${code}).`, {
      cause: err,
    });
  }
}

export async function readRelayTls(files: RelayTlsFiles): Promise<RelayTls> {
  const [cert, key] = await Promise.all([readPem(files.cert, 'cert'), readPem(files.key, 'key')]);
  return { cert, key };
}
