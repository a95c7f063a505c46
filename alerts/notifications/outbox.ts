import type { Clock, TimerHandle } from '../../kernel/clock.ts';
import type { Logger } from '../../kernel/logger.ts';
import type { DeliveryStore } from '../store/types.ts';
import { retryDelay } from './backoff.ts';
import type { Notification, OutboxChannel } from './types.ts';

export interface OutboxDeps {
  deliveries: DeliveryStore;
  clock: Clock;
  log: Logger;
  /** jitter source of the retries, [0, 1) */
  random: () => number;
}

export interface Outbox {
  /**
   * Writes the deliveries a notification needs as pending rows (`notification_deliveries`). Called by
   * a bus participant, so inside the transaction that changed the incident: the rows commit with it.
   */
  write(n: Notification): Promise<void>;
  /**
   * Attempts every pending delivery that is due and not already running: after a commit. Never rejects;
   * kicks do not overlap (one asked for while another reads the pending rows runs once it is done).
   */
  kick(): Promise<void>;
  /** Resumes what a previous run left pending (at its time, or at once when that passed). */
  start(): Promise<void>;
  /** Stops timers and aborts attempts in flight; what is pending stays pending. */
  stop(): Promise<void>;
}

/**
 * The notifications' outbox: effects that must happen exactly once (webhooks, device commands) are rows
 * written in the incident's own transaction and delivered only after it commits, each attempt recorded,
 * retried with backoff on the hub clock (the channel's policy) until delivered or given up. A crash
 * between commit and delivery loses nothing (the row is pending, resumed on start) and never sends
 * anything about an incident that was rolled back (its row was rolled back with it). A crash after a
 * receiver got a delivery but before it was marked delivered repeats it: receivers tell the repeat by
 * the delivery id (signing.ts DELIVERY_HEADER).
 */
export function createOutbox(channels: readonly OutboxChannel[], deps: OutboxDeps): Outbox {
  const { deliveries, clock, log, random } = deps;
  const byName = new Map(channels.map((c) => [c.channel, c]));
  /** deliveries running or scheduled now, by id, so a kick never starts one twice */
  const active = new Set<number>();
  const timers = new Map<number, TimerHandle>();
  const inFlight = new Set<Promise<void>>();
  const controllers = new Set<AbortController>();
  let stopped = true;

  async function attempt(channel: OutboxChannel, id: number, target: string, body: string, no: number) {
    const controller = new AbortController();
    controllers.add(controller);
    try {
      const outcome = await channel.attempt({ id, target, body, attempt: no }, controller.signal);
      if (outcome.ok) {
        await deliveries.delivered(id, no, clock.now());
        return;
      }
      if (stopped) return; // aborted by stop: stays pending, resumed on the next start
      const delay = outcome.retry ? retryDelay(channel.policy, no, random) : null;
      // The retry is armed before the row is written, so whoever reads the row finds it armed. Should it
      // fall due before the write lands (the store busy longer than the backoff), its own outcome is
      // still written after this one: the store serves waiting callers in order, and that outcome needs
      // an attempt over the network first.
      if (delay !== null) schedule(channel, id, target, body, no + 1, delay);
      await deliveries.attemptFailed(id, no, outcome.error, delay === null ? null : clock.now() + delay);
      if (delay === null) {
        log.warn(
          { deliveryId: id, channel: channel.channel, target, attempts: no, error: outcome.error },
          'delivery given up',
        );
      }
    } finally {
      controllers.delete(controller);
    }
  }

  function run(channel: OutboxChannel, id: number, target: string, body: string, no: number): void {
    if (stopped) return;
    active.add(id);
    const p = attempt(channel, id, target, body, no)
      .catch((err: unknown) => log.error({ err, deliveryId: id }, 'delivery attempt failed unexpectedly'))
      .finally(() => {
        inFlight.delete(p);
        if (!timers.has(id)) active.delete(id);
      });
    inFlight.add(p);
  }

  function schedule(
    channel: OutboxChannel,
    id: number,
    target: string,
    body: string,
    no: number,
    delayMs: number,
  ) {
    if (stopped) return;
    active.add(id);
    const handle = clock.setTimeout(() => {
      timers.delete(id);
      run(channel, id, target, body, no);
    }, delayMs);
    timers.set(id, handle);
  }

  /**
   * Pending rows of the configured channels, not running; those of a target no longer configured are
   * given up. The caller starts them before it awaits anything else, so that `active` is exact.
   */
  async function pendingRows(onlyDue: boolean) {
    const pending = await deliveries.pendingAll();
    const now = clock.now();
    const rows = [];
    const gone = [];
    for (const d of pending) {
      const channel = byName.get(d.channel);
      if (!channel || active.has(d.id)) continue;
      if (onlyDue && d.nextAttemptAt !== null && d.nextAttemptAt > now) continue;
      if (!channel.accepts(d.target)) {
        gone.push(d);
        continue;
      }
      rows.push({ channel, d });
    }
    return { rows, gone };
  }

  async function giveUp(gone: Array<{ id: number; attempts: number; channel: string }>) {
    for (const d of gone)
      await deliveries.attemptFailed(d.id, d.attempts, `${d.channel} target no longer configured`, null);
  }

  /** One kick at a time: a kick asked for while one runs is run once more after it (not in parallel). */
  let kicking: Promise<void> | null = null;
  let kickAgain = false;
  async function kickOnce(): Promise<void> {
    if (stopped) return;
    const { rows, gone } = await pendingRows(true);
    // Started at once, in this turn: `active` holds them before any other kick reads the rows.
    for (const { channel, d } of rows) run(channel, d.id, d.target, d.body, d.attempts + 1);
    await giveUp(gone);
  }
  async function kickLoop(): Promise<void> {
    try {
      do {
        kickAgain = false;
        await kickOnce();
      } while (kickAgain && !stopped);
    } catch (err) {
      log.error({ err }, 'outbox kick failed');
    } finally {
      kicking = null;
    }
  }

  return {
    async write(n) {
      for (const channel of channels) {
        for (const { target, body } of await channel.plan(n)) {
          await deliveries.create({
            at: clock.now(),
            channel: channel.channel,
            target,
            event: n.event,
            incidentId: n.incident.id,
            body,
          });
        }
      }
    },
    kick() {
      if (stopped) return Promise.resolve();
      if (kicking) {
        kickAgain = true;
        return kicking;
      }
      kicking = kickLoop();
      return kicking;
    },
    async start() {
      stopped = false;
      const { rows, gone } = await pendingRows(false);
      for (const { channel, d } of rows) {
        const due = d.nextAttemptAt ?? clock.now();
        schedule(channel, d.id, d.target, d.body, d.attempts + 1, Math.max(0, due - clock.now()));
      }
      await giveUp(gone);
    },
    async stop() {
      stopped = true;
      for (const handle of timers.values()) clock.clearTimeout(handle);
      timers.clear();
      for (const c of controllers) c.abort();
      await Promise.allSettled([...inFlight, ...(kicking ? [kicking] : [])]);
      active.clear();
    },
  };
}
