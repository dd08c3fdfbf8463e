/**
 * `npm run transcript:synthetic`: writes test/fixtures/webcontainer/synthetic.transcript.json.gz,
 * the transcript the test double replays until a maintainer commits one recorded in a browser
 * (docs/webcontainer-transcripts.md). It is made the way a real one is: the executor contract
 * runs through the transcript recorder, here against the Node.js model of WebContainer
 * (test/support/node-container.ts: real node and npm, WebContainer's documented streams), with
 * the npm registry reachable. The model's temporary paths are then written as the workdir and
 * PATH WebContainer reports, and the file says it was not recorded.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { casesFor, ContractSession } from '../src/executors/contract/index.ts';
import {
  createWebContainerExecutor,
  WEBCONTAINER_CAPABILITIES,
} from '../src/executors/webcontainer/index.ts';
import { TranscriptRecorder } from '../src/executors/webcontainer/transcript/recorder.ts';
import { transcriptSchema } from '../src/executors/webcontainer/transcript/transcript.ts';
import { NodeApi } from '../test/support/node-container.ts';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const OUT = join(ROOT, 'test/fixtures/webcontainer/synthetic.transcript.json.gz');

/** What WebContainer reports (reference: bolt.new's `/home/<workdirName>`; PATH from webcontainer-core #1330). */
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
  const recorder = new TranscriptRecorder({ meta: { recorded: false, basis: BASIS } });
  const api = new NodeApi();
  const executor = createWebContainerExecutor({
    api: async () => recorder.wrap(api),
    support: () => ({ ok: true }),
  });
  const session = new ContractSession(executor);
  await session.info();
  let failed = 0;
  for (const contractCase of casesFor(WEBCONTAINER_CAPABILITIES)) {
    recorder.useCase(contractCase.name);
    const started = performance.now();
    try {
      await session.run(contractCase);
      recorder.endCase({ status: 'passed', ms: Math.round(performance.now() - started) });
      console.log(`  ✓ ${contractCase.name}`);
    } catch (err) {
      failed += 1;
      const error = err instanceof Error ? err.message : String(err);
      recorder.endCase({ status: 'failed', ms: Math.round(performance.now() - started), error });
      console.log(`  ✗ ${contractCase.name}: ${error}`);
    }
  }
  await session.dispose();
  const transcript = recorder.transcript();
  await api.dispose();
  if (failed > 0) throw new Error(`${failed} contract cases failed on the model; nothing written.`);

  // The model's real paths become WebContainer's, everywhere they appear.
  const text = JSON.stringify({ ...transcript, recordedAt: undefined })
    .replaceAll(JSON.stringify(transcript.workdir).slice(1, -1), WORKDIR)
    .replaceAll(JSON.stringify(transcript.path).slice(1, -1), PATH);
  const normalised = transcriptSchema.parse(JSON.parse(text));
  await mkdir(dirname(OUT), { recursive: true });
  await writeFile(OUT, gzipSync(`${JSON.stringify(normalised, null, 1)}\n`, { level: 9 }));
  console.log(`Wrote ${OUT}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
