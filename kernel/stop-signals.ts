/**
 * Ctrl-C and SIGTERM for a program run in the foreground (`npm start`, `npm run demo`): the first signal
 * starts a clean stop and the process exits 0 when it is done; a second signal ends the process at once,
 * with the exit code a shell gives a process its signal killed (130 for SIGINT, 143 for SIGTERM).
 */

export type StopSignal = 'SIGINT' | 'SIGTERM';
export const STOP_SIGNALS: readonly StopSignal[] = ['SIGINT', 'SIGTERM'];

/** 128 + the signal's number, as a shell reports a process ended by that signal. */
export const SIGNAL_EXIT_CODE: Readonly<Record<StopSignal, number>> = { SIGINT: 130, SIGTERM: 143 };

/**
 * ms within which a repeat of the first signal is the same request, not a second one: a terminal's
 * Ctrl-C reaches every process of the foreground group, and npm also forwards the SIGINT it got to the
 * script it runs (@npmcli/run-script's signal manager), so `npm start` sees one Ctrl-C twice, a few ms
 * apart. A person pressing Ctrl-C again takes longer than this.
 */
export const REPEAT_WINDOW_MS = 500;

/** The part of `process` this needs (tests pass a stand-in). */
export interface SignalTarget {
  on(signal: StopSignal, listener: () => void): unknown;
  exit(code: number): void;
}

export interface StopSignalOptions {
  /** the clean stop; the process exits 0 once it resolves, 1 if it rejects */
  stop(): Promise<void>;
  /** a line for the person at the terminal */
  say(line: string): void;
  /** ms the clean stop may take before the process ends anyway (exit 1); omitted: no bound */
  graceMs?: number;
  target?: SignalTarget;
  now?: () => number;
}

/** Installs the handlers; call once, before the program starts anything a stop must undo. */
export function exitOnStopSignals(o: StopSignalOptions): void {
  const target = o.target ?? process;
  const now = o.now ?? Date.now;
  let first: { signal: StopSignal; at: number } | null = null;
  const handle = (signal: StopSignal) => {
    if (first) {
      if (signal === first.signal && now() - first.at < REPEAT_WINDOW_MS) return;
      o.say(`${signal} again: ending at once, without a clean stop`);
      target.exit(SIGNAL_EXIT_CODE[signal]);
      return;
    }
    first = { signal, at: now() };
    o.say(`stopping (${signal}); ${signal === 'SIGINT' ? 'Ctrl-C' : 'a signal'} again ends it at once`);
    const grace = o.graceMs;
    const deadline =
      grace === undefined
        ? undefined
        : setTimeout(() => {
            o.say(`not stopped within ${grace / 1000} s: ending anyway`);
            target.exit(1);
          }, grace);
    o.stop().then(
      () => {
        clearTimeout(deadline);
        target.exit(0);
      },
      (err: unknown) => {
        clearTimeout(deadline);
        o.say(`stop failed: ${err instanceof Error ? err.message : String(err)}`);
        target.exit(1);
      },
    );
  };
  for (const signal of STOP_SIGNALS) target.on(signal, () => handle(signal));
}
