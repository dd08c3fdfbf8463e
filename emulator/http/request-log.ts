/**
 * A log of the requests the emulator answered, for tests and the admin API. It keeps method,
 * path (never the query, which may hold a token), status and time; nothing else.
 */
import type { FaultKind } from '../faults.ts';

export interface RequestLogEntry {
  method: string;
  /** Path without query string. */
  path: string;
  /** Status sent, or 0 when the connection was dropped or the response lost on purpose. */
  status: number;
  /** Epoch ms when the answer was sent. */
  at: number;
  /** The fault injected into this request, if any. */
  fault?: FaultKind;
}

export class RequestLog {
  #entries: RequestLogEntry[] = [];
  #limit: number;

  constructor(limit = 10_000) {
    this.#limit = limit;
  }

  add(entry: RequestLogEntry): void {
    this.#entries.push(entry);
    if (this.#entries.length > this.#limit) this.#entries.shift();
  }

  /** A copy of the entries, oldest first. */
  entries(): RequestLogEntry[] {
    return this.#entries.map((e) => ({ ...e }));
  }

  clear(): void {
    this.#entries = [];
  }
}
