/**
 * The CLI's own small state on disk: this host's `system_id` (docs/runner-protocol.md §2.8), kept so GitLab sees the
 * same runner manager across restarts, as the Go runner's `.runner_system_id` file.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateSystemId } from '../gitlab/index.ts';

export async function loadSystemId(stateDir: string): Promise<string> {
  const file = join(stateDir, 'system_id');
  try {
    const existing = (await readFile(file, 'utf8')).trim();
    if (/^[rs]_[A-Za-z0-9]{12}$/.test(existing)) return existing;
  } catch {
    // First run: create it below.
  }
  const id = generateSystemId();
  await mkdir(stateDir, { recursive: true });
  await writeFile(file, `${id}\n`);
  return id;
}
