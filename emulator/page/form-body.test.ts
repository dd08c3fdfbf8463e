/**
 * An oversized form over real HTTP to the whole emulator: refused with 413, and not read on
 * without bound. The big case streams a body far larger than anything the emulator may read
 * and counts how much of it the client managed to send before the emulator stopped reading.
 */
import { request } from 'node:http';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../index.ts';
import { DISCARD_LIMIT, FORM_LIMIT } from './form-body.ts';

const MiB = 1024 * 1024;

let emulator: Emulator;

beforeEach(async () => {
  emulator = await startEmulator({ longPollSeconds: 0 });
});
afterEach(() => emulator.close());

/** What came back for a POST to the run-pipeline action: a status, or the connection's error. */
interface Outcome {
  status: number | null;
  body: string;
  connection: string | null;
  error: string | null;
}

function post(
  body: Readable | null,
  headers: Record<string, string>,
  timeoutMs = 20_000,
): Promise<Outcome> {
  return new Promise((resolve) => {
    const outcome: Outcome = { status: null, body: '', connection: null, error: null };
    const req = request(`${emulator.url}/-/pipelines`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    });
    const timer = setTimeout(() => req.destroy(new Error('timed out')), timeoutMs);
    const done = () => {
      clearTimeout(timer);
      resolve(outcome);
    };
    req.on('response', (res) => {
      outcome.status = res.statusCode ?? null;
      outcome.connection = res.headers.connection ?? null;
      res.setEncoding('utf8');
      res.on('data', (text: string) => (outcome.body += text));
      res.on('end', done);
      res.on('error', done);
    });
    req.on('error', (error) => {
      outcome.error = error.message;
      done();
    });
    if (body) body.pipe(req);
    else req.flushHeaders();
  });
}

describe('an oversized form', () => {
  it('gets a 413 with the reason when the browser sends it whole, and the connection closes', async () => {
    const fields = `variables=${'x'.repeat(FORM_LIMIT + 100 * 1024)}`;
    const outcome = await post(Readable.from([Buffer.from(fields)]), {
      'Content-Length': String(fields.length),
    });
    expect(outcome.error).toBeNull();
    expect(outcome.status).toBe(413);
    expect(outcome.connection).toBe('close');
    expect(outcome.body).toContain(`The form is larger than ${FORM_LIMIT} bytes.`);
  });

  it('is refused at once when its Content-Length is far past the limit, before a byte is sent', async () => {
    const outcome = await post(null, { 'Content-Length': String(1024 * MiB) });
    expect(outcome.status).toBe(413);
    expect(outcome.body).toContain('larger than');
  });

  it('is not read to its end: the emulator stops reading a streamed body past the discard limit', async () => {
    const total = 512 * MiB;
    const chunk = Buffer.alloc(64 * 1024, 'x');
    let pulled = 0;
    async function* endless(): AsyncGenerator<Buffer> {
      while (pulled < total) {
        pulled += chunk.length;
        yield chunk;
      }
    }
    // Chunked, so nothing tells the emulator the size up front.
    const outcome = await post(Readable.from(endless()), {});
    // The 413 or a reset, depending on whether the answer was read before the close: either
    // way the request ended without the client sending what it meant to.
    expect(outcome.status === 413 || outcome.error !== null).toBe(true);
    // What the client got into the socket: what the emulator read and dropped, plus what the
    // kernel buffers held, far less than the whole body.
    expect(pulled).toBeGreaterThan(FORM_LIMIT + DISCARD_LIMIT);
    expect(pulled).toBeLessThan(64 * MiB);
  });
});
