import { afterEach, describe, expect, it } from 'vitest';
import { parseCliArgs, startDemo, type Demo } from './cli.ts';

describe('emulator CLI', () => {
  let demo: Demo | undefined;
  afterEach(async () => {
    await demo?.emulator.close();
    demo = undefined;
  });

  it('parses --port and --host and rejects bad values', () => {
    expect(parseCliArgs([])).toEqual({ port: 8080, host: '127.0.0.1' });
    expect(parseCliArgs(['--port', '0', '--host', '0.0.0.0'])).toEqual({
      port: 0,
      host: '0.0.0.0',
    });
    expect(() => parseCliArgs(['--port', 'x'])).toThrow(/--port/);
    expect(() => parseCliArgs(['--bogus'])).toThrow();
  });

  it('starts with the sample project, a pending pipeline and two runners (tab and CLI)', async () => {
    demo = await startDemo({ port: 0, host: '127.0.0.1' });
    expect(demo.banner).toContain(demo.emulator.url);
    expect(demo.banner).toContain(`runner token:        ${demo.runnerToken}`);
    expect(demo.banner).toContain(`--token ${demo.shellRunnerToken}`);
    const shell = [...demo!.emulator.state.runners.values()].find(
      (r) => r.token === demo!.shellRunnerToken,
    );
    expect(shell?.tags).toEqual([]);
    const jobs = [...demo.emulator.state.jobs.values()];
    expect(jobs.map((j) => `${j.name}:${j.status}`).sort()).toEqual([
      'node-build:pending',
      'node-test:created',
      'shell-build:pending',
      'shell-test:created',
    ]);
    const page = await fetch(`${demo.emulator.url}/`);
    expect(await page.text()).toContain('shell-build');
  });
});
