import { describe, expect, it } from 'vitest';
import { commandEcho, sectionEnd, sectionStart } from './sections.ts';
import { headerLines, jobSucceeded, notice, println, stageHeader } from './log-printer.ts';

const show = (s: string) => s.replaceAll('\x1b', 'ESC').replaceAll('\r', '\\r');

describe('section markers (docs/runner-protocol.md §9.3)', () => {
  it('writes a stage as in the docs/runner-protocol.md §9.9 example', () => {
    const text =
      sectionStart('prepare_executor', 1718000000) +
      stageHeader('Preparing the "shell" executor') +
      sectionEnd('prepare_executor', 1718000000);
    expect(show(text)).toBe(
      'section_start:1718000000:prepare_executor\\rESC[0KESC[0KESC[36;1mPreparing the "shell" executorESC[0;mESC[0;m\n' +
        'section_end:1718000000:prepare_executor\\rESC[0K',
    );
  });

  it('writes options in brackets', () => {
    expect(show(sectionStart('get_sources', 1, { collapsed: true }))).toBe(
      'section_start:1:get_sources[collapsed=true]\\rESC[0K',
    );
    expect(show(sectionStart('x', 1.9, { collapsed: true, hideDuration: true }))).toBe(
      'section_start:1:x[hide_duration=true,collapsed=true]\\rESC[0K',
    );
  });

  it('refuses names GitLab would not parse', () => {
    expect(() => sectionStart('bad name', 1)).toThrow(RangeError);
    expect(() => sectionEnd('a:b', 1)).toThrow(RangeError);
  });
});

describe('commandEcho (docs/runner-protocol.md §9.5)', () => {
  const opts = { sections: true, index: 0, unixSeconds: 1718000003 };

  it('echoes a single-line command in bold green, trimmed', () => {
    expect(show(commandEcho('  echo hello  ', opts))).toBe('ESC[32;1m$ echo helloESC[0;m\n');
  });

  it('writes an empty line for an empty command', () => {
    expect(commandEcho('   ', opts)).toBe('\n');
  });

  it('folds a multi-line command into its own section when sections are on', () => {
    expect(show(commandEcho('echo a\necho b\n', { ...opts, index: 2 }))).toBe(
      'section_start:1718000003:section_script_step_2[hide_duration=true,collapsed=true]\\rESC[0K' +
        'ESC[32;1m$ echo a\necho bESC[0;m\n' +
        'section_end:1718000003:section_script_step_2\\rESC[0K\n',
    );
  });

  it('uses the after_script prefix there', () => {
    expect(commandEcho('a\nb', { ...opts, prefix: 'after_script_step' })).toContain(
      'section_start:1718000003:section_after_script_step_0[',
    );
  });

  it('shows only the first line when sections are off', () => {
    expect(show(commandEcho('echo a\necho b', { ...opts, sections: false }))).toBe(
      'ESC[32;1m$ echo a # collapsed multi-line commandESC[0;m\n',
    );
  });
});

describe('the docs/runner-protocol.md §9.9 annotated example', () => {
  it('is reproduced byte for byte by the printers (tabrunner in the header)', () => {
    const stage = (name: string, start: number, header: string) =>
      sectionStart(name, start) + stageHeader(header);
    const trace =
      headerLines({
        version: '19.4.0',
        revision: 'abcd1234',
        runnerName: 'browser-runner',
        shortToken: 'AbCdEf123',
        systemId: 'r_Ab12Cd34Ef56',
      }) +
      stage('prepare_executor', 1718000000, 'Preparing the "shell" executor') +
      println('Using Shell (bash) executor...') +
      sectionEnd('prepare_executor', 1718000000) +
      stage('prepare_script', 1718000000, 'Preparing environment') +
      'Running on myhost...\n' +
      sectionEnd('prepare_script', 1718000001) +
      stage('get_sources', 1718000001, 'Getting source from Git repository') +
      notice('Fetching changes with git depth set to 20...') +
      'Initialized empty Git repository in /builds/group/project/.git/\n' +
      notice('Created fresh repository.') +
      notice('Checking out 69b18e5e as detached HEAD (ref is main)...') +
      notice('Skipping Git submodules setup') +
      sectionEnd('get_sources', 1718000003) +
      stage('step_script', 1718000003, 'Executing "step_script" stage of the job script') +
      commandEcho('echo hello', { sections: true, index: 0, unixSeconds: 1718000003 }) +
      'hello\n' +
      sectionEnd('step_script', 1718000003) +
      stage(
        'cleanup_file_variables',
        1718000003,
        'Cleaning up project directory and file based variables',
      ) +
      sectionEnd('cleanup_file_variables', 1718000004) +
      jobSucceeded();

    // docs/runner-protocol.md §9.9 with "gitlab-runner" → "tabrunner"; ESC, \r and \n written out as there.
    const expected = [
      'ESC[0KRunning with tabrunner 19.4.0 (abcd1234)ESC[0;m\\n',
      'ESC[0K  on browser-runner AbCdEf123, system ID: r_Ab12Cd34Ef56ESC[0;m\\n',
      'section_start:1718000000:prepare_executor\\rESC[0KESC[0KESC[36;1mPreparing the "shell" executorESC[0;mESC[0;m\\n',
      'ESC[0KUsing Shell (bash) executor...ESC[0;m\\n',
      'section_end:1718000000:prepare_executor\\rESC[0Ksection_start:1718000000:prepare_script\\rESC[0KESC[0KESC[36;1mPreparing environmentESC[0;mESC[0;m\\n',
      'Running on myhost...\\n',
      'section_end:1718000001:prepare_script\\rESC[0Ksection_start:1718000001:get_sources\\rESC[0KESC[0KESC[36;1mGetting source from Git repositoryESC[0;mESC[0;m\\n',
      'ESC[32;1mFetching changes with git depth set to 20...ESC[0;m\\n',
      'Initialized empty Git repository in /builds/group/project/.git/\\n',
      'ESC[32;1mCreated fresh repository.ESC[0;m\\n',
      'ESC[32;1mChecking out 69b18e5e as detached HEAD (ref is main)...ESC[0;m\\n',
      'ESC[32;1mSkipping Git submodules setupESC[0;m\\n',
      'section_end:1718000003:get_sources\\rESC[0Ksection_start:1718000003:step_script\\rESC[0KESC[0KESC[36;1mExecuting "step_script" stage of the job scriptESC[0;mESC[0;m\\n',
      'ESC[32;1m$ echo helloESC[0;m\\n',
      'hello\\n',
      'section_end:1718000003:step_script\\rESC[0Ksection_start:1718000003:cleanup_file_variables\\rESC[0KESC[0KESC[36;1mCleaning up project directory and file based variablesESC[0;mESC[0;m\\n',
      'section_end:1718000004:cleanup_file_variables\\rESC[0KESC[32;1mJob succeededESC[0;m\\n',
    ].join('');
    expect(show(trace).replaceAll('\n', '\\n')).toBe(expected);
  });
});
