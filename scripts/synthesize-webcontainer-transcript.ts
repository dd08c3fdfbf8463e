/**
 * `npm run transcript:synthetic`: writes test/fixtures/webcontainer/synthetic.transcript.json.gz,
 * the transcript the test double replays until a maintainer commits one recorded in a browser
 * (docs/webcontainer-transcripts.md). It is made the way a real one is, by the self-check
 * (src/tab/self-check.ts: every contract case through the transcript recorder, each within
 * its timeout), here against the Node.js model of WebContainer (test/support/node-container.ts:
 * real node and npm, WebContainer's documented streams), with the npm registry reachable. The
 * model's temporary paths are then written as the workdir and PATH WebContainer reports, and the
 * file says it was not recorded.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { transcriptSchema } from '../src/executors/webcontainer/transcript/transcript.ts';
import { startSelfCheck, type SelfCheckCase } from '../src/tab/self-check.ts';
import { NodeApi } from '../test/support/node-container.ts';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const OUT = join(ROOT, 'test/fixtures/webcontainer/synthetic.transcript.json.gz');

/** What WebContainer reports (the workdir is `/home/<workdirName>`; PATH from webcontainer-core #1330). */
const WORKDIR = '/home/tabrunner';
const PATH = '/bin:/usr/bin:/usr/local/bin';

const BASIS =
  'Not recorded in a browser. Made by `npm run transcript:synthetic`: the executor contract ran ' +
  'through the transcript recorder against a model of WebContainer built from real Node.js and ' +
  'npm with its documented behaviour laid on top (test/support/node-container.ts): one string ' +
  'stream for stdout and stderr with CRLF line ends (typings; webcontainer-core #971), each chunk ' +
  'decoded alone (the API client), an output stream that stays open after the exit ' +
  '(@webcontainer/test), kill() that a busy loop ignores (webcontainer-core #1121). Paths are ' +
  'written as the workdir and PATH WebContainer reports. Replace it with a recording from /?self-check.';

async function main(): Promise<void> {
  const api = new NodeApi();
  // The self-check's own loop: each case within its timeout, and a case that hangs ends the run.
  const printed = new Set<string>();
  const check = startSelfCheck({
    api: async () => api,
    support: () => ({ ok: true }),
    meta: { recorded: false, basis: BASIS },
    onUpdate: (report) => {
      for (const c of report.cases) {
        if (printed.has(c.name) || (c.status !== 'passed' && c.status !== 'failed')) continue;
        printed.add(c.name);
        console.log(progressLine(c));
      }
    },
  });
  const report = await check.done.finally(() => api.dispose());
  if (report.verdict !== 'pass')
    throw new Error(`The model did not pass the contract (${report.detail}); nothing written.`);
  const transcript = check.transcript();

  // The model's real paths become WebContainer's, everywhere they appear.
  const text = JSON.stringify({ ...transcript, recordedAt: undefined })
    .replaceAll(JSON.stringify(transcript.workdir).slice(1, -1), WORKDIR)
    .replaceAll(JSON.stringify(transcript.path).slice(1, -1), PATH);
  const normalised = transcriptSchema.parse(JSON.parse(text));
  await mkdir(dirname(OUT), { recursive: true });
  await writeFile(OUT, gzipSync(`${JSON.stringify(normalised, null, 1)}\n`, { level: 9 }));
  console.log(`Wrote ${OUT}`);
}

function progressLine(c: SelfCheckCase): string {
  const ms = c.ms === undefined ? '' : ` (${c.ms} ms)`;
  return c.status === 'passed' ? `  ✓ ${c.name}${ms}` : `  ✗ ${c.name}${ms}: ${c.error ?? ''}`;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
