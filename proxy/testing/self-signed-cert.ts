/**
 * A real self-signed certificate for TLS tests, made with the openssl CLI at test time (no key
 * is kept in the repository) in a temporary folder that `remove()` deletes.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export interface SelfSignedCert {
  certPath: string;
  keyPath: string;
  /** PEM text of the certificate and of its unencrypted key. */
  cert: string;
  key: string;
  remove(): Promise<void>;
}

/**
 * A one-day certificate for `names` (DNS names, or IPs), the first one its CN. `openssl` must be
 * on the PATH; its failure names itself.
 */
export async function makeSelfSignedCert(
  names: readonly string[] = ['localhost', '127.0.0.1'],
): Promise<SelfSignedCert> {
  const dir = await mkdtemp(join(tmpdir(), 'tabrunner-tls-'));
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  const altNames = names.map((n) => (/^[\d.]+$|:/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
  try {
    await promisify(execFile)(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-subj',
        `/CN=${names[0] ?? 'localhost'}`,
        '-addext',
        `subjectAltName=${altNames}`,
        '-days',
        '1',
        '-keyout',
        keyPath,
        '-out',
        certPath,
      ],
      { timeout: 30_000 },
    );
    const [cert, key] = await Promise.all([readFile(certPath, 'utf8'), readFile(keyPath, 'utf8')]);
    return {
      certPath,
      keyPath,
      cert,
      key,
      remove: () => rm(dir, { recursive: true, force: true }),
    };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
