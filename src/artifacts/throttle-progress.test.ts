import { describe, expect, it } from 'vitest';
import { throttleProgress } from './throttle-progress.ts';

interface Report {
  phase: string;
  loaded: number;
  done: boolean;
}

/** A clock the test moves by hand. */
function manualClock() {
  let now = 1_000_000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

function throttled(clock: { now(): number }) {
  const emitted: Report[] = [];
  const report = throttleProgress<Report>({
    clock,
    emit: (p) => emitted.push(p),
    key: (p) => p.phase,
    done: (p) => p.done,
  });
  return { emitted, report };
}

describe('throttleProgress', () => {
  it('passes one report per 100 ms of clock time, plus each phase’s first and last', () => {
    const clock = manualClock();
    const { emitted, report } = throttled(clock);
    // 1,000 reports 10 ms apart: 10 s of work.
    for (let i = 0; i < 1000; i++) {
      report({ phase: 'archiving', loaded: i, done: false });
      clock.advance(10);
    }
    report({ phase: 'archiving', loaded: 1000, done: true });
    expect(emitted[0]).toEqual({ phase: 'archiving', loaded: 0, done: false });
    expect(emitted.at(-1)).toEqual({ phase: 'archiving', loaded: 1000, done: true });
    // Every tenth report (100 ms apart) and the final one.
    expect(emitted).toHaveLength(101);
    expect(emitted.slice(1, -1).every((p) => p.loaded % 10 === 0)).toBe(true);
  });

  it('on a clock that does not move, passes only phase boundaries', () => {
    const { emitted, report } = throttled({ now: () => 0 });
    for (const phase of ['collecting', 'archiving', 'uploading']) {
      for (let i = 0; i < 50; i++) report({ phase, loaded: i, done: false });
      report({ phase, loaded: 50, done: true });
    }
    expect(emitted.map((p) => [p.phase, p.loaded, p.done])).toEqual([
      ['collecting', 0, false],
      ['collecting', 50, true],
      ['archiving', 0, false],
      ['archiving', 50, true],
      ['uploading', 0, false],
      ['uploading', 50, true],
    ]);
  });
});
