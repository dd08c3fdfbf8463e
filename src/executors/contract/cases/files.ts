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
