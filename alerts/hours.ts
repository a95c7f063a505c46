import type { HourRange } from './settings.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** Local time-of-day helpers for homes at a fixed UTC offset (minutes east). */
export class LocalHours {
  readonly #offsetMs: number;
  constructor(utcOffsetMinutes: number) {
    this.#offsetMs = utcOffsetMinutes * MIN;
  }

  /** Milliseconds since local midnight. */
  #msOfDay(at: number): number {
    return (((at + this.#offsetMs) % DAY) + DAY) % DAY;
  }

  /** Whether `at` falls inside the range (which may wrap past midnight). */
  inRange(at: number, r: HourRange): boolean {
    const h = this.#msOfDay(at) / HOUR;
    return r.startHour <= r.endHour ? h >= r.startHour && h < r.endHour : h >= r.startHour || h < r.endHour;
  }

  /** `at` itself when inside the range, else the next time the range begins. */
  nextInRange(at: number, r: HourRange): number {
    if (this.inRange(at, r)) return at;
    const startOfDay = at - this.#msOfDay(at);
    let start = startOfDay + r.startHour * HOUR;
    if (start <= at) start += DAY;
    return start;
  }

  /** Epoch ms of the local midnight that starts the day of `at`. */
  startOfDay(at: number): number {
    return at - this.#msOfDay(at);
  }

  /** "06:12" in local time. */
  clock(at: number): string {
    const m = Math.floor(this.#msOfDay(at) / MIN);
    return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
  }
}

/** "45 min", "2 h", "2 h 30 min". */
export function duration(ms: number): { zh: string; en: string } {
  const totalMin = Math.round(ms / MIN);
  const h = Math.floor(totalMin / 60);
  const m = totalMin % 60;
  if (h === 0) return { zh: `${m}分钟`, en: `${m} min` };
  if (m === 0) return { zh: `${h}小时`, en: `${h} h` };
  return { zh: `${h}小时${m}分钟`, en: `${h} h ${m} min` };
}
