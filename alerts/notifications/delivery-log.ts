import type { DeliveryStore } from '../store/types.ts';

export type { Delivery, DeliveryStatus } from '../store/types.ts';
export { DELIVERY_STATUSES } from '../store/types.ts';

/** The deliveries questions the console asks (console/routes/notifications.ts): the DeliveryStore's list. */
export type DeliveryLogReader = Pick<DeliveryStore, 'list'>;
