import { describe, expect, it } from 'vitest';
import { traceToHtml } from './trace-html.ts';

const E = '\x1b';

describe('traceToHtml', () => {
  it('escapes HTML in the log', () => {
    const html = traceToHtml('<script>alert("x")</script> & more\n');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more');
    expect(html).not.toContain('<script>');
  });

  it('renders ANSI colours and styles as classes and drops other control sequences', () => {
    const html = traceToHtml(
      `${E}[32;1m$ npm test${E}[0;m\n${E}[0K${E}[31;1mERROR: Job failed${E}[0;m\n`,
    );
    expect(html).toContain('<span class="fg-green bold">$ npm test</span>');
    expect(html).toContain('<span class="fg-red bold">ERROR: Job failed</span>');
    expect(html).not.toContain(E);
  });

  it('turns sections into details, folded when collapsed=true, with their duration', () => {
    const trace =
      `section_start:1700000000:prepare_script[collapsed=true]\r${E}[0K${E}[36;1mPreparing environment${E}[0;m\n` +
      'Running on host\n' +
      `section_end:1700000065:prepare_script\r${E}[0K\n` +
      `section_start:1700000065:step_script\r${E}[0K${E}[36;1mExecuting "step_script"${E}[0;m\n` +
      'hello\n' +
      `section_end:1700000066:step_script\r${E}[0K\n` +
      'Job succeeded\n';
    const html = traceToHtml(trace);
    expect(html).toContain('<details class="section" data-section="prepare_script">');
    expect(html).toContain('<details class="section" open data-section="step_script">');
    expect(html).toContain('<span class="duration">01:05</span>');
    expect(html).toContain('<span class="duration">00:01</span>');
    expect(html).toMatch(
      /<summary>.*Preparing environment.*<\/summary>.*Running on host.*<\/details>/s,
    );
    expect(html.indexOf('Job succeeded')).toBeGreaterThan(html.lastIndexOf('</details>'));
    expect(html).not.toContain('section_start');
  });

  it('hides the duration when hide_duration=true', () => {
    const html = traceToHtml(
      `section_start:10:section_script_step_0[hide_duration=true,collapsed=true]\r${E}[0K$ echo\nsection_end:12:section_script_step_0\r${E}[0K\n`,
    );
    expect(html).toContain('<span class="duration"></span>');
  });

  it('moves docs/runner-protocol.md §9.6 timestamp prefixes into a time column and joins continuations', () => {
    const trace =
      `2024-06-10T08:00:01.123456Z 00O section_start:1718006401:get_sources\r${E}[0K\n` +
      `2024-06-10T08:00:01.123500Z 00O+${E}[0K${E}[36;1mGetting source${E}[0;m\n` +
      '2024-06-10T08:00:02.000000Z 01O hello\n' +
      `2024-06-10T08:00:03.000000Z 00O section_end:1718006403:get_sources\r${E}[0K\n`;
    const html = traceToHtml(trace);
    expect(html).toContain('<span class="ts">08:00:01</span>');
    expect(html).toContain('<span class="ts">08:00:02</span><span class="text">hello</span>');
    expect(html).toMatch(/<summary>.*Getting source.*<\/summary>/s);
    expect(html).not.toContain('00O');
    expect(html).toContain('<span class="duration">00:02</span>');
  });

  it('keeps only what a terminal shows after carriage returns', () => {
    expect(traceToHtml('10%\r50%\r100%\n')).toContain('<span class="text">100%</span>');
  });
});
