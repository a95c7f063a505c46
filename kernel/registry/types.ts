import type { DeviceType, Room } from '../contract.ts';

export const ROLES = ['admin', 'dispatcher', 'supervisor', 'responder', 'family'] as const;
export type Role = (typeof ROLES)[number];

export const SHARING_LEVELS = ['status', 'rhythm'] as const;
export type SharingLevel = (typeof SHARING_LEVELS)[number];

export const RESPONDER_KINDS = ['grid_worker', 'station_staff', 'volunteer'] as const;
export type ResponderKind = (typeof RESPONDER_KINDS)[number];

export interface Household {
  id: string;
  address: string;
  grid: string;
  location: { lat: number; lon: number } | null;
  notes: string;
  sharing: SharingLevel;
}

export interface Resident {
  id: string;
  householdId: string;
  name: string;
  birthYear: number | null;
  careNotes: string[];
  language: string;
}

export interface Contact {
  id: number;
  householdId: string;
  name: string;
  relation: string;
  phone: string;
  priority: number;
}

export interface Device {
  id: string;
  householdId: string;
  type: DeviceType;
  room: Room | null;
  residentId: string | null;
  gatewayId: string | null;
  friendlyName: string | null;
  /** Zigbee2MQTT `action` values that mean SOS (a button behind a gateway); null: the default list */
  sosActions: string[] | null;
  enabled: boolean;
}

export interface Gateway {
  id: string;
  householdId: string;
  enabled: boolean;
}

export interface User {
  id: number;
  username: string;
  role: Role;
  displayName: string;
  enabled: boolean;
  households: string[];
}

export interface Responder {
  id: string;
  name: string;
  kind: ResponderKind;
  phone: string;
  grids: string[];
  stationId: string | null;
  userId: number | null;
}

/** What the broker needs to authenticate a client id. */
export interface MqttIdentity {
  id: string;
  kind: 'device' | 'gateway';
  householdId: string;
  secretHash: string;
  enabled: boolean;
}
