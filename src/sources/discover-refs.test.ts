import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverRefs, MAX_ADVERTISED_REFS } from './discover-refs.ts';
import { nodeHttp } from './node.ts';
import { FLUSH_PKT, pktLine } from './pkt-line.ts';
import { parseRepoUrl } from './repo-url.ts';

/** A server whose advertisement lists `refCount` branches, as a hostile one could. */
describe('discoverRefs against a server that advertises without end', () => {
  let server: Server;
  let url: string;
  let refCount = 0;

  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-git-upload-pack-advertisement' });
      res.write(Buffer.concat([pktLine('# service=git-upload-pack\n'), FLUSH_PKT]));
      const oid = 'a'.repeat(40);
      for (let i = 0; i < refCount; i += 10_000) {
        const lines: Buffer[] = [];
        for (let j = i; j < Math.min(i + 10_000, refCount); j++) {
          lines.push(
            Buffer.from(pktLine(`${oid} refs/heads/b${j}${j === 0 ? '\0ofs-delta' : ''}\n`)),
          );
        }
        res.write(Buffer.concat(lines));
      }
      res.end(FLUSH_PKT);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/project.git`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const target = () => ({ http: nodeHttp, remote: parseRepoUrl(url) });

  it(`takes ${MAX_ADVERTISED_REFS} refs, a big monorepo's worth`, async () => {
    refCount = MAX_ADVERTISED_REFS;
    const { refs, capabilities } = await discoverRefs(target());
    expect(refs.size).toBe(MAX_ADVERTISED_REFS);
    expect(capabilities.has('ofs-delta')).toBe(true);
  });

  it('refuses one more, before holding them all', async () => {
    refCount = MAX_ADVERTISED_REFS + 1;
    await expect(discoverRefs(target())).rejects.toMatchObject({
      code: 'SourcesFetchError',
      message: expect.stringMatching(
        new RegExp(`advertised more than ${MAX_ADVERTISED_REFS} refs`),
      ),
    });
  });
});
