/**
 * What every emulator module receives: the state, the options it was started with, where its
 * files live, and its clock. Built once by `startEmulator` (emulator/index.ts).
 */
import type { Clock } from '../src/platform/clock.ts';
import type { EmulatorState } from './state.ts';

/** Which CORS headers the emulator sends to a browser under test (docs/runner-protocol.md §13, §14). */
export type CorsMode =
  /** Like gitlab.com: CORS on /api/*, but runner headers (Job-Status, Range, …) not exposed; none on git paths. */
  | 'gitlab'
  /** Like our relay: runner headers exposed. */
  | 'relay'
  /** No CORS headers at all. */
  | 'off';

export interface EmulatorOptions {
  /** Port to listen on; 0 picks a free one. Default 0. */
  port: number;
  /** Interface to bind. Default `127.0.0.1`. */
  host: string;
  /** How long `POST /jobs/request` is held when `last_update` is current (Workhorse, docs/runner-protocol.md §3.3). Default 50 s. */
  longPollSeconds: number;
  /** Project trace size limit in bytes (`ci_jobs_trace_size_limit`). Default 100 MiB. */
  traceSizeLimit: number;
  /** Maximum artifact upload size in bytes; larger uploads get 413. Default 100 MiB. */
  artifactSizeLimit: number;
  corsMode: CorsMode;
  /**
   * Seconds past a job's timeout before the server fails it (GitLab waits 15 minutes, docs/runner-protocol.md §12.2).
   * Default 0, so tests of server-side timeouts stay short; runner timeout tests raise it.
   */
  jobTimeoutGraceSeconds: number;
  /**
   * Seconds a two-phase job may wait for the runner's `PUT state=running` before GitLab puts it
   * back in the queue (docs/runner-protocol.md §7.5): a runner that never saw the payload (lost answer) loses nothing.
   * Default 60.
   */
  acceptanceTimeoutSeconds: number;
  /** Token for the admin API (`PRIVATE-TOKEN` header). Random when not given. */
  adminToken: string;
  /** Legacy registration token for `POST /runners`. Random when not given. */
  registrationToken: string;
  /**
   * Password that lets any user name fetch from and push to hosted projects over git HTTP, and
   * nothing else (docs/workshop.md): what a workshop's participants get instead of the admin
   * token. Random when not given.
   */
  workshopPassword: string;
  /** Folder for bare repositories; a fresh temp folder when not given. */
  dataDir: string;
  /**
   * The URL people and runners reach the emulator by, as GitLab's `external_url`: the web URLs
   * it hands out (a job's `CI_JOB_URL`, `CI_PROJECT_URL`, `CI_SERVER_URL`, the clone URL
   * `repo_url`, `http_url_to_repo`) are made from it. An `http(s)` origin; default its own URL.
   * A workshop bound to every interface sets the room's (scripts/sandbox.ts).
   */
  externalUrl?: string;
}

export interface EmulatorContext {
  readonly state: EmulatorState;
  readonly options: EmulatorOptions;
  readonly clock: Clock;
  /**
   * `http://host:port` once listening, without a trailing slash: the URL this machine reaches
   * it by (loopback when bound to every interface).
   */
  baseUrl(): string;
  /** `options.externalUrl`, else `baseUrl()`: what the URLs handed to others are made from. */
  externalUrl(): string;
}
