/**
 * What a push changed, learnt from git itself: `git receive-pack` runs a `post-receive` hook
 * (githooks(5)) after it updated refs, with one `<old> <new> <ref>` line per ref it really
 * updated (refused and failed ones are left out) and the push options in `GIT_PUSH_OPTION_<n>`.
 * The emulator's hook writes both to the file named by `TABRUNNER_PUSH_RECORD`, which
 * `handle-git.ts` sets per request; the hook is the emulator's own, in its data folder, and
 * never one from a pushed repository.
 */
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EmulatorContext } from '../context.ts';

/** One updated ref; `newSha` is all zeros when the ref was deleted. */
export interface RefUpdate {
  ref: string;
  oldSha: string;
  newSha: string;
}

/** What one push did: its ref updates in the order git reported them, and its push options. */
export interface PushRecord {
  updates: RefUpdate[];
  /** `git push -o <option>` values as given, such as `ci.skip`. */
  options: string[];
}

/** The environment variable naming the file the hook writes. */
export const PUSH_RECORD_ENV = 'TABRUNNER_PUSH_RECORD';

// `eval` only expands `$GIT_PUSH_OPTION_<i>` with a number the script counts itself; the option's
// text is printed as data. Git refuses push options with a newline, so a line is one option.
const HOOK = `#!/bin/sh
# Written by the tabrunner emulator (emulator/git/push-record.ts): records what a push updated.
[ -n "$${PUSH_RECORD_ENV}" ] || exit 0
{
  cat
  i=0
  while [ "$i" -lt "\${GIT_PUSH_OPTION_COUNT:-0}" ]; do
    eval "printf 'option %s\\\\n' \\"\\$GIT_PUSH_OPTION_$i\\""
    i=$((i + 1))
  done
} > "$${PUSH_RECORD_ENV}"
`;

const written = new WeakMap<EmulatorContext, Promise<string>>();

/**
 * `git -c` pairs that make `receive-pack` run the recording hook and accept push options (which
 * a client sends only when the server advertises them).
 */
export async function pushRecordConfig(ctx: EmulatorContext): Promise<[string, string][]> {
  let hooksDir = written.get(ctx);
  if (!hooksDir) {
    hooksDir = writeHook(join(ctx.options.dataDir, 'git-hooks'));
    written.set(ctx, hooksDir);
  }
  return [
    ['core.hooksPath', await hooksDir],
    ['receive.advertisePushOptions', 'true'],
  ];
}

async function writeHook(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'post-receive');
  await writeFile(file, HOOK);
  await chmod(file, 0o755);
  return dir;
}

const UPDATE_LINE = /^([0-9a-f]{40,64}) ([0-9a-f]{40,64}) (refs\/\S+)$/;

/** Read the hook's file; lines it cannot have written are ignored. */
export function parsePushRecord(text: string): PushRecord {
  const record: PushRecord = { updates: [], options: [] };
  for (const line of text.split('\n')) {
    if (line.startsWith('option ')) {
      record.options.push(line.slice('option '.length));
      continue;
    }
    const match = UPDATE_LINE.exec(line);
    if (match?.[1] && match[2] && match[3]) {
      record.updates.push({ oldSha: match[1], newSha: match[2], ref: match[3] });
    }
  }
  return record;
}
