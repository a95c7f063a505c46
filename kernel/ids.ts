/** Branded ids: a DeviceId cannot be passed where a HouseholdId is expected. */
declare const brand: unique symbol;
export type Brand<T, B extends string> = T & { readonly [brand]: B };

export type DeviceId = Brand<string, 'DeviceId'>;
export type GatewayId = Brand<string, 'GatewayId'>;
export type HouseholdId = Brand<string, 'HouseholdId'>;
export type ResidentId = Brand<string, 'ResidentId'>;
export type ResponderId = Brand<string, 'ResponderId'>;
export type UserId = Brand<number, 'UserId'>;

export const asDeviceId = (s: string) => s as DeviceId;
export const asGatewayId = (s: string) => s as GatewayId;
export const asHouseholdId = (s: string) => s as HouseholdId;
export const asResidentId = (s: string) => s as ResidentId;
export const asResponderId = (s: string) => s as ResponderId;
export const asUserId = (n: number) => n as UserId;

/** Operator-chosen ids (printed on devices) are also MQTT client ids and topic levels. */
export const OPERATOR_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
