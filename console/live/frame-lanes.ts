/**
 * A console's outgoing frames in two lanes. Incident and alarm frames go `urgent`: ahead of every
 * queued telemetry-like frame (activity, presence, quarantine, time), so a dispatcher behind a slow
 * link sees a new SOS before the backlog of routine frames. At most `maxInFlight` frames are handed to
 * the socket at once (each until the socket has written it), which bounds how many frames an urgent
 * one can be behind.
 */
export type FrameLane = 'urgent' | 'normal';

export interface FrameSink {
  /** Writes one frame; calls `written` once the socket has taken it (or failed). */
  write(frame: string, written: () => void): void;
}

export class FrameLanes {
  readonly #sink: FrameSink;
  readonly #maxInFlight: number;
  readonly #urgent: string[] = [];
  readonly #normal: string[] = [];
  #inFlight = 0;
  /** bytes queued here (not yet handed to the socket) */
  queuedBytes = 0;

  constructor(sink: FrameSink, maxInFlight = 4) {
    this.#sink = sink;
    this.#maxInFlight = maxInFlight;
  }

  push(frame: string, lane: FrameLane): void {
    (lane === 'urgent' ? this.#urgent : this.#normal).push(frame);
    this.queuedBytes += frame.length;
    this.#pump();
  }

  get queued(): number {
    return this.#urgent.length + this.#normal.length;
  }

  #pump(): void {
    while (this.#inFlight < this.#maxInFlight) {
      const frame = this.#urgent.shift() ?? this.#normal.shift();
      if (frame === undefined) return;
      this.queuedBytes -= frame.length;
      this.#inFlight++;
      this.#sink.write(frame, () => {
        this.#inFlight--;
        this.#pump();
      });
    }
  }
}
