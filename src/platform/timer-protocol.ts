/** Messages between `createWorkerClock` and `timer-worker.ts`. */
export type TimerRequest = { type: 'set'; id: number; ms: number } | { type: 'clear'; id: number };

/** The timer `id` fired. */
export interface TimerReply {
  id: number;
}
