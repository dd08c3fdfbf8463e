import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git, startGitServer, type GitServer } from '../../../../test/support/git-server.ts';
import { nodeHttp } from '../../node.ts';
import { FLUSH_PKT, pktLine } from './pkt-line.ts';
import { parseRepoUrl } from './repo-url.ts';
import { uploadPack, type UploadPackRequest } from './upload-pack.ts';

let root: string;
let server: GitServer;
let head: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tabrunner-upload-pack-'));
  const bare = join(root, 'repos', 'project.git');
  const work = join(root, 'work');
  await mkdir(bare, { recursive: true });
  await mkdir(work);
  git(bare, ['init', '-q', '--bare', '-b', 'main']);
  git(work, ['init', '-q', '-b', 'main']);
  for (let round = 0; round < 3; round++) {
    await writeFile(join(work, 'file.txt'), `round ${round}\n${'text '.repeat(2000)}${round}\n`);
    git(work, ['add', '-A']);
    git(work, ['commit', '-q', '-m', `round ${round}`]);
  }
  git(work, ['push', '-q', bare, 'main']);
  head = git(work, ['rev-parse', 'HEAD']).trim();
  server = await startGitServer({ root: join(root, 'repos') });
});

afterAll(async () => {
  await server?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

const target = (url: string) => ({ http: nodeHttp, remote: parseRepoUrl(url) });
const request = (overrides: Partial<UploadPackRequest> = {}): UploadPackRequest => ({
  wants: [head],
  haves: [],
  shallows: [],
  depth: 1,
  capabilities: new Set(['side-band-64k', 'ofs-delta', 'shallow']),
  ...overrides,
});

describe('uploadPack', () => {
  for (const band of ['side-band-64k', 'no side-band'] as const) {
    it(`caps the pack it receives (${band})`, async () => {
      const capabilities = new Set(band === 'no side-band' ? ['shallow'] : [band, 'shallow']);
      const repo = target(`${server.url}/project.git`);
      const full = await uploadPack(repo, request({ capabilities }));
      expect(full.shallow).toEqual([head]);
      const size = full.pack?.length ?? 0;
      expect(new TextDecoder().decode(full.pack?.subarray(0, 4))).toBe('PACK');
      const exact = await uploadPack(repo, request({ capabilities, maxPackBytes: size }));
      expect(exact.pack?.length).toBe(size);
      await expect(
        uploadPack(repo, request({ capabilities, maxPackBytes: size - 1 })),
      ).rejects.toMatchObject({
        code: 'SourcesLimitError',
        message: expect.stringMatching(
          new RegExp(`larger than ${size - 1} bytes.*GIT_DEPTH.*GIT_STRATEGY: none`),
        ),
      });
    });
  }

  describe('against a server that sends a malformed shallow update', () => {
    let hostile: Server;
    let url: string;
    let update = '';

    beforeAll(async () => {
      hostile = createServer((req, res) => {
        void (async () => {
          for await (const chunk of req) void chunk;
          res.writeHead(200, { 'content-type': 'application/x-git-upload-pack-result' });
          // One packet per line, as git sends them.
          const lines = update.split(/(?<=\n)/).filter(Boolean);
          res.end(Buffer.concat([...lines.map((l) => pktLine(l)), FLUSH_PKT, pktLine('NAK\n')]));
        })();
      });
      await new Promise<void>((r) => hostile.listen(0, '127.0.0.1', r));
      url = `http://127.0.0.1:${(hostile.address() as AddressInfo).port}/project.git`;
    });

    afterAll(() => new Promise<void>((r) => hostile.close(() => r())));

    it('takes well-formed ids', async () => {
      update = `shallow ${head}\n`;
      expect((await uploadPack(target(url), request())).shallow).toEqual([head]);
    });

    it('refuses more shallow lines than any history has', async () => {
      const lines = Array.from(
        { length: 10_001 },
        (_, i) => `shallow ${i.toString(16).padStart(40, '0')}\n`,
      );
      update = lines.join('');
      await expect(uploadPack(target(url), request())).rejects.toMatchObject({
        code: 'SourcesFetchError',
        message: expect.stringMatching(/more than 10000 shallow lines/),
      });
    });

    const id = 'a'.repeat(40);
    for (const line of [
      'shallow ../../config',
      `shallow ${id.toUpperCase()}`,
      `unshallow ${id.slice(1)}`,
      `shallow ${id} ${id}`,
    ]) {
      it(`refuses "${line.slice(0, 24)}…"`, async () => {
        update = `${line}\n`;
        await expect(uploadPack(target(url), request())).rejects.toMatchObject({
          code: 'SourcesFetchError',
          message: expect.stringMatching(/the server sent a malformed shallow line/),
        });
      });
    }
  });
});
