/**
 * What `npm start` prints (scripts/start-banner.ts) as an instructor reads it: commands a
 * participant can paste, and no sentence that is false for the start it describes.
 */
import { describe, expect, it } from 'vitest';
import { roomUrls } from '../../scripts/room-urls.ts';
import { startBanner, type StartBannerInput } from '../../scripts/start-banner.ts';

const LAN = {
  eth0: [
    {
      address: '192.168.1.20',
      netmask: '255.255.255.0',
      family: 'IPv4' as const,
      mac: '00:00:00:00:00:01',
      internal: false,
      cidr: '192.168.1.20/24',
    },
  ],
};

function banner(host: string, overrides: Partial<StartBannerInput> = {}): string {
  const room = roomUrls(
    {
      host,
      publicUrls: [],
      relayUrl: `http://${host}:8787`,
      emulatorUrl: host === '0.0.0.0' ? 'http://192.168.1.20:9100' : `http://${host}:9100`,
      projectPaths: ['demo/ci-exercise'],
      password: 'k7mq-x2ne-rt9a',
    },
    LAN,
  );
  return startBanner({
    room,
    emulatorUrl: 'http://127.0.0.1:9100',
    pipeline: { id: 1, project: 'demo/ci-exercise' },
    workshop: true,
    loopbackOnly: host === '127.0.0.1',
    stateFile: '/tmp/state/state.json',
    relayPort: 8787,
    emulatorPort: 9100,
    signInUrl: 'http://127.0.0.1:9100/-/sign-in?code=c0de',
    ...overrides,
  });
}

describe("npm start's banner", () => {
  it('gives a participant a clone command, and the remote for a copy they already have', () => {
    const text = banner('0.0.0.0');
    const url = 'http://workshop:k7mq-x2ne-rt9a@192.168.1.20:9100/demo/ci-exercise.git';
    expect(text).toContain(`    git clone ${url}\n`);
    expect(text).toContain(`    git remote add workshop ${url}\n`);
    expect(text).toContain('`git push workshop HEAD:main`');
    expect(text).not.toContain('on this machine only');
  });

  it('says that loopback addresses reach no other laptop, and how to let the room in', () => {
    const text = banner('127.0.0.1');
    expect(text).toContain('http://127.0.0.1:8787/');
    expect(text).toMatch(
      /on this machine only: to let the room in, start with\s+--host 0\.0\.0\.0/,
    );
  });

  it('says pushes make the pipelines of a workshop, and restarts those of the sample', () => {
    expect(banner('0.0.0.0')).toContain('Every push makes a pipeline');
    expect(banner('0.0.0.0')).not.toContain('Restart for a new pipeline');
    expect(banner('0.0.0.0')).not.toContain('WebContainer runner');
    const sample = banner('127.0.0.1', { workshop: false });
    expect(sample).toContain('Restart for a new pipeline once this one is done');
    expect(sample).toContain('The node jobs need a WebContainer runner');
  });

  it('claims the same ports on a resume only when they are', () => {
    const same = { relayPort: 8787, emulatorPort: 9100 };
    expect(banner('0.0.0.0')).toContain('Saved in /tmp/state/state.json');
    expect(banner('0.0.0.0', { savedPorts: same })).toContain(': same ports and tokens.');

    const movedPage = banner('0.0.0.0', { savedPorts: { ...same, relayPort: 42875 } });
    expect(movedPage).not.toContain('same ports');
    expect(movedPage).toContain('the page moved from port 42875 to 8787');
    const movedEmulator = banner('0.0.0.0', { savedPorts: { ...same, emulatorPort: 34509 } });
    expect(movedEmulator).toContain('the emulator moved from port 34509 to 9100');
  });
});
