import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { discoverRefs, MAX_ADVERTISED_REFS, MAX_ADVERTISEMENT_BYTES } from './discover-refs.ts';
import { nodeHttp } from '../../node.ts';
import { FLUSH_PKT, pktLine } from './pkt-line.ts';
import { parseRepoUrl } from './repo-url.ts';

/**
 * Resolves once `res` takes writes again or is gone, and leaves neither listener behind: the
 * server waits here hundreds of times per response, and a `close` listener kept from each wait
 * made node warn of a leak (MaxListenersExceededWarning).
 */
function drainedOrClosed(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done).off('close', done);
      resolve();
    };
    res.on('drain', done).on('close', done);
  });
}

/**
 * A server whose advertisement lists `refCount` branches, as a hostile one could, with names of
 * `nameBytes` bytes at the least (a short name plus padding).
 */
describe('discoverRefs against a server that advertises without end', () => {
  let server: Server;
  let url: string;
  let refCount = 0;
  let nameBytes = 0;

  beforeAll(async () => {
    server = createServer((_req, res) => {
      // The client may stop reading part way (that is the point): a write then fails.
      res.on('error', () => undefined);
      void (async () => {
        res.writeHead(200, { 'content-type': 'application/x-git-upload-pack-advertisement' });
        res.write(Buffer.concat([pktLine('# service=git-upload-pack\n'), FLUSH_PKT]));
        const oid = 'a'.repeat(40);
        for (let i = 0; i < refCount && !res.destroyed; i += 1_000) {
          const lines: Buffer[] = [];
          for (let j = i; j < Math.min(i + 1_000, refCount); j++) {
            const name = `refs/heads/b${j}`.padEnd(nameBytes, 'x');
            lines.push(Buffer.from(pktLine(`${oid} ${name}${j === 0 ? '\0ofs-delta' : ''}\n`)));
          }
          if (!res.write(Buffer.concat(lines))) await drainedOrClosed(res);
        }
        res.end(FLUSH_PKT);
      })();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/project.git`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  // Client and server both stay on one long response; neither may pile up listeners on it.
  const warnings: Error[] = [];
  const onWarning = (warning: Error) => warnings.push(warning);
  beforeAll(() => void process.on('warning', onWarning));
  afterAll(() => void process.off('warning', onWarning));
  afterEach(async () => {
    // Warnings reach `process` on a later tick than the call that caused them.
    await new Promise((resolve) => setImmediate(resolve));
    expect(warnings.splice(0).map((w) => `${w.name}: ${w.message}`)).toEqual([]);
  });

  const target = () => ({ http: nodeHttp, remote: parseRepoUrl(url) });

  it(`takes ${MAX_ADVERTISED_REFS} refs, a big monorepo's worth`, async () => {
    refCount = MAX_ADVERTISED_REFS;
    nameBytes = 0;
    const { refs, capabilities } = await discoverRefs(target());
    expect(refs.size).toBe(MAX_ADVERTISED_REFS);
    expect(capabilities.has('ofs-delta')).toBe(true);
  });

  it('refuses one more, before holding them all', async () => {
    refCount = MAX_ADVERTISED_REFS + 1;
    nameBytes = 0;
    await expect(discoverRefs(target())).rejects.toMatchObject({
      code: 'SourcesFetchError',
      message: expect.stringMatching(
        new RegExp(`advertised more than ${MAX_ADVERTISED_REFS} refs`),
      ),
    });
  });

  it('refuses an advertisement past 64 MiB of few refs with the longest names a packet holds', async () => {
    expect(MAX_ADVERTISEMENT_BYTES).toBe(64 * 1024 * 1024);
    // 65,520-byte packets (the most pkt-line allows): 1,100 of them are 72 MB in 1,100 refs,
    // far below the ref count limit.
    nameBytes = 65_516 - 40 - 1 - 1;
    refCount = 1_100;
    expect(refCount * 65_520).toBeGreaterThan(MAX_ADVERTISEMENT_BYTES);
    await expect(discoverRefs(target())).rejects.toMatchObject({
      code: 'SourcesFetchError',
      message: expect.stringMatching(/the server's ref advertisement is larger than 64 MiB/),
    });
  });
});
