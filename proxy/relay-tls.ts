/**
 * The relay's own certificate, for serving HTTPS with no proxy in front: a workshop on a LAN,
 * where WebContainer needs a secure context and participants reach the instructor's machine by
 * an address that is not `localhost`. Checked before the server binds, so a certificate that
 * would fail every handshake stops the start with a sentence naming the flag at fault, never
 * the PEM text.
 */
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import { RelayTlsError } from './relay-tls-error.ts';

/** PEM text: the certificate (intermediates may follow it) and its unencrypted private key. */
export interface RelayTls {
  cert: string;
  key: string;
}

/** PEM armour of an encrypted key: PKCS#8 (`ENCRYPTED PRIVATE KEY`) or OpenSSL's legacy header. */
const ENCRYPTED_KEY = /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type:\s*4,\s*ENCRYPTED/;

function parseCertificate(pem: string): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch (err) {
    throw new RelayTlsError(
      'cert',
      'The TLS certificate (--tls-cert) is not a PEM certificate: it should start with "-----BEGIN CERTIFICATE-----".',
      { cause: err },
    );
  }
}

function parseKey(pem: string): KeyObject {
  if (ENCRYPTED_KEY.test(pem)) {
    throw new RelayTlsError(
      'key',
      'The TLS key (--tls-key) is encrypted with a passphrase; the relay needs it unencrypted (openssl pkey -in key.pem -out key-plain.pem).',
    );
  }
  try {
    return createPrivateKey(pem);
  } catch (err) {
    throw new RelayTlsError(
      'key',
      'The TLS key (--tls-key) is not a PEM private key: it should start with "-----BEGIN PRIVATE KEY-----" (or RSA/EC PRIVATE KEY).',
      { cause: err },
    );
  }
}

/**
 * Throws a RelayTlsError unless `tls` can serve HTTPS at `now`: both parse, the key is the
 * certificate's, and the certificate is within its validity (browsers refuse it otherwise, with
 * a page the participant cannot get past).
 */
export function checkRelayTls(tls: RelayTls, now: Date = new Date()): void {
  const certificate = parseCertificate(tls.cert);
  const key = parseKey(tls.key);
  if (!certificate.checkPrivateKey(key)) {
    throw new RelayTlsError(
      'pair',
      `The TLS key (--tls-key) does not belong to the certificate (--tls-cert, ${certificate.subject.replace(/\n/g, ', ')}): pass the key that was made with it.`,
    );
  }
  if (now.getTime() > Date.parse(certificate.validTo)) {
    throw new RelayTlsError(
      'cert',
      `The TLS certificate (--tls-cert) expired on ${certificate.validTo}; browsers refuse it. Make a new one (mkcert, or openssl req -x509).`,
    );
  }
  if (now.getTime() < Date.parse(certificate.validFrom)) {
    throw new RelayTlsError(
      'cert',
      `The TLS certificate (--tls-cert) is valid only from ${certificate.validFrom}; check this machine's clock.`,
    );
  }
  try {
    // What the server itself will load: anything OpenSSL still refuses (an unsupported key
    // type, a broken intermediate) fails here rather than at the first handshake.
    createSecureContext({ cert: tls.cert, key: tls.key });
  } catch (err) {
    throw new RelayTlsError(
      'pair',
      'The TLS certificate and key (--tls-cert, --tls-key) could not be loaded together.',
      { cause: err },
    );
  }
}
