import { describe, expect, it } from 'vitest';
import { FLUSH_PKT, PktLineReader, pktLine } from './pkt-line.ts';

const text = (bytes: Uint8Array | null | undefined) =>
  bytes ? new TextDecoder().decode(bytes) : bytes;

async function* chunks(...parts: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield part;
}

describe('PktLineReader', () => {
  it('reads packets across chunk boundaries, flushes and the end', async () => {
    const bytes = new Uint8Array([...pktLine('hello\n'), ...FLUSH_PKT, ...pktLine('x')]);
    const reader = new PktLineReader(
      chunks(bytes.subarray(0, 3), bytes.subarray(3, 9), bytes.subarray(9)),
      'u',
    );
    expect(text(await reader.read())).toBe('hello\n');
    expect(await reader.read()).toBeNull();
    expect(text(await reader.read())).toBe('x');
    expect(await reader.read()).toBeUndefined();
  });

  it('says a packet was cut off, or its length is not hex', async () => {
    const cut = new PktLineReader(
      chunks(pktLine('hello').subarray(0, 6)),
      'https://git.example/p.git',
    );
    await expect(cut.read()).rejects.toMatchObject({
      code: 'SourcesFetchError',
      message: expect.stringMatching(/https:\/\/git\.example\/p\.git failed: .*a packet cut off/),
    });
    const bad = new PktLineReader(chunks(new TextEncoder().encode('zz01')), 'u');
    await expect(bad.read()).rejects.toMatchObject({
      message: expect.stringMatching(/a bad packet length/),
    });
  });

  it('turns a connection that breaks mid-response into a sources error, but lets an abort through', async () => {
    async function* breaks(error: Error): AsyncGenerator<Uint8Array> {
      yield pktLine('one');
      throw error;
    }
    const broken = new PktLineReader(breaks(new TypeError('terminated')), 'u');
    expect(text(await broken.read())).toBe('one');
    await expect(broken.read()).rejects.toMatchObject({
      code: 'SourcesFetchError',
      message: expect.stringMatching(
        /the connection broke while the git server was sending: terminated/,
      ),
    });
    const abort = new DOMException('stopped', 'AbortError');
    const aborted = new PktLineReader(breaks(abort), 'u');
    await aborted.read();
    await expect(aborted.read()).rejects.toBe(abort);
  });
});
