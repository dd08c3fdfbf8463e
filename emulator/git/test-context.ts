/**
 * For tests of git hosting, pipelines, payloads and the page: an emulator context over a temp
 * data folder, and a bare `node:http` server on port 0 that serves only git and the page, so
 * these areas can be tested without the full emulator server.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../src/platform/clock.ts';
import type { EmulatorContext } from '../context.ts';
import { EmulatorState } from '../state.ts';
import { handleGit } from './handle-git.ts';

export interface TestContext {
  ctx: EmulatorContext;
  /** Armed fault returned once by `take('git')`, for fault tests. */
  faults: { next: unknown; take(endpoint: 'git'): unknown };
  /** Stop the server (if started) and delete the data folder. */
  dispose(): Promise<void>;
  /** Start a server on port 0; `extra` handles requests git does not. */
  listen(
    extra?: (ctx: EmulatorContext, req: IncomingMessage, res: ServerResponse) => Promise<boolean>,
  ): Promise<string>;
}

/** A fresh context; `baseUrl()` is valid after `listen()` (or a placeholder before). */
export async function createTestContext(): Promise<TestContext> {
  const dataDir = await mkdtemp(join(tmpdir(), 'tabrunner-emulator-'));
  let baseUrl = 'http://127.0.0.1:1';
  const ctx: EmulatorContext = {
    state: new EmulatorState(),
    clock: systemClock,
    baseUrl: () => baseUrl,
    externalUrl: () => baseUrl,
    options: {
      port: 0,
      host: '127.0.0.1',
      longPollSeconds: 1,
      traceSizeLimit: 1024 * 1024,
      artifactSizeLimit: 1024 * 1024,
      corsMode: 'off',
      jobTimeoutGraceSeconds: 0,
      acceptanceTimeoutSeconds: 60,
      adminToken: 'admin-token-for-tests',
      registrationToken: 'registration-token-for-tests',
      workshopPassword: 'workshop-password-for-tests',
      dataDir,
    },
  };
  const faults = {
    next: undefined as unknown,
    take(): unknown {
      const fault = faults.next;
      faults.next = undefined;
      return fault;
    },
  };
  let server: ReturnType<typeof createServer> | null = null;
  return {
    ctx,
    faults,
    async listen(extra) {
      server = createServer((req, res) => {
        void (async () => {
          if (await handleGit(ctx, req, res, faults)) return;
          if (extra && (await extra(ctx, req, res))) return;
          res.writeHead(404).end();
        })().catch(() => {
          if (!res.headersSent) res.writeHead(500);
          res.end();
        });
      });
      await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      baseUrl = `http://127.0.0.1:${port}`;
      return baseUrl;
    },
    async dispose() {
      if (server) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server?.close(() => resolve()));
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
