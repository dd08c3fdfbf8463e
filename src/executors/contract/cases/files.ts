/** Contract cases: files. */
import { equal, rejectsWith, type ContractCase } from '../contract-case.ts';
import { encoder, expectStage } from './helpers.ts';

export const FILE_CASES: ContractCase[] = [
  {
    group: 'files',
    name: 'the tree is placed at the project directory, nested and empty directories included',
    async run(ctx) {
      await expectStage(
        ctx,
        ['cat README.md src/lib/deep/value.txt; cd empty/dir && pwd'],
        { exitCode: 0, text: `top level\nnested value\n${ctx.projectDir}/empty/dir\n` },
        'the tree',
      );
    },
  },
  {
    group: 'files',
    name: 'an executable file in the tree runs',
    needs: ['modes'],
    async run(ctx) {
      await expectStage(
        ctx,
        ['./bin/hello.sh'],
        { exitCode: 0, text: 'hello from script\n' },
        'bin/hello.sh',
      );
    },
  },
  {
    group: 'files',
    name: 'the job reads a file the workspace wrote',
    async run(ctx) {
      await ctx.workspace.writeFile(
        `${ctx.projectDir}/.vars/TOKEN_FILE`,
        encoder.encode('s3cret-ish'),
      );
      await expectStage(
        ctx,
        ['cat .vars/TOKEN_FILE'],
        { exitCode: 0, text: 's3cret-ish' },
        'a file variable',
      );
    },
  },
  {
    group: 'files',
    name: 'the workspace reads and lists files the script wrote',
    async run(ctx) {
      await ctx.stage(['mkdir -p out/sub && echo report > out/sub/r.txt && echo top > out/a.txt']);
      const read = await ctx.workspace.readFile(`${ctx.projectDir}/out/sub/r.txt`);
      equal(new TextDecoder().decode(read), 'report\n', 'out/sub/r.txt');
      equal(
        await ctx.workspace.listFiles(`${ctx.projectDir}/out`),
        [`${ctx.projectDir}/out/a.txt`, `${ctx.projectDir}/out/sub/r.txt`],
        'listing',
      );
    },
  },
  {
    group: 'files',
    name: 'writeFiles places a batch the job reads, replacing files already there',
    async run(ctx) {
      await ctx.stage(['mkdir -p restored && echo old > restored/a.txt']);
      await ctx.workspace.writeFiles(`${ctx.projectDir}/restored`, [
        { path: 'a.txt', data: encoder.encode('new a\n') },
        { path: 'deep/b.txt', data: encoder.encode('b\n') },
        { path: 'deep/er/c.bin', data: Uint8Array.of(0, 255, 10) },
      ]);
      await expectStage(
        ctx,
        ['cat restored/a.txt restored/deep/b.txt'],
        { exitCode: 0, text: 'new a\nb\n' },
        'the restored files',
      );
      equal(
        [...(await ctx.workspace.readFile(`${ctx.projectDir}/restored/deep/er/c.bin`))],
        [0, 255, 10],
        'restored/deep/er/c.bin',
      );
      equal(
        await ctx.workspace.listFiles(`${ctx.projectDir}/restored`),
        ['a.txt', 'deep/b.txt', 'deep/er/c.bin'].map((p) => `${ctx.projectDir}/restored/${p}`),
        'listing',
      );
    },
  },
  {
    group: 'files',
    name: 'writeFiles refuses a file where a directory is, with EISDIR',
    async run(ctx) {
      await ctx.stage(['mkdir -p taken/inner && echo kept > taken/inner/f.txt']);
      await rejectsWith(
        ctx.workspace.writeFiles(ctx.projectDir, [{ path: 'taken', data: encoder.encode('x') }]),
        'EISDIR',
        'writeFiles over a directory',
      );
      await expectStage(
        ctx,
        ['cat taken/inner/f.txt'],
        { exitCode: 0, text: 'kept\n' },
        'the directory is untouched',
      );
    },
  },
  {
    group: 'files',
    name: 'an executable file written by writeFiles runs',
    needs: ['modes'],
    async run(ctx) {
      await ctx.workspace.writeFiles(`${ctx.projectDir}/tools`, [
        { path: 'run.sh', data: encoder.encode('echo ran\n'), mode: 0o100755 },
      ]);
      await expectStage(ctx, ['./tools/run.sh'], { exitCode: 0, text: 'ran\n' }, 'tools/run.sh');
    },
  },
  {
    group: 'files',
    name: 'binary bytes round-trip through writeFile and readFile',
    async run(ctx) {
      const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
      await ctx.workspace.writeFile(`${ctx.projectDir}/blob.bin`, bytes);
      equal(
        [...(await ctx.workspace.readFile(`${ctx.projectDir}/blob.bin`))],
        [...bytes],
        'blob.bin',
      );
    },
  },
  {
    group: 'files',
    name: 'a missing file is ENOENT; a missing directory lists as empty',
    async run(ctx) {
      await rejectsWith(ctx.workspace.readFile(`${ctx.projectDir}/nope.txt`), 'ENOENT', 'readFile');
      equal(await ctx.workspace.listFiles(`${ctx.projectDir}/nope`), [], 'listFiles');
    },
  },
  {
    group: 'files',
    name: 'a workspace can be disposed twice, and the next job starts clean',
    async run(ctx) {
      await ctx.stage(['echo left > leftover.txt']);
      await ctx.workspace.dispose();
      await ctx.workspace.dispose();
      await ctx.nextJob();
      await rejectsWith(
        ctx.workspace.readFile(`${ctx.projectDir}/leftover.txt`),
        'ENOENT',
        'leftover.txt',
      );
    },
  },
];
