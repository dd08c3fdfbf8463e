/**
 * The GitLab emulator's entry point: `startEmulator()` builds the state and context, listens
 * on a port (0 = any free one) and returns handles for tests: tokens, test controls (cancel,
 * fail, watch, CORS mode, faults) and the request log. Everything else is reached over HTTP.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock, type Clock } from '../src/platform/clock.ts';
import type { CorsMode, EmulatorContext, EmulatorOptions } from './context.ts';
import { Faults } from './faults.ts';
import { RequestLog, type RequestLogEntry } from './http/request-log.ts';
import { cancelJob, dropJob, watchJobTimeouts } from './jobs/index.ts';
import type { Job, JobStatus, Runner } from './model.ts';
import { createRunner, newSecret, type RunnerSettings } from './runners/index.ts';
import { newWorkshopPassword } from './git/workshop-password.ts';
import { createEmulatorServer } from './server.ts';
import { EmulatorState } from './state.ts';

export type { CorsMode, EmulatorContext, EmulatorOptions } from './context.ts';
export { Faults, FAULT_ENDPOINTS, FAULT_KINDS } from './faults.ts';
export type { Fault, FaultEndpoint, FaultKind, FaultSpec } from './faults.ts';
export type { RequestLogEntry } from './http/request-log.ts';
export type { RunnerSettings } from './runners/index.ts';
export { EmulatorState } from './state.ts';
export { GITLAB_FAILURE_REASONS, expireTimedOutJobs } from './jobs/index.ts';
export { GITLAB_EXPOSED_HEADERS, RELAY_EXPOSED_HEADERS } from './cors.ts';
export * from './model.ts';

/** A running emulator. */
export interface Emulator {
  /** `http://127.0.0.1:<port>` (the bound address), no trailing slash: this machine's way in. */
  readonly url: string;
  /** `EmulatorOptions.externalUrl`, else `url`: where the room and the runners reach it. */
  readonly externalUrl: string;
  readonly context: EmulatorContext;
  readonly state: EmulatorState;
  /** `PRIVATE-TOKEN` for `/admin/api/…` and `POST /api/v4/user/runners`. */
  readonly adminToken: string;
  /** Registration token for legacy `POST /api/v4/runners`. */
  readonly registrationToken: string;
  /** Password for git fetch and push by any user name (`EmulatorOptions.workshopPassword`). */
  readonly workshopPassword: string;
  readonly faults: Faults;
  /** Create a runner with a `glrt-` token (or a legacy one with `kind: 'legacy'`). */
  createRunner(settings?: RunnerSettings): Runner;
  /** Cancel as the UI does: running → `canceling` (manager has `cancel_gracefully`) or `canceled`. */
  cancelJob(id: number): JobStatus;
  /** Fail a job as GitLab would drop it (default reason `unknown_failure`). */
  failJob(id: number, reason?: string): JobStatus;
  /** Mark the job page as watched for `seconds` (default 10): trace interval 3 instead of 60. */
  watchJob(id: number, seconds?: number): void;
  setCorsMode(mode: CorsMode): void;
  /** Requests answered so far: method, path, status, time; never tokens. */
  requests(): RequestLogEntry[];
  /** Stop listening, end open connections and delete the data dir if the emulator made it. */
  close(): Promise<void>;
}

/** Extra seams for tests: a controllable clock. */
export interface EmulatorDeps {
  clock: Clock;
}

const DEFAULTS = {
  port: 0,
  host: '127.0.0.1',
  longPollSeconds: 50,
  traceSizeLimit: 100 * 1024 * 1024,
  artifactSizeLimit: 100 * 1024 * 1024,
  jobTimeoutGraceSeconds: 0,
  acceptanceTimeoutSeconds: 60,
  corsMode: 'relay',
} satisfies Partial<EmulatorOptions>;

/** Start an emulator; options default as documented on `EmulatorOptions`. */
export async function startEmulator(
  options: Partial<EmulatorOptions> = {},
  deps: Partial<EmulatorDeps> = {},
): Promise<Emulator> {
  const externalUrl =
    options.externalUrl === undefined ? undefined : externalOrigin(options.externalUrl);
  const ownDataDir = options.dataDir === undefined;
  const resolved: EmulatorOptions = {
    ...DEFAULTS,
    adminToken: newSecret(),
    registrationToken: newSecret(),
    workshopPassword: newWorkshopPassword(),
    ...options,
    dataDir: options.dataDir ?? (await mkdtemp(join(tmpdir(), 'tabrunner-emulator-'))),
    ...(externalUrl ? { externalUrl } : {}),
  };
  const state = new EmulatorState();
  let baseUrl = '';
  const ctx: EmulatorContext = {
    state,
    options: resolved,
    clock: deps.clock ?? systemClock,
    baseUrl: () => baseUrl,
    externalUrl: () => externalUrl ?? baseUrl,
  };
  const faults = new Faults();
  const requests = new RequestLog();
  const server = createEmulatorServer({ ctx, faults, requests });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(resolved.port, resolved.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://${urlHost(resolved.host)}:${port}`;
  const stopTimeouts = watchJobTimeouts(ctx);

  const jobById = (id: number): Job => {
    const job = state.jobs.get(id);
    if (!job) throw new RangeError(`no job ${id} in the emulator`);
    return job;
  };

  return {
    url: baseUrl,
    externalUrl: ctx.externalUrl(),
    context: ctx,
    state,
    adminToken: resolved.adminToken,
    registrationToken: resolved.registrationToken,
    workshopPassword: resolved.workshopPassword,
    faults,
    createRunner: (settings) => createRunner(ctx, settings),
    cancelJob: (id) => cancelJob(ctx, jobById(id)),
    failJob: (id, reason = 'unknown_failure') => {
      const job = jobById(id);
      dropJob(ctx, job, reason);
      return job.status;
    },
    watchJob: (id, seconds = 10) => {
      jobById(id).watchedUntil = ctx.clock.now() + seconds * 1000;
    },
    setCorsMode: (mode) => {
      resolved.corsMode = mode;
    },
    requests: () => requests.entries(),
    close: async () => {
      stopTimeouts();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      if (ownDataDir) await rm(resolved.dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The host of the emulator's own URL. Bound to every interface, it is still reached here over
 * loopback, the one address sure to answer on this machine (the instructor's sign-in link, the
 * default `externalUrl`); a room is given `externalUrl` instead.
 */
function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * `externalUrl` as an origin. GitLab's `external_url` may carry a path (a relative URL root);
 * the emulator serves from `/`, so a path, credentials or a query are refused rather than lost.
 */
function externalOrigin(raw: string): string {
  const url = URL.canParse(raw) ? new URL(raw) : null;
  // The href of a bare origin is the origin and a slash; anything more was a path, query,
  // fragment or credentials.
  if (!url || !['http:', 'https:'].includes(url.protocol) || url.href !== `${url.origin}/`) {
    throw new RangeError(
      `externalUrl must be an http(s) origin such as http://192.168.1.20:9100, got "${raw}"`,
    );
  }
  return url.origin;
}
