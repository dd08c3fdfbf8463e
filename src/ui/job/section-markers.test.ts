import { describe, expect, it } from 'vitest';
import { commandEcho, sectionEnd, sectionStart } from '../../job/index.ts';
import { SectionMarkerFilter } from './section-markers.ts';

const T = 1_796_360_507;

/** What the filter shows for `text` cut into `chunks` at every `step` characters. */
function shown(text: string, step: number): string {
  const filter = new SectionMarkerFilter();
  let out = '';
  for (let i = 0; i < text.length; i += step) out += filter.push(text.slice(i, i + step));
  return out + filter.flush();
}

const TRACE =
  sectionStart('prepare_executor', T, { collapsed: true }) +
  'Preparing the "shell" executor\n' +
  sectionEnd('prepare_executor', T) +
  '\n' +
  sectionStart('step_script', T) +
  commandEcho('echo one\necho two', { sections: true, index: 0, unixSeconds: T }) +
  'one\ntwo\n' +
  // As a script prints its own section (GitLab's documented `echo -e` form).
  `\x1b[0K${sectionStart('my_section', T, { hideDuration: true })}Header\n` +
  sectionEnd('step_script', T) +
  '\nsections are fine to mention: section_start is a word\n';

describe('SectionMarkerFilter', () => {
  it('removes every runner and script marker, however the log is cut into chunks', () => {
    const expected = TRACE.replace(/section_(start|end):\d+:[\w.-]+(\[[^\]]*\])?\r\x1b\[0K/g, '');
    expect(expected).not.toMatch(/section_(start|end):\d/);
    for (const step of [1, 2, 3, 7, 13, 64, TRACE.length]) {
      expect(shown(TRACE, step), `chunks of ${step}`).toBe(expected);
    }
  });

  it('passes text through at once when it cannot become a marker', () => {
    const filter = new SectionMarkerFilter();
    expect(filter.push('tick 1\nprogress: s')).toBe('tick 1\nprogress: s');
    expect(filter.push('\nsection_x')).toBe('\nsection_x');
    expect(filter.push('\nsection_end:12:a b')).toBe('\nsection_end:12:a b');
  });

  it('holds back a possible marker at a line start until the next chunk decides', () => {
    const filter = new SectionMarkerFilter();
    expect(filter.push('done\nsection_end:1')).toBe('done\n');
    expect(filter.push('2:step\r')).toBe('');
    expect(filter.push('\x1b[0Knext')).toBe('next');
    expect(filter.push('\nsec')).toBe('\n');
    expect(filter.push('ret\n')).toBe('secret\n');
  });
});
