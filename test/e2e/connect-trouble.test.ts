/**
 * Connecting a tab when something is wrong on the way to GitLab (issue 14): the built app in
 * Chromium, served by a real relay whose upstreams are the real emulator and servers that fail
 * in one way each (a closed port, a 500, TLS against plain HTTP, a name that does not resolve,
 * and a TCP server that accepts and never answers). Each case must say what is wrong, not
 * "GitLab does not accept this runner token", and leave the form usable.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../emulator/index.ts';
import { startRelay, type RunningRelay } from '../../proxy/node.ts';
import { CONNECT_TIMEOUT_MS } from '../../src/tab/connection-trouble.ts';
import { launchChromium } from '../support/chromium.ts';
import { buildApp } from './stack.ts';

let appDir: string;
let emulator: Emulator;
let relay: RunningRelay;
let browser: Browser;
const servers: (Server | HttpServer)[] = [];
/** Connections the silent server holds open (it never answers them). */
const silentSockets = new Set<Socket>();
/** Bytes the silent server received, to know the call reached it. */
let silentBytes = 0;

const hosts = { closed: '', failing: '', plain: '', silent: '' };
/** A name under `.invalid`, which never resolves (RFC 6761). */
const UNRESOLVABLE = 'gitlab-e2e.invalid';

async function listen(server: Server | HttpServer): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  appDir = await mkdtemp(join(tmpdir(), 'tabrunner-e2e-trouble-'));
  await buildApp(appDir);
  emulator = await startEmulator({ longPollSeconds: 2 });

  const closed = createTcpServer();
  hosts.closed = await listen(closed);
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  servers.splice(servers.indexOf(closed), 1);

  hosts.failing = await listen(
    createHttpServer((_req, res) => {
      res.writeHead(500, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ message: '500 Internal Server Error' }));
    }),
  );
  // Plain HTTP behind an `https://` upstream: the relay's TLS handshake fails.
  hosts.plain = await listen(createHttpServer((_req, res) => res.end('plain http')));
  hosts.silent = await listen(
    createTcpServer((socket) => {
      silentSockets.add(socket);
      socket.on('data', (chunk: Buffer) => (silentBytes += chunk.length));
      socket.on('close', () => silentSockets.delete(socket));
      socket.on('error', () => undefined);
    }),
  );

  relay = await startRelay({
    port: 0,
    upstreams: [
      emulator.url,
      `http://${hosts.closed}`,
      `http://${hosts.failing}`,
      `https://${hosts.plain}`,
      `http://${hosts.silent}`,
      `http://${UNRESOLVABLE}`,
    ],
    allowPrivate: [
      new URL(emulator.url).host,
      hosts.closed,
      hosts.failing,
      hosts.plain,
      hosts.silent,
    ],
    appDir,
    log: () => undefined,
  });
  browser = await launchChromium();
}, 180_000);

afterEach(async () => {
  for (const context of browser?.contexts() ?? []) await context.close().catch(() => undefined);
  for (const socket of silentSockets) socket.destroy();
});

afterAll(async () => {
  await browser?.close();
  await relay?.close();
  for (const socket of silentSockets) socket.destroy();
  for (const server of servers) await new Promise<void>((resolve) => server.close(() => resolve()));
  await emulator?.close();
  if (appDir) await rm(appDir, { recursive: true, force: true });
});

/** A fresh profile on the app; `fakeClock` lets the test move the page's timers on. */
async function openApp(fakeClock = false): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  if (fakeClock) await page.clock.install();
  await page.goto(relay.url);
  return page;
}

/** Fill the form through the relay that served the page and submit it. */
async function submit(page: Page, gitlabUrl: string, token: string): Promise<void> {
  expect(await page.getByLabel('Relay URL').inputValue()).toBe(relay.url);
  await page.getByLabel('GitLab URL').fill(gitlabUrl);
  await page.getByLabel('Runner token', { exact: true }).fill(token);
  await page.getByRole('button', { name: 'Verify and connect' }).click();
}

/** The alert's text once one shows, bounded; the form must be usable again by then. */
async function alertText(page: Page): Promise<string> {
  const alert = page.getByRole('alert');
  await alert.waitFor({ timeout: 30_000 }).catch((err: unknown) => {
    throw new Error(
      'No alert appeared on the Connect form within 30 s: the connect flow neither succeeded nor said why (see connectRunner in src/tab/browser-runner.ts).',
      { cause: err },
    );
  });
  await page
    .getByRole('button', { name: 'Verify and connect' })
    .waitFor({ timeout: 5_000 })
    .catch((err: unknown) => {
      throw new Error('The submit button did not come back after the alert showed.', {
        cause: err,
      });
    });
  expect(await page.getByRole('button', { name: 'Verify and connect' }).isEnabled()).toBe(true);
  expect(await page.getByRole('button', { name: 'Cancel' }).count()).toBe(0);
  return alert.innerText();
}

describe('connecting a tab when GitLab cannot be reached', { timeout: 60_000 }, () => {
  it('says GitLab refused the token only when GitLab did (a real 403)', async () => {
    const page = await openApp();
    await submit(page, emulator.url, 'glrt-not-a-real-token-0000');
    expect(await alertText(page)).toContain(
      'GitLab does not accept this runner token (403). Check that you copied the whole glrt-… token',
    );
  });

  it('names the relay refusing a host it does not forward to, and the flag that allows it', async () => {
    const runner = emulator.createRunner({ description: 'e2e trouble' });
    const page = await openApp();
    await submit(page, 'https://gitlab.invalid', runner.token);
    const text = await alertText(page);
    expect(text).toBe(
      `The relay at ${relay.url} does not forward to gitlab.invalid (host_not_allowed). Check the GitLab URL for typos; if it is right, the relay's operator must add it with --upstream https://gitlab.invalid.`,
    );
    expect(text).not.toContain('does not accept this runner token');
  });

  it('says nothing listens at the port when the connection is refused', async () => {
    const page = await openApp();
    await submit(page, `http://${hosts.closed}`, 'glrt-any-token-0000');
    expect(await alertText(page)).toBe(
      `Nothing accepts connections at ${hosts.closed} (ECONNREFUSED): the relay reached the machine, but no server listens on that port. Check the port in the GitLab URL and that GitLab is running.`,
    );
  });

  it('says the name does not resolve when DNS fails', async () => {
    const page = await openApp();
    await submit(page, `http://${UNRESOLVABLE}`, 'glrt-any-token-0000');
    expect(await alertText(page)).toMatch(
      new RegExp(
        `^The relay could not find ${UNRESOLVABLE.replace('.', '\\.')} in DNS \\((ENOTFOUND|EAI_AGAIN)\\)\\. Check the GitLab URL for typos`,
      ),
    );
  });

  it('says TLS failed, and how to fix it, when the upstream does not speak TLS', async () => {
    const page = await openApp();
    await submit(page, `https://${hosts.plain}`, 'glrt-any-token-0000');
    const text = await alertText(page);
    expect(text).toMatch(new RegExp(`^The relay could not set up TLS with ${hosts.plain} \\(`));
    expect(text).toContain(`the relay's --upstream must say http://${hosts.plain}`);
  });

  it('says GitLab has a problem of its own when it answers 5xx, not that the token is wrong', async () => {
    const page = await openApp();
    await submit(page, `http://${hosts.failing}`, 'glrt-any-token-0000');
    expect(await alertText(page)).toBe(
      `GitLab at ${hosts.failing} has a problem of its own: it answered 500 Internal Server Error. Try again later; if it lasts, GitLab's administrators can find the cause in its logs.`,
    );
  });
});

describe('connecting to a GitLab that accepts and never answers', { timeout: 60_000 }, () => {
  /** Submit against the silent server and wait until the call has reached it. */
  async function submitToSilent(page: Page): Promise<void> {
    const before = silentBytes;
    await submit(page, `http://${hosts.silent}`, 'glrt-any-token-0000');
    await page.getByRole('button', { name: 'Verifying…' }).waitFor({ timeout: 10_000 });
    for (let waited = 0; silentBytes === before; waited += 50) {
      if (waited > 10_000) {
        throw new Error(
          'The verify call never reached the silent server in 10 s: check the relay forwards to it.',
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it(`gives up after ${CONNECT_TIMEOUT_MS / 1000} s and says why`, async () => {
    const page = await openApp(true);
    await submitToSilent(page);
    expect(await page.getByRole('button', { name: 'Verifying…' }).isDisabled()).toBe(true);
    // The page's timers are Playwright's: the bound passes without the test waiting for it.
    await page.clock.runFor(CONNECT_TIMEOUT_MS);
    expect(await alertText(page)).toBe(
      `No answer from ${hosts.silent} within ${CONNECT_TIMEOUT_MS / 1000} s: the relay at ${relay.url} or GitLab behind it accepted the call and never answered. Check that the GitLab URL (and its port) points at GitLab and that it is up, then try again.`,
    );
  });

  it('can be cancelled while it verifies, and saves nothing', async () => {
    const page = await openApp();
    await submitToSilent(page);
    await page.getByRole('button', { name: 'Cancel' }).click();
    expect(await alertText(page)).toBe('Verification cancelled. Nothing was saved.');
    // Still the Connect form: nothing was saved, so a reload shows it again.
    await page.reload();
    await page.getByLabel('GitLab URL').waitFor({ timeout: 10_000 });
    expect(await page.getByLabel('Runner token', { exact: true }).inputValue()).toBe('');
  });
});
