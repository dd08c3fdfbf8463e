/**
 * The emulator's external URL (`EmulatorOptions.externalUrl`, GitLab's `external_url`): the
 * URLs it hands out are made from it, while it listens where it was told.
 */
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from './index.ts';

const SAMPLE = fileURLToPath(new URL('./sample', import.meta.url));

describe('the emulator external URL', () => {
  let emulator: Emulator | undefined;
  afterEach(async () => {
    await emulator?.close();
    emulator = undefined;
  });

  it('defaults to its own URL, and otherwise names the projects the admin API creates', async () => {
    emulator = await startEmulator();
    expect(emulator.externalUrl).toBe(emulator.url);
    await emulator.close();

    emulator = await startEmulator({ externalUrl: 'HTTP://Room.Example:9100/' });
    expect(emulator.externalUrl).toBe('http://room.example:9100');
    expect(emulator.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const response = await fetch(`${emulator.url}/admin/api/projects`, {
      method: 'POST',
      headers: { 'PRIVATE-TOKEN': emulator.adminToken, 'Content-Type': 'application/json' },
      body: JSON.stringify({ path: 'app', namespace: 'demo', source_dir: SAMPLE }),
    });
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({
      http_url_to_repo: 'http://room.example:9100/demo/app.git',
    });
  });

  it('refuses anything but an http(s) origin, before listening', async () => {
    for (const externalUrl of [
      'room.example:9100',
      'ftp://room.example',
      'http://room.example/gitlab',
      'http://user:pass@room.example',
      'http://room.example/?x=1',
    ]) {
      await expect(startEmulator({ externalUrl })).rejects.toThrow(
        `externalUrl must be an http(s) origin such as http://192.168.1.20:9100, got "${externalUrl}"`,
      );
    }
  });
});
