import type { BrokerRoom } from '../../broker/broker.ts';
import type { RoomDeps } from '../../kernel/room.ts';
import { createSqliteDeliveryStore } from '../store/sqlite-deliveries.ts';
import type { DeliveryStore } from '../store/types.ts';
import type { DeliveryLogReader } from './delivery-log.ts';
import { createDeviceChannel } from './device-channel.ts';
import { createLogChannel } from './log-channel.ts';
import { createOutbox } from './outbox.ts';
import { NotificationRouter } from './routing.ts';
import type { Notification, Notifier, OutboxChannel } from './types.ts';
import { createWebhookChannel } from './webhook-channel.ts';

export interface NotificationsDeps
  extends Pick<RoomDeps, 'config' | 'registry' | 'bus' | 'clock' | 'db' | 'log'> {
  /** for the `alarm_accepted` device command */
  broker: Pick<BrokerRoom, 'publishToDevice'>;
  /** jitter source of the webhook retries, [0, 1); Math.random by default */
  random?: () => number;
  /** the deliveries (store/types.ts); by default the SQLite adapter on `db` */
  deliveries?: DeliveryStore;
  /** where the outbox gauge goes (/metrics); none in tests that build the room alone */
  metrics?: RoomDeps['metrics'];
}

export interface NotificationsRoom {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** the delivery log (console/routes/notifications.ts) */
  readonly deliveries: DeliveryLogReader;
  /**
   * Extension point for further channels: the consoles' websocket channel (a later issue) registers
   * here before start. Every channel gets every notification (types.ts Notifier).
   */
  addChannel(channel: Notifier): void;
}

const OWNER = 'notifications';

/**
 * The notification room (issue 6, Notifications): incident events on the bus become notifications
 * (routing.ts). The call unit's `alarm_accepted` command and signed webhooks go through the outbox
 * (outbox.ts: rows written in the incident's transaction, delivered after commit, retried, each in the
 * delivery log); the log and the consoles' websocket are told after commit.
 */
export function createNotifications(deps: NotificationsDeps): NotificationsRoom {
  const { config, registry, bus, clock, db, log } = deps;
  const deliveries = deps.deliveries ?? createSqliteDeliveryStore(db);
  deps.metrics?.labelledGauge(
    'hub_notifications_outbox_pending',
    'Notifications waiting in the outbox (webhooks, device commands): not yet delivered nor given up, by channel',
    ['channel'],
    async () => (await deliveries.pendingCounts()).map((r) => [{ channel: r.channel }, r.count]),
  );
  const router = new NotificationRouter(async (householdId) =>
    (await registry.households.contacts(householdId))
      .sort((a, b) => a.priority - b.priority)
      .map(({ name, relation, phone, priority }) => ({ name, relation, phone, priority })),
  );
  const urls = config.notifyWebhookUrls
    .split(',')
    .map((u) => u.trim())
    .filter((u) => u !== '');
  /** told after commit, no record: the log, and the consoles' websocket (addChannel) */
  const channels: Notifier[] = [createLogChannel(log)];
  /** exactly once, through the outbox: device commands, and webhooks when configured */
  const outboxChannels: OutboxChannel[] = [createDeviceChannel({ registry, broker: deps.broker })];
  if (urls.length > 0 && config.notifyWebhookSecret) {
    outboxChannels.push(
      createWebhookChannel({
        urls,
        secret: config.notifyWebhookSecret,
        policy: {
          maxAttempts: config.notifyWebhookMaxAttempts,
          baseMs: config.notifyWebhookRetryBaseMs,
          maxMs: config.notifyWebhookRetryMaxMs,
        },
        timeoutMs: config.notifyWebhookTimeoutMs,
        clock,
      }),
    );
  }
  const outbox = createOutbox(outboxChannels, { deliveries, clock, log, random: deps.random ?? Math.random });

  /** After commit: the outbox's due deliveries (written in the commit), and the transient channels. */
  const tell = async (notifications: Notification[]) => {
    await Promise.all([
      outbox.kick(),
      ...notifications.flatMap((n) =>
        channels.map((c) =>
          c
            .notify(n)
            .catch((err: unknown) =>
              log.error(
                { err, channel: c.channel, incidentId: n.incident.id },
                'notification channel failed',
              ),
            ),
        ),
      ),
    ]);
  };
  /** A participant: inside the incident's transaction, one notification after the other. */
  /**
   * The notifications of one incident event, routed once (the router remembers the last state told):
   * the participant routes and writes the outbox rows, the after-commit listener tells the same ones.
   */
  const planned = new WeakMap<object, Notification[]>();
  const plan = async (event: object, notifications: Notification[]) => {
    planned.set(event, notifications);
    for (const n of notifications) await outbox.write(n);
  };

  return {
    deliveries,
    addChannel(channel) {
      channels.push(channel);
    },
    async start() {
      for (const c of channels) await c.start?.();
      await outbox.start();
      // Participants write the outbox rows inside the incident's transaction; listeners run after commit.
      bus.within('incidentOpened', OWNER, (e) => plan(e, router.opened(e)));
      bus.within('incidentUpdated', OWNER, (e) => plan(e, router.updated(e)));
      bus.within('incidentEscalated', OWNER, async (e) => plan(e, await router.escalated(e)));
      bus.on('incidentOpened', OWNER, (e) => tell(planned.get(e) ?? []));
      bus.on('incidentUpdated', OWNER, (e) => tell(planned.get(e) ?? []));
      bus.on('incidentEscalated', OWNER, (e) => tell(planned.get(e) ?? []));
    },
    async stop() {
      bus.removeOwner(OWNER);
      await outbox.stop();
      for (const c of channels) await c.stop?.();
    },
  };
}
