import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../index.ts';
import { insertSimpleJob, sendJson } from '../test-support/index.ts';
import { TestClock } from '../test-support/test-clock.ts';

let emulator: Emulator;
let clock: TestClock;

beforeEach(async () => {
  clock = new TestClock();
  emulator = await startEmulator({ longPollSeconds: 0 }, { clock });
});
afterEach(() => emulator.close());

const ask = (token: string, systemId: string, executor?: string) =>
  sendJson(`${emulator.url}/api/v4/jobs/request`, 'POST', {
    token,
    system_id: systemId,
    info: {
      name: 'tabrunner',
      version: '0.9.0',
      platform: 'browser',
      ...(executor === undefined ? {} : { executor }),
      features: {},
    },
  });

describe('the runners view', () => {
  it('lists each tab of each runner with what it sent, its current job and how many it ran', async () => {
    const runner = emulator.createRunner({ description: 'Alice <laptop>' });
    const idle = emulator.createRunner({ description: 'never connected' });
    const job = insertSimpleJob(emulator.state, { name: 'unit' });
    expect((await ask(runner.token, 's_alicetab0001', 'shell')).status).toBe(201);
    clock.advance(12_000);
    expect((await ask(runner.token, 's_alicetab0002', 'webcontainer')).status).toBe(204);

    const res = await fetch(`${emulator.url}/-/runners`);
    expect(res.status).toBe(200);
    const html = await res.text();
    const row = (systemId: string) => html.slice(html.indexOf(systemId)).split('</tr>')[0] ?? '';
    expect(html).toContain('Alice &lt;laptop&gt;');
    expect(row('s_alicetab0001')).toContain('<td>shell</td>');
    expect(row('s_alicetab0001')).toContain('0.9.0 · browser');
    expect(row('s_alicetab0001')).toContain('12 s ago');
    expect(row('s_alicetab0001')).toContain(`<a href="/-/jobs/${job.id}">unit</a>`);
    expect(row('s_alicetab0001')).toMatch(/<td>1<\/td>$/);
    expect(row('s_alicetab0002')).toContain('<td>webcontainer</td>');
    expect(row('s_alicetab0002')).toContain('0 s ago');
    expect(row('s_alicetab0002')).toMatch(/online.*active/);
    expect(row('s_alicetab0002')).toMatch(/<td>0<\/td>$/);
    expect(html).toContain(`#${idle.id}</b> never connected`);
    expect(html).toContain('Never contacted.');
    expect(html).not.toContain(runner.token);
    expect(html).not.toContain(job.token);

    clock.advance(2 * 60 * 60 * 1000 + 1);
    const later = await (await fetch(`${emulator.url}/-/runners`)).text();
    expect(later.slice(later.indexOf('s_alicetab0002')).split('</tr>')[0]).toContain('offline');
  });

  it('says the executor was not reported when a runner sent none, as GitLab shows none', async () => {
    const runner = emulator.createRunner({ description: 'quiet' });
    expect((await ask(runner.token, 's_quiettab0001')).status).toBe(204);
    const html = await (await fetch(`${emulator.url}/-/runners`)).text();
    const row = html.slice(html.indexOf('s_quiettab0001')).split('</tr>')[0] ?? '';
    expect(row).toContain('<td class="muted">not reported</td>');
    expect(row).not.toContain('?');
  });
});
