/**
 * The executor contract for the WebContainer adapter, replaying each committed transcript
 * (test/fixtures/webcontainer/) through the test double: every program the cases start plays
 * back what WebContainer answered where the transcript was made, chunk by chunk; the shell's
 * own work runs for real. A transcript marked `recorded: false` was written from documented
 * behaviour, not recorded in a browser, and its suite says so in its name
 * (docs/webcontainer-transcripts.md tells how to record and commit a real one).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  createWebContainerExecutor,
  WEBCONTAINER_CAPABILITIES,
} from '../../src/executors/webcontainer/index.ts';
import { TranscriptReplay } from '../../src/executors/webcontainer/testing/replay.ts';
import { parseTranscript } from '../../src/executors/webcontainer/transcript/transcript.ts';
import { BOOT_CASE } from '../../src/executors/webcontainer/transcript/transcript.ts';
import { describeExecutorContract } from './executor.ts';

const FIXTURES = join(import.meta.dirname, '../fixtures/webcontainer');

const transcripts = readdirSync(FIXTURES)
  .filter((name) => /\.transcript\.json(\.gz)?$/.test(name))
  .sort();

for (const name of transcripts) {
  const raw = readFileSync(join(FIXTURES, name));
  const transcript = parseTranscript(
    (name.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8'),
  );
  const replay = new TranscriptReplay(transcript);
  const origin = transcript.recorded
    ? `recorded in ${transcript.userAgent ?? 'a browser'}`
    : 'not yet recorded: written from documented behaviour';
  describeExecutorContract(
    `webcontainer replaying ${name} (${origin})`,
    async () => {
      replay.useCase(BOOT_CASE);
      return createWebContainerExecutor({
        api: async () => replay.api(),
        support: () => ({ ok: true }),
        killGraceMs: 300,
      });
    },
    { capabilities: WEBCONTAINER_CAPABILITIES, beforeCase: (c) => replay.useCase(c.name) },
  );
}
