/**
 * What a job is when GitLab has just created it, before any runner saw it: `created`, a fresh
 * job token, no runner, no log, no outcome, no times. A pipeline's jobs start so
 * (`createPipeline`), and a retry's clone starts over so (`retryJob`).
 */
import type { Job } from '../model.ts';
import { newJobToken } from '../runners/index.ts';

/** The fields a job's run fills in, and what they hold before it. */
export type NewJobState = Pick<
  Job,
  | 'status'
  | 'token'
  | 'runnerId'
  | 'systemId'
  | 'awaitingAcceptance'
  | 'trace'
  | 'failureReason'
  | 'exitCode'
  | 'reportedChecksum'
  | 'artifactsStored'
  | 'queuedAt'
  | 'startedAt'
  | 'finishedAt'
  | 'watchedUntil'
  | 'pendingFinalSince'
>;

/** A new job's run fields, with a new token each call. */
export function newJobState(): NewJobState {
  return {
    status: 'created',
    token: newJobToken(),
    runnerId: null,
    systemId: null,
    awaitingAcceptance: false,
    trace: new Uint8Array(0),
    failureReason: null,
    exitCode: null,
    reportedChecksum: null,
    artifactsStored: [],
    queuedAt: null,
    startedAt: null,
    finishedAt: null,
    watchedUntil: 0,
    pendingFinalSince: null,
  };
}
