/**
 * Pack indexing benchmark: the SHA-1 and inflater seams of src/sources/git/pack, in Node and,
 * when Chromium is available, in a Chromium page, on two packs of ~5,000 files:
 * - `generated`: what a clone of the sources benchmark's generated repository receives (half
 *   incompressible binaries, stored as is; half near-identical text, mostly deltas);
 * - `source text`: the first 5,000 JavaScript, TypeScript, JSON and Markdown files of
 *   node_modules (real source code, which deflate compresses about 4:1).
 * Rows per pack:
 * - SHA-1 throughput over the whole pack at once (its trailing checksum) and over its objects
 *   one by one (the ids): the JavaScript SHA-1 the indexer had (sources-js-sha1.ts, the
 *   baseline), hash-wasm's, and node:crypto's in Node or WebCrypto's in Chromium (one buffer
 *   only: it cannot hash in pieces);
 * - inflating every zlib stream of the pack, ours against node:zlib's (Node);
 * - `indexPack` of the whole pack with each combination a platform may use, and for the
 *   generated pack isomorphic-git's own `indexPack` (Node), which ours replaced.
 * `ratio` is against the group's first row: time over the baseline's for `ms` rows, throughput
 * over the baseline's for `MB/s` rows. Each figure is the best of `runs`, taken round-robin
 * (one run of each contender in turn), so that a busy second of the shared machine or the
 * collector's debt does not land on one contender only.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as fs from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import git from 'isomorphic-git';
import type { Page } from 'playwright-core';
import { objectHeader } from '../src/sources/git/pack/git-object.ts';
import { indexPack } from '../src/sources/git/pack/index-pack.ts';
import { createObjectInflater } from '../src/sources/git/pack/inflate-object.ts';
import { createNodeSha1 } from '../src/sources/git/pack/node-sha1.ts';
import type { ObjectInflater } from '../src/sources/git/pack/object-inflater.ts';
import { readObjectHeader, readOffsetVarint } from '../src/sources/git/pack/pack-size.ts';
import type { CreateSha1 } from '../src/sources/git/pack/sha1.ts';
import { loadWasmSha1 } from '../src/sources/git/pack/wasm-sha1.ts';
import { createZlibObjectInflater } from '../src/sources/git/pack/zlib-inflate-object.ts';
import { servePage } from '../test/browser/sources-bundle.ts';
import { git as runGit } from '../test/support/git-server.ts';
import { launchChromium } from '../test/support/chromium.ts';
import { createJsSha1 } from './sources-js-sha1.ts';
import { createRepo } from './sources.bench.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface PackBenchRow {
  name: string;
  value: number;
  unit: 'ms' | 'MB/s';
  ratio: number;
}

export interface PackBenchOptions {
  /** Include the Chromium rows (default: when /usr/bin/chromium exists). */
  browser?: boolean;
  /** Files of each pack (default 5,000). */
  files?: number;
  /** Repetitions per measurement; the best is reported (default 5). */
  runs?: number;
}

/** Best time in ms of each contender, running them in turn `runs` times. */
async function roundRobin(
  runs: number,
  contenders: Record<string, () => unknown>,
): Promise<Record<string, number>> {
  const fastest: Record<string, number> = {};
  for (let i = 0; i < runs; i++) {
    for (const [name, fn] of Object.entries(contenders)) {
      const started = performance.now();
      await fn();
      fastest[name] = Math.min(fastest[name] ?? Infinity, performance.now() - started);
    }
  }
  return fastest;
}

/** What a hasher is given for one digest: the pack, or an object's header and content. */
type Pieces = Uint8Array[][];

const megabytes = (pieces: Pieces): number =>
  pieces.reduce((sum, parts) => sum + parts.reduce((n, p) => n + p.length, 0), 0) / 1048576;

function hashAll(create: CreateSha1, pieces: Pieces): void {
  for (const parts of pieces) {
    const hash = create();
    for (const part of parts) hash.update(part);
    hash.digest();
  }
}

interface Stream {
  at: number;
  size: number;
}

/** Where each object's zlib stream starts in `pack`, and the size its header states. */
function streams(pack: Uint8Array): Stream[] {
  const out: Stream[] = [];
  const end = pack.length - 20;
  const inflate = createObjectInflater();
  const count = new DataView(pack.buffer, pack.byteOffset).getUint32(8);
  for (let k = 0, pos = 12; k < count; k++) {
    const header = readObjectHeader(pack, pos, end);
    if (typeof header === 'string') throw new Error(`object ${k}: ${header}`);
    pos = header.pos;
    if (header.type === 6) {
      const back = readOffsetVarint(pack, pos, end);
      if (typeof back === 'string') throw new Error(`object ${k}: ${back}`);
      pos = back.pos;
    } else if (header.type === 7) pos += 20;
    out.push({ at: pos, size: header.size });
    pos = inflate(pack, pos, header.size).end;
  }
  return out;
}

function inflateAll(inflate: ObjectInflater, pack: Uint8Array, list: Stream[]): void {
  for (const { at, size } of list) inflate(pack, at, size);
}

/** Rows of one group, each against the first: throughput for MB/s rows, time for ms rows. */
function group(unit: PackBenchRow['unit'], entries: [string, number][]): PackBenchRow[] {
  const base = entries[0]?.[1] ?? NaN;
  return entries.map(([name, value]) => ({ name, value, unit, ratio: value / base }));
}

const rate = (mb: number, ms: number): number => mb / (ms / 1000);

/** The pack of `git pack-objects` for HEAD of the work tree `work`, as a server sends it. */
function packHead(work: string): Uint8Array {
  return new Uint8Array(
    execFileSync('git', ['pack-objects', '--stdout', '-q', '--revs', '--delta-base-offset'], {
      cwd: work,
      input: 'HEAD\n',
      maxBuffer: 1024 * 1024 * 1024,
    }),
  );
}

/** Up to `files` source files of node_modules, in path order, committed in a new repository. */
async function sourceTextRepo(root: string, files: number): Promise<string> {
  const from = join(repoRoot, 'node_modules');
  const work = join(root, 'source-text');
  const picked: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
      a.name < b.name ? -1 : 1,
    );
    for (const entry of entries) {
      if (picked.length >= files) return;
      const path = join(dir, entry.name);
      if (entry.isDirectory() && !entry.name.startsWith('.')) await walk(path);
      else if (entry.isFile() && /\.(js|mjs|cjs|ts|json|md)$/.test(entry.name)) {
        if ((await stat(path)).size <= 256 * 1024) picked.push(path);
      }
    }
  };
  await walk(from);
  for (const path of picked) {
    const to = join(work, relative(from, path));
    await mkdir(dirname(to), { recursive: true });
    await copyFile(path, to);
  }
  runGit(work, ['init', '-q', '-b', 'main']);
  runGit(work, ['add', '-A']);
  runGit(work, ['commit', '-q', '-m', 'source text']);
  return work;
}

async function nodeRows(label: string, pack: Uint8Array, runs: number, iso: boolean) {
  const wasm = await loadWasmSha1();
  const { objects } = await indexPack(pack, { sha1: createNodeSha1 });
  const each: Pieces = [...objects.values()].map((o) => [
    objectHeader(o.type, o.data.length),
    o.data,
  ]);
  const whole: Pieces = [[pack.subarray(0, pack.length - 20)]];
  // The baseline must still be SHA-1 before its speed means anything.
  const probe = (create: CreateSha1) => {
    const hash = create();
    for (const part of each[0] ?? []) hash.update(part);
    return Buffer.from(hash.digest()).toString('hex');
  };
  if (probe(createJsSha1) !== probe(createNodeSha1)) throw new Error('the JS SHA-1 is wrong');
  const [wholeMb, eachMb] = [megabytes(whole), megabytes(each)];
  const list = streams(pack);
  const sha1Whole = await roundRobin(runs, {
    js: () => hashAll(createJsSha1, whole),
    wasm: () => hashAll(wasm, whole),
    node: () => hashAll(createNodeSha1, whole),
  });
  const sha1Each = await roundRobin(runs, {
    js: () => hashAll(createJsSha1, each),
    wasm: () => hashAll(wasm, each),
    node: () => hashAll(createNodeSha1, each),
  });
  const inflate = await roundRobin(runs, {
    ours: () => inflateAll(createObjectInflater(), pack, list),
    zlib: () => inflateAll(createZlibObjectInflater(), pack, list),
  });
  const index = await roundRobin(runs, {
    ours: () => indexPack(pack, { sha1: createNodeSha1, inflater: createObjectInflater() }),
    zlib: () => indexPack(pack, { sha1: createNodeSha1, inflater: createZlibObjectInflater() }),
    zlibWasm: () => indexPack(pack, { sha1: wasm, inflater: createZlibObjectInflater() }),
  });
  const rows = [
    ...group('MB/s', [
      [
        `${label}: Node SHA-1, the ${wholeMb.toFixed(0)} MB pack at once: JS`,
        rate(wholeMb, sha1Whole['js'] ?? NaN),
      ],
      [
        `${label}: Node SHA-1, the pack at once: hash-wasm`,
        rate(wholeMb, sha1Whole['wasm'] ?? NaN),
      ],
      [
        `${label}: Node SHA-1, the pack at once: node:crypto`,
        rate(wholeMb, sha1Whole['node'] ?? NaN),
      ],
    ]),
    ...group('MB/s', [
      [
        `${label}: Node SHA-1, ${objects.size} objects one by one: JS`,
        rate(eachMb, sha1Each['js'] ?? NaN),
      ],
      [
        `${label}: Node SHA-1, objects one by one: hash-wasm`,
        rate(eachMb, sha1Each['wasm'] ?? NaN),
      ],
      [
        `${label}: Node SHA-1, objects one by one: node:crypto`,
        rate(eachMb, sha1Each['node'] ?? NaN),
      ],
    ]),
    ...group('ms', [
      [
        `${label}: Node inflate of ${list.length} zlib streams, ${eachMb.toFixed(0)} MB out: ours`,
        inflate['ours'] ?? NaN,
      ],
      [`${label}: Node inflate of the zlib streams: node:zlib`, inflate['zlib'] ?? NaN],
    ]),
    ...group('ms', [
      [`${label}: Node indexPack: our inflater, node:crypto SHA-1`, index['ours'] ?? NaN],
      [`${label}: Node indexPack: node:zlib inflater, node:crypto SHA-1`, index['zlib'] ?? NaN],
      [`${label}: Node indexPack: node:zlib inflater, hash-wasm SHA-1`, index['zlibWasm'] ?? NaN],
    ]),
  ];
  if (iso) rows.push(...(await isomorphicGitRow(label, pack, index['ours'] ?? NaN)));
  return rows;
}

/** isomorphic-git's `indexPack` of `pack` (it writes the .idx beside it), against ours. */
async function isomorphicGitRow(label: string, pack: Uint8Array, ours: number) {
  const dir = await mkdtemp(join(tmpdir(), 'tabrunner-bench-iso-'));
  try {
    await mkdir(join(dir, 'objects', 'pack'), { recursive: true });
    await writeFile(join(dir, 'objects', 'pack', 'pack-bench.pack'), pack);
    const { iso } = await roundRobin(3, {
      iso: async () => {
        await rm(join(dir, 'objects', 'pack', 'pack-bench.idx'), { force: true });
        await git.indexPack({ fs, dir, gitdir: dir, filepath: 'objects/pack/pack-bench.pack' });
      },
    });
    return group('ms', [
      [`${label}: Node indexPack: our inflater, node:crypto SHA-1`, ours],
      [`${label}: Node isomorphic-git's indexPack (writes the .idx)`, iso ?? NaN],
    ]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The page's half: the same measurements with what a browser has. */
const PAGE = `
import { objectHeader } from './src/sources/git/pack/git-object.ts';
import { indexPack } from './src/sources/git/pack/index-pack.ts';
import { createObjectInflater } from './src/sources/git/pack/inflate-object.ts';
import { loadWasmSha1 } from './src/sources/git/pack/wasm-sha1.ts';
import { createJsSha1 } from './bench/sources-js-sha1.ts';

${roundRobin.toString()}
${hashAll.toString()}
window.packBench = async (name, runs) => {
  const pack = new Uint8Array(await (await fetch('./' + name)).arrayBuffer());
  const wasm = await loadWasmSha1();
  const { objects } = await indexPack(pack, { sha1: wasm });
  const each = [...objects.values()].map((o) => [objectHeader(o.type, o.data.length), o.data]);
  const whole = [[pack.subarray(0, pack.length - 20)]];
  return {
    objects: objects.size,
    eachBytes: each.reduce((n, [header, data]) => n + header.length + data.length, 0),
    whole: await roundRobin(runs, {
      js: () => hashAll(createJsSha1, whole),
      wasm: () => hashAll(wasm, whole),
      webCrypto: () => crypto.subtle.digest('SHA-1', whole[0][0]),
    }),
    each: await roundRobin(runs, {
      js: () => hashAll(createJsSha1, each),
      wasm: () => hashAll(wasm, each),
    }),
    index: await roundRobin(runs, {
      js: () => indexPack(pack, { sha1: createJsSha1, inflater: createObjectInflater() }),
      wasm: () => indexPack(pack, { sha1: wasm, inflater: createObjectInflater() }),
    }),
  };
};
`;

interface PageResult {
  objects: number;
  eachBytes: number;
  whole: Record<'js' | 'wasm' | 'webCrypto', number>;
  each: Record<'js' | 'wasm', number>;
  index: Record<'js' | 'wasm', number>;
}

async function chromiumRows(
  page: Page,
  label: string,
  name: string,
  pack: Uint8Array,
  runs: number,
) {
  const r = await page.evaluate(
    ([file, n]) =>
      (window as unknown as { packBench(f: string, n: number): Promise<PageResult> }).packBench(
        file,
        n,
      ),
    [name, runs] as const,
  );
  const wholeMb = (pack.length - 20) / 1048576;
  const eachMb = r.eachBytes / 1048576;
  return [
    ...group('MB/s', [
      [
        `${label}: Chromium SHA-1, the ${wholeMb.toFixed(0)} MB pack at once: JS`,
        rate(wholeMb, r.whole.js),
      ],
      [`${label}: Chromium SHA-1, the pack at once: hash-wasm`, rate(wholeMb, r.whole.wasm)],
      [`${label}: Chromium SHA-1, the pack at once: WebCrypto`, rate(wholeMb, r.whole.webCrypto)],
    ]),
    ...group('MB/s', [
      [`${label}: Chromium SHA-1, ${r.objects} objects one by one: JS`, rate(eachMb, r.each.js)],
      [`${label}: Chromium SHA-1, objects one by one: hash-wasm`, rate(eachMb, r.each.wasm)],
    ]),
    ...group('ms', [
      [`${label}: Chromium indexPack: our inflater, JS SHA-1`, r.index.js],
      [`${label}: Chromium indexPack: our inflater, hash-wasm SHA-1`, r.index.wasm],
    ]),
  ];
}

/** Run the benchmark; returns one row per measurement. */
export async function benchSourcesPack(options: PackBenchOptions = {}): Promise<PackBenchRow[]> {
  const runs = options.runs ?? 5;
  const files = options.files ?? 5000;
  const root = await mkdtemp(join(tmpdir(), 'tabrunner-bench-pack-'));
  let close = async () => {};
  try {
    // The sources benchmark's large repository, at its size per file.
    const generated = await createRepo(root, 'generated', files, files * 10 * 1024);
    const packs: [string, Uint8Array, boolean][] = [
      ['generated', packHead(generated.work), true],
      ['source text', packHead(await sourceTextRepo(root, files)), false],
    ];
    const rows: PackBenchRow[] = [];
    for (const [label, pack, iso] of packs) rows.push(...(await nodeRows(label, pack, runs, iso)));
    if (!(options.browser ?? existsSync('/usr/bin/chromium'))) return rows;

    const www = join(root, 'www');
    await build({
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      logLevel: 'silent',
      stdin: { contents: PAGE, loader: 'ts', resolveDir: repoRoot },
      outfile: join(www, 'page.js'),
    });
    await writeFile(
      join(www, 'index.html'),
      '<!doctype html><meta charset="utf-8"><script type="module" src="./page.js"></script>',
    );
    for (const [i, [, pack]] of packs.entries()) await writeFile(join(www, `pack-${i}.bin`), pack);
    const served = await servePage(www);
    const browser = await launchChromium();
    close = async () => {
      await browser.close();
      await new Promise<void>((done) => served.server.close(() => done()));
    };
    const page = await browser.newPage();
    await page.goto(served.url);
    await page.waitForFunction(() => 'packBench' in window);
    for (const [i, [label, pack]] of packs.entries()) {
      rows.push(...(await chromiumRows(page, label, `pack-${i}.bin`, pack, runs)));
    }
    return rows;
  } finally {
    await close();
    await rm(root, { recursive: true, force: true });
  }
}
