import { describe, expect, it } from 'vitest';
import { LineDriver } from './line-driver.ts';
import { fakeJsh, type FakeJshOptions } from './testing/fake-webcontainer.ts';
import { osc, PROMPT_TEXT } from './testing/jsh-transcript.ts';
import { ManualClock } from './testing/manual-clock.ts';

const READY_MS = 1_000;
const INTERRUPT_MS = 10;
const KILL_MS = 20;

async function start(options: FakeJshOptions = {}, clock = new ManualClock()) {
  const process = fakeJsh(options);
  const driver = await LineDriver.start(process, {
    clock,
    readyTimeoutMs: READY_MS,
    interruptGraceMs: INTERRUPT_MS,
    killGraceMs: KILL_MS,
  });
  return { process, driver, clock };
}

async function run(driver: LineDriver, line: string, signal = new AbortController().signal) {
  let output = '';
  const code = await driver.run(line, (text) => (output += text), signal);
  return { code, output };
}

describe('LineDriver', () => {
  it('streams a line output without echo, prompt or markers, and resolves with exit 0', async () => {
    const { driver, process } = await start();
    expect(await run(driver, 'echo hello')).toEqual({ code: 0, output: 'hello\n' });
    expect(process.typed).toEqual(['echo hello\n']);
  });

  it('resolves with the code of the exit marker', async () => {
    const { driver } = await start();
    expect((await run(driver, 'node -e "process.exit(3)"')).code).toBe(3);
    expect(await run(driver, 'gcc')).toEqual({
      code: 127,
      output: 'jsh: command not found: gcc\n',
    });
    expect((await run(driver, 'false')).code).toBe(1);
  });

  it('ignores the stale exit marker jsh prints at start-up', async () => {
    const startup = `${osc('interactive')}${osc('exit=0:9')}${PROMPT_TEXT}${osc('prompt')}`;
    const { driver } = await start({ startup });
    expect(await run(driver, 'echo first')).toEqual({ code: 0, output: 'first\n' });
  });

  it('keeps cd and export between lines, as one shell does', async () => {
    const { driver } = await start();
    await run(driver, 'cd sub');
    await run(driver, 'export GREETING=hi');
    expect((await run(driver, 'pwd')).output).toBe('/home/tabrunner/sub\n');
    expect((await run(driver, 'echo $GREETING')).output).toBe('hi\n');
  });

  it('gives the same output and codes whatever size the pty chunks are', async () => {
    const handle: FakeJshOptions['handle'] = (line) =>
      line === 'build'
        ? { kind: 'finish', output: '\x1b[32mok\x1b[0m\nstep 1\r50%\r100%\ndone\n', code: 4 }
        : undefined;
    for (let chunkSize = 1; chunkSize <= 64; chunkSize++) {
      const { driver } = await start({ handle, chunkSize });
      expect(await run(driver, 'build')).toEqual({
        code: 4,
        output: '\x1b[32mok\x1b[0m\nstep 1\r50%\r100%\ndone\n',
      });
      expect(await run(driver, 'echo after')).toEqual({ code: 0, output: 'after\n' });
    }
  });

  it('turns the pty CRLF into LF and keeps a lone CR', async () => {
    const handle: FakeJshOptions['handle'] = () => ({
      kind: 'finish',
      output: 'a\r\nb\rc\n',
      code: 0,
    });
    const { driver } = await start({ handle });
    expect((await run(driver, 'x')).output).toBe('a\nb\rc\n');
  });

  it('drops the whole echo of a line that holds a quoted line break', async () => {
    const handle: FakeJshOptions['handle'] = () => ({ kind: 'finish', output: 'out\n', code: 0 });
    const { driver } = await start({ handle });
    expect((await run(driver, "export A='x\ny'")).output).toBe('out\n');
  });

  it('starts output at a pid marker when the pty does not echo', async () => {
    const { driver } = await start({ echo: false, pidMarker: true });
    expect(await run(driver, 'echo quiet')).toEqual({ code: 0, output: 'quiet\n' });
  });

  it('keeps output order across lines started without waiting', async () => {
    const { driver } = await start();
    const seen: string[] = [];
    const signal = new AbortController().signal;
    const codes = await Promise.all(
      ['echo 1', 'false', 'echo 3'].map((line) => driver.run(line, (t) => seen.push(t), signal)),
    );
    expect(codes).toEqual([0, 1, 0]);
    expect(seen.join('')).toBe('1\n3\n');
  });

  it('rejects before typing anything when the signal is already aborted', async () => {
    const { driver, process } = await start();
    const controller = new AbortController();
    controller.abort();
    await expect(run(driver, 'echo no', controller.signal)).rejects.toMatchObject({
      code: 'AbortError',
      data: { stage: 'before-start' },
    });
    expect(process.typed).toEqual([]);
  });

  it('cancels a running line with Ctrl-C and keeps the session usable', async () => {
    const handle: FakeJshOptions['handle'] = (line) =>
      line === 'npm test' ? { kind: 'hang', ctrlC: 'interrupts', kill: 'exits' } : undefined;
    const { driver, process } = await start({ handle });
    const controller = new AbortController();
    const pending = run(driver, 'npm test', controller.signal);
    await process.waitForInput('npm test\n');
    controller.abort('job cancelled');
    await expect(pending).rejects.toMatchObject({
      code: 'AbortError',
      data: { stage: 'interrupted' },
      cause: 'job cancelled',
    });
    expect(process.typed).toContain('\x03');
    expect(process.kills).toBe(0);
    expect(await run(driver, 'echo again')).toEqual({ code: 0, output: 'again\n' });
  });

  it('kills the shell when Ctrl-C does not stop the line', async () => {
    const handle: FakeJshOptions['handle'] = () => ({
      kind: 'hang',
      ctrlC: 'ignored',
      kill: 'exits',
    });
    const { driver, process, clock } = await start({ handle });
    const controller = new AbortController();
    const pending = run(driver, 'node server.js', controller.signal);
    await process.waitForInput('node server.js\n');
    controller.abort();
    await clock.elapse(INTERRUPT_MS);
    await expect(pending).rejects.toMatchObject({ code: 'AbortError', data: { stage: 'killed' } });
    expect(process.kills).toBe(1);
    expect(driver.alive).toBe(false);
    await expect(run(driver, 'echo dead')).rejects.toMatchObject({
      code: 'WebContainerShellExited',
    });
  });

  it('reports stuck when a line never returns and neither Ctrl-C nor kill stop it', async () => {
    const handle: FakeJshOptions['handle'] = () => ({
      kind: 'hang',
      ctrlC: 'ignored',
      kill: 'ignored',
    });
    const { driver, process, clock } = await start({ handle });
    const controller = new AbortController();
    const pending = run(driver, 'node -e "for(;;){}"', controller.signal);
    await process.waitForInput('node -e "for(;;){}"\n');
    controller.abort();
    await clock.elapse(INTERRUPT_MS);
    await clock.elapse(KILL_MS);
    await expect(pending).rejects.toMatchObject({ code: 'AbortError', data: { stage: 'stuck' } });
    expect(process.kills).toBe(1);
    expect(driver.alive).toBe(false);
  });

  it('rejects the running line when the shell exits under it', async () => {
    const handle: FakeJshOptions['handle'] = () => ({
      kind: 'hang',
      ctrlC: 'ignored',
      kill: 'exits',
    });
    const { driver, process } = await start({ handle });
    const pending = run(driver, 'node crash.js');
    await process.waitForInput('node crash.js\n');
    process.end(1);
    await expect(pending).rejects.toMatchObject({
      code: 'WebContainerShellExited',
      data: { exitCode: 1 },
    });
  });

  it('fails to start when jsh never shows a prompt', async () => {
    const clock = new ManualClock();
    const process = fakeJsh({ startup: osc('interactive') });
    const starting = LineDriver.start(process, { clock, readyTimeoutMs: READY_MS });
    await clock.elapse(READY_MS);
    await expect(starting).rejects.toMatchObject({ code: 'WebContainerShellNotReady' });
    expect(process.kills).toBe(1);
  });
});
