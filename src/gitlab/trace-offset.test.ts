import { describe, expect, it } from 'vitest';
import { TraceOffset } from './trace-offset.ts';

describe('TraceOffset', () => {
  it('starts at byte 0 and follows 202s', () => {
    const offset = new TraceOffset(3);
    expect(offset.nextStart(10)).toBe(0);
    expect(offset.accepted(10, 10)).toBe(true);
    expect(offset.known).toBe(10);
    expect(offset.nextStart(10)).toBeNull();
    expect(offset.isComplete(10)).toBe(true);
  });

  it('keeps an in-doubt end as a candidate and rules candidates out on 416s without Range', () => {
    const offset = new TraceOffset(3);
    offset.inDoubt(10);
    expect(offset.known).toBeNull();
    expect(offset.nextStart(15)).toBe(0);
    // The PATCH at 0 had been applied: a 416 without Range rules 0 out.
    expect(offset.mismatch(0, null, 15)).toBe('resolved');
    expect(offset.known).toBe(10);
    expect(offset.nextStart(15)).toBe(10);
  });

  it('adopts the server length from Range', () => {
    const offset = new TraceOffset(3);
    offset.inDoubt(4);
    expect(offset.mismatch(0, 7, 20)).toBe('resolved');
    expect(offset.known).toBe(7);
  });

  it('pauses on contradictions and loses the offset after too many', () => {
    const offset = new TraceOffset(2);
    expect(offset.mismatch(0, null, 5)).toBe('retry-later');
    expect(offset.lost).toBeNull();
    expect(offset.mismatch(0, null, 5)).toBe('lost');
    expect(offset.lost).toMatch(/rejected the trace offset 0 2 times without saying its own/);
    expect(offset.nextStart(5)).toBeNull();
    expect(offset.isComplete(0)).toBe(false);
  });

  it('loses the offset when GitLab claims more than the job produced, keeping the first reason', () => {
    const offset = new TraceOffset(5);
    expect(offset.accepted(12, 10)).toBe(false);
    expect(offset.mismatch(0, 99, 10)).toBe('lost');
    expect(offset.lost).toMatch(
      /^GitLab acknowledged 12 bytes of trace but the job produced only 10; /,
    );
  });

  it('starts again from byte 0 after GitLab dropped the trace', () => {
    const offset = new TraceOffset(1);
    offset.mismatch(0, null, 5);
    expect(offset.lost).not.toBeNull();
    offset.restart();
    expect(offset.lost).toBeNull();
    expect(offset.nextStart(5)).toBe(0);
  });
});
