import { execFileSync } from 'node:child_process';
import { gunzipSync, unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { hasErrorCode } from '../errors/index.ts';
import { createArtifactArchive, type ArchiveProgress } from './archive.ts';
import { compressionLevel } from './compression-level.ts';
import { archiveSource } from './archive-source.ts';
import { readZipEntries } from './zip-entries.ts';

const PROJECT = '/builds/p';
const enc = new TextEncoder();
const dec = new TextDecoder();

/** An in-memory `readFile` that counts reads, to see how lazily the archive reads. */
function files(contents: Record<string, Uint8Array | string>) {
  const reads: string[] = [];
  return {
    reads,
    workspace: {
      async readFile(path: string): Promise<Uint8Array> {
        reads.push(path);
        const value = contents[path.slice(PROJECT.length + 1)];
        if (value === undefined)
          throw Object.assign(new Error(`ENOENT ${path}`), { code: 'ENOENT' });
        return typeof value === 'string' ? enc.encode(value) : value;
      },
    },
  };
}

async function collect(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

describe('createArtifactArchive', () => {
  it('zips files under their project-relative paths, readable by fflate and by Python', async () => {
    const { workspace } = files({
      'dist/a.txt': 'alpha'.repeat(100),
      'dist/sub/b.bin': new Uint8Array([0, 1, 2]),
      empty: '',
    });
    const zip = await collect(
      createArtifactArchive({
        workspace,
        projectDir: PROJECT,
        files: [{ path: 'dist/a.txt' }, { path: 'dist/sub/b.bin' }, { path: 'empty' }],
        format: 'zip',
      }),
    );
    const unzipped = unzipSync(zip);
    expect(dec.decode(unzipped['dist/a.txt'])).toBe('alpha'.repeat(100));
    expect([...(unzipped['dist/sub/b.bin'] ?? [])]).toEqual([0, 1, 2]);
    expect(unzipped['empty']).toEqual(new Uint8Array());
    const listing = execFileSync(
      'python3',
      [
        '-c',
        'import sys, zipfile, io\nz = zipfile.ZipFile(io.BytesIO(sys.stdin.buffer.read()))\nassert z.testzip() is None\nprint(",".join(i.filename + ":" + oct(i.external_attr >> 16) for i in z.infolist()))',
      ],
      { input: zip },
    )
      .toString()
      .trim();
    expect(listing).toBe('dist/a.txt:0o100644,dist/sub/b.bin:0o100644,empty:0o100644');
  });

  it('stores without compression at ARTIFACT_COMPRESSION_LEVEL=fastest and deflates otherwise', async () => {
    const { workspace } = files({ 'a.txt': 'x'.repeat(10_000) });
    const entries = async (value: string) =>
      readZipEntries(
        archiveSource(
          await collect(
            createArtifactArchive({
              workspace,
              projectDir: PROJECT,
              files: [{ path: 'a.txt' }],
              format: 'zip',
              level: compressionLevel(value).level,
            }),
          ),
        ),
      );
    expect((await entries('fastest'))[0]).toMatchObject({ method: 0, compressedSize: 10_000 });
    const slowest = (await entries('slowest'))[0];
    expect(slowest?.method).toBe(8);
    expect(slowest?.compressedSize).toBeLessThan(200);
  });

  it('reads about a slice (1 MiB) of files per pull, not the whole list up front', async () => {
    const contents: Record<string, string> = {};
    for (let i = 0; i < 50; i++) contents[`f${i}`] = `file ${i} `.repeat(40_000);
    const { workspace, reads } = files(contents);
    const stream = createArtifactArchive({
      workspace,
      projectDir: PROJECT,
      files: Object.keys(contents).map((path) => ({ path })),
      format: 'zip',
    });
    const reader = stream.getReader();
    await reader.read();
    // 400 KB files: three make a slice; the stream may pull once ahead.
    expect(reads.length).toBeLessThanOrEqual(6);
    let done = false;
    while (!done) done = (await reader.read()).done;
    expect(reads).toHaveLength(50);
  });

  it('writes gzip as one named member per file (reports)', async () => {
    const { workspace } = files({ 'rspec.xml': '<testsuite tests="1"/>' });
    const gz = await collect(
      createArtifactArchive({
        workspace,
        projectDir: PROJECT,
        files: [{ path: 'rspec.xml' }],
        format: 'gzip',
      }),
    );
    expect([gz[0], gz[1]]).toEqual([0x1f, 0x8b]);
    expect(dec.decode(gunzipSync(gz))).toBe('<testsuite tests="1"/>');
    expect(dec.decode(gz.subarray(10, 19))).toBe('rspec.xml');
  });

  it('sends a raw artifact as the file itself, and refuses several files as raw', async () => {
    const { workspace } = files({ 'report.json': '{"ok":true}', 'other.json': '{}' });
    const raw = await collect(
      createArtifactArchive({
        workspace,
        projectDir: PROJECT,
        files: [{ path: 'report.json' }],
        format: 'raw',
      }),
    );
    expect(dec.decode(raw)).toBe('{"ok":true}');
    let caught: unknown;
    try {
      createArtifactArchive({
        workspace,
        projectDir: PROJECT,
        files: [{ path: 'report.json' }, { path: 'other.json' }],
        format: 'raw',
      });
    } catch (error) {
      caught = error;
    }
    expect(hasErrorCode(caught, 'ArchiveFormatError')).toBe(true);
    expect(String(caught)).toContain('only one file can be sent as raw');
  });

  it.each(['zip', 'gzip'])(
    'reports %s progress slice by slice through a large file, ending at the input and archive sizes',
    async (format) => {
      // 3.5 MiB of noise (deflate cannot shrink it, so output flows with input) and a small file.
      const big = new Uint8Array(3.5 * 1024 * 1024);
      let seed = 7;
      for (let i = 0; i < big.length; i++) {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        big[i] = seed >>> 24;
      }
      const { workspace } = files({ 'big.bin': big, 'small.txt': 'small' });
      const seen: ArchiveProgress[] = [];
      const archive = await collect(
        createArtifactArchive({
          workspace,
          projectDir: PROJECT,
          files: [{ path: 'big.bin' }, { path: 'small.txt' }],
          format,
          onProgress: (p) => seen.push(p),
        }),
      );
      // Four 1 MiB slices of the big file: files stays 0 until its last slice went in.
      expect(seen.filter((p) => p.files === 0).map((p) => p.bytesIn)).toEqual([
        1 * 1024 * 1024,
        2 * 1024 * 1024,
        3 * 1024 * 1024,
      ]);
      for (const key of ['files', 'bytesIn', 'bytesOut'] as const) {
        const values = seen.map((p) => p[key]);
        expect(values).toEqual([...values].sort((a, b) => a - b));
      }
      expect(seen.some((p) => p.files === 0 && p.bytesOut > 0)).toBe(true);
      expect(seen.at(-1)).toEqual({
        files: 2,
        bytesIn: big.length + 5,
        bytesOut: archive.length,
      });
    },
  );

  it('reports a raw artifact as one file in, the same bytes out', async () => {
    const { workspace } = files({ 'report.json': '{"ok":true}' });
    const seen: ArchiveProgress[] = [];
    await collect(
      createArtifactArchive({
        workspace,
        projectDir: PROJECT,
        files: [{ path: 'report.json' }],
        format: 'raw',
        onProgress: (p) => seen.push(p),
      }),
    );
    expect(seen).toEqual([{ files: 1, bytesIn: 11, bytesOut: 11 }]);
  });

  it('refuses formats the browser runner cannot write', () => {
    const { workspace } = files({});
    expect(() =>
      createArtifactArchive({
        workspace,
        projectDir: PROJECT,
        files: [{ path: 'a' }],
        format: 'tarzstd',
      }),
    ).toThrow(/"tarzstd" is not supported/);
  });
});

describe('compressionLevel', () => {
  it('maps the names as the Go runner does and warns on unknown ones', () => {
    expect(compressionLevel(undefined)).toEqual({ level: 5, warning: null });
    expect(compressionLevel('fastest').level).toBe(0);
    expect(compressionLevel('fast').level).toBe(1);
    expect(compressionLevel('slow').level).toBe(7);
    expect(compressionLevel('slowest').level).toBe(9);
    const odd = compressionLevel('turbo');
    expect(odd.level).toBe(5);
    expect(odd.warning).toContain(
      'WARNING: compression level "turbo" is not valid, falling back to default',
    );
  });
});
