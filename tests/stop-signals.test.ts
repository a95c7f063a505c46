import { afterEach, describe, expect, it, vi } from 'vitest';
import { exitOnStopSignals, REPEAT_WINDOW_MS, type StopSignal } from '../kernel/stop-signals.ts';

/** A process stand-in: records exit codes and what was said, and delivers signals. */
function fakeProcess() {
  const listeners = new Map<StopSignal, () => void>();
  const exits: number[] = [];
  const said: string[] = [];
  let now = 0;
  return {
    exits,
    said,
    target: {
      on: (signal: StopSignal, fn: () => void) => listeners.set(signal, fn),
      exit: (code: number) => exits.push(code),
    },
    now: () => now,
    /** delivers `signal` `afterMs` after the previous one */
    signal(signal: StopSignal, afterMs = 0) {
      now += afterMs;
      listeners.get(signal)?.();
    },
  };
}

const never = () => new Promise<void>(() => {});

describe('Ctrl-C and SIGTERM in the foreground', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('the first signal stops cleanly and exits 0 when the stop is done', async () => {
    const p = fakeProcess();
    let finish = () => {};
    const stopped = new Promise<void>((r) => {
      finish = r;
    });
    exitOnStopSignals({ stop: () => stopped, say: (l) => p.said.push(l), target: p.target, now: p.now });
    p.signal('SIGINT');
    expect(p.said).toEqual(['stopping (SIGINT); Ctrl-C again ends it at once']);
    expect(p.exits).toEqual([]);
    finish();
    await stopped;
    await Promise.resolve();
    expect(p.exits).toEqual([0]);
  });

  it('a second Ctrl-C while a stop hangs ends the process at once with 130; SIGTERM with 143', () => {
    for (const [second, code] of [
      ['SIGINT', 130],
      ['SIGTERM', 143],
    ] as const) {
      const p = fakeProcess();
      exitOnStopSignals({ stop: never, say: (l) => p.said.push(l), target: p.target, now: p.now });
      p.signal('SIGINT');
      p.signal(second, REPEAT_WINDOW_MS + 200);
      expect(p.exits).toEqual([code]);
      expect(p.said.at(-1)).toBe(`${second} again: ending at once, without a clean stop`);
    }
  });

  it("the same Ctrl-C twice within a moment is one (the terminal's and the one npm forwards)", () => {
    const p = fakeProcess();
    exitOnStopSignals({ stop: never, say: (l) => p.said.push(l), target: p.target, now: p.now });
    p.signal('SIGINT');
    p.signal('SIGINT', 5);
    expect(p.exits).toEqual([]);
    // another signal in that moment is a second request
    p.signal('SIGTERM', 5);
    expect(p.exits).toEqual([143]);
  });

  it('a stop that does not finish within its grace ends the process with 1 and says so', () => {
    vi.useFakeTimers();
    const p = fakeProcess();
    exitOnStopSignals({
      stop: never,
      say: (l) => p.said.push(l),
      graceMs: 4000,
      target: p.target,
      now: p.now,
    });
    p.signal('SIGTERM');
    vi.advanceTimersByTime(3999);
    expect(p.exits).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(p.exits).toEqual([1]);
    expect(p.said.at(-1)).toBe('not stopped within 4 s: ending anyway');
  });

  it('a stop that fails exits 1 with the reason', async () => {
    const p = fakeProcess();
    const failing = Promise.reject(new Error('store is locked'));
    failing.catch(() => {});
    exitOnStopSignals({ stop: () => failing, say: (l) => p.said.push(l), target: p.target, now: p.now });
    p.signal('SIGINT');
    await new Promise((r) => setTimeout(r, 0));
    expect(p.exits).toEqual([1]);
    expect(p.said.at(-1)).toBe('stop failed: store is locked');
  });
});
