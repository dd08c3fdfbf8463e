/**
 * The timer Worker behind `createWorkerClock`: it only sets and clears timeouts and answers
 * when they fire. Dedicated Workers' timers are not subject to the throttling browsers apply
 * to a hidden page's own timers (Chrome aligns those to 1 s, then to 1 min), so the poll loop
 * keeps its pace in a background tab.
 */
import type { TimerReply, TimerRequest } from './timer-protocol.ts';

interface TimerScope {
  postMessage(message: TimerReply): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<TimerRequest>) => void): void;
}

const scope = self as unknown as TimerScope;
const timers = new Map<number, ReturnType<typeof setTimeout>>();

scope.addEventListener('message', ({ data }) => {
  if (data.type === 'set') {
    timers.set(
      data.id,
      setTimeout(() => {
        timers.delete(data.id);
        scope.postMessage({ id: data.id });
      }, data.ms),
    );
  } else {
    clearTimeout(timers.get(data.id));
    timers.delete(data.id);
  }
});
