/**
 * What `npm start` (scripts/start.ts) prints once the sandbox is up: the instructor's own page,
 * then what a room needs (docs/workshop.md). Apart from start.ts so the words can be checked
 * without starting anything.
 */
import type { RoomUrls } from './room-urls.ts';

export interface StartBannerInput {
  room: RoomUrls;
  /** The emulator's own URL, for this machine. */
  emulatorUrl: string;
  /** The offered project's current pipeline, if it has one. */
  pipeline?: { id: number; project: string };
  /** Serving `--project` repositories: pushes make the pipelines, a restart does not. */
  workshop: boolean;
  /** Both servers bind loopback only: no other machine can open what is printed. */
  loopbackOnly: boolean;
  stateFile: string;
  /** The ports of the resumed sandbox; absent on a first or `--fresh` start. */
  savedPorts?: { relayPort: number; emulatorPort: number };
  /** The ports listened on now, which `--port`/`--emulator-port` may have moved. */
  relayPort: number;
  emulatorPort: number;
  signInUrl: string;
}

export function startBanner(input: StartBannerInput): string {
  const { room } = input;
  const pipeline = input.pipeline
    ? `  (pipeline #${input.pipeline.id} of ${input.pipeline.project})`
    : '';
  return [
    '',
    `  tabrunner is ready:   ${room.ownPage}`,
    '',
    `  GitLab emulator:      ${input.emulatorUrl}/${pipeline}`,
    '  Open the page and press "Connect to the local sandbox"; the untagged jobs run in the tab.',
    ...(input.workshop
      ? []
      : [
          '  The node jobs need a WebContainer runner (a second tab, with internet for stackblitz.com).',
        ]),
    savedLine(input),
    input.workshop
      ? '  Every push makes a pipeline; `npm start -- --fresh` starts over.'
      : '  Restart for a new pipeline once this one is done; `npm start -- --fresh` starts over.',
    '',
    '  For a workshop (docs/workshop.md), participants open:',
    `    the page:            ${room.page}`,
    `    the pipelines:       ${room.pipelines}`,
    '  then clone a project, commit and `git push` (the password is for git only):',
    ...room.remotes.map((remote) => `    git clone ${remote.url}`),
    '  or, in a copy they already have, add it as a remote and `git push workshop HEAD:main`:',
    ...room.remotes.map((remote) => `    ${remote.command}`),
    ...(input.loopbackOnly
      ? [
          '  These addresses open on this machine only: to let the room in, start with',
          '  --host 0.0.0.0 (docs/workshop.md, "A room of laptops").',
        ]
      : []),
    '',
    '  Instructor: sign in to the pipelines page (retry, cancel, play, run) on this machine:',
    `    ${input.signInUrl}`,
    '',
    '  Press Ctrl+C to stop.',
    '',
  ].join('\n');
}

function savedLine(input: StartBannerInput): string {
  const saved = input.savedPorts;
  if (!saved) return `  Saved in ${input.stateFile}: a restart keeps these ports and tokens.`;
  // A tab reaches the emulator through the page's port, so a moved page strands it silently.
  if (saved.relayPort !== input.relayPort)
    return (
      `  Resumed the sandbox saved in ${input.stateFile}, but the page moved from port ` +
      `${saved.relayPort} to ${input.relayPort}:\n  tabs open on the old port must open the new page.`
    );
  if (saved.emulatorPort !== input.emulatorPort)
    return (
      `  Resumed the sandbox saved in ${input.stateFile}, but the emulator moved from port ` +
      `${saved.emulatorPort} to ${input.emulatorPort}:\n  clones need the new remote URL.`
    );
  return `  Resumed the sandbox saved in ${input.stateFile}: same ports and tokens.`;
}
