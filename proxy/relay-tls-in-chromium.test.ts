import { existsSync } from 'node:fs';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../test/support/chromium.ts';
import { startRelay, type RunningRelay } from './node.ts';
import { makeSelfSignedCert, type SelfSignedCert } from './testing/self-signed-cert.ts';

/**
 * A participant's laptop in a workshop reaches the instructor's relay by a name that is not
 * `localhost`. Over plain HTTP that page is not a secure context, so it cannot be cross-origin
 * isolated and WebContainer cannot boot; over the relay's own HTTPS it is. Proven in a real
 * Chromium that resolves `workshop.test` to the relays on this machine and trusts only the test
 * certificate's key (by its SPKI hash, not by ignoring certificate errors).
 */

const NAME = 'workshop.test';
const PAGE_LOAD = { timeout: 10_000 };

let cert: SelfSignedCert;
let appDir: string;
let secure: RunningRelay;
let plain: RunningRelay;
let browser: Browser;

/** base64 SHA-256 of the certificate's SubjectPublicKeyInfo, as Chromium's SPKI list takes it. */
function spkiHash(pem: string): string {
  const spki = new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `${CHROMIUM_PATH} is missing: install Debian's chromium: apt-get install -y chromium`,
    );
  }
  cert = await makeSelfSignedCert([NAME]);
  appDir = await mkdtemp(join(tmpdir(), 'tabrunner-relay-tls-chromium-'));
  await writeFile(join(appDir, 'index.html'), '<!doctype html><title>app</title>');
  const common = { port: 0, upstreams: ['https://gitlab.example.com'], appDir, log: () => {} };
  // Default ports in the URLs, mapped to the real ones by the resolver rules below, so the
  // public URLs are known before either relay binds.
  secure = await startRelay({
    ...common,
    publicUrls: [`https://${NAME}`],
    tls: { cert: cert.cert, key: cert.key },
  });
  plain = await startRelay({ ...common, publicUrls: [`http://${NAME}`] });
  const rules = [
    `MAP ${NAME}:443 127.0.0.1:${new URL(secure.url).port}`,
    `MAP ${NAME}:80 127.0.0.1:${new URL(plain.url).port}`,
  ].join(', ');
  browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      ...CHROMIUM_ARGS,
      `--host-resolver-rules=${rules}`,
      `--ignore-certificate-errors-spki-list=${spkiHash(cert.cert)}`,
    ],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await secure?.close();
  await plain?.close();
  await cert?.remove();
  if (appDir) await rm(appDir, { recursive: true, force: true });
});

async function isolationAt(url: string) {
  const page = await browser.newPage();
  try {
    const response = await page.goto(url, PAGE_LOAD);
    const facts = await page.evaluate(() => ({
      secureContext: self.isSecureContext,
      crossOriginIsolated: self.crossOriginIsolated,
    }));
    return { status: response?.status(), ...facts };
  } finally {
    await page.close();
  }
}

describe('a page reached by a LAN name', () => {
  it('is cross-origin isolated over the relay’s HTTPS', async () => {
    expect(await isolationAt(`https://${NAME}/`)).toEqual({
      status: 200,
      secureContext: true,
      crossOriginIsolated: true,
    });
  });

  it('is neither secure nor isolated over plain HTTP, whatever headers it gets', async () => {
    expect(await isolationAt(`http://${NAME}/`)).toEqual({
      status: 200,
      secureContext: false,
      crossOriginIsolated: false,
    });
  });
});
