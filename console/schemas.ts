import { Type as T, type TSchema } from '@sinclair/typebox';
import { DEVICE_TYPES, MAX_SOS_ACTIONS, ROOMS, SOS_ACTION_PATTERN } from '../kernel/contract.ts';
import { OPERATOR_ID_PATTERN } from '../kernel/ids.ts';
import { RESPONDER_KINDS, ROLES, SHARING_LEVELS } from '../kernel/registry/types.ts';

/** One schema per shape: Fastify validates with it, fast-json-stringify serializes with it, OpenAPI shows it. */

/** A string enum as plain JSON Schema (`enum`), so a bad value gets one clear error naming the allowed ones. */
export const StringEnum = <V extends string>(values: readonly V[], options: { description?: string } = {}) =>
  T.Unsafe<V>({ type: 'string', enum: [...values], ...options });

export const Nullable = <S extends TSchema>(schema: S) => T.Union([schema, T.Null()]);

/** Request bodies: an unknown field is a 400 (a typo such as "rooom" must not be dropped silently). */
const Strict = { additionalProperties: false } as const;

/**
 * A person's or a place's text (a name, an address, a relation): no control characters (NUL, BEL, ESC
 * …, see CONTROL_CHARACTER in kernel/provisioning/checks.ts), at most `maxLength` characters.
 */
export const PlainText = (
  maxLength: number,
  { multiline = false, ...opts }: { minLength?: number; description?: string; multiline?: boolean } = {},
) =>
  T.String({
    maxLength,
    ...opts,
    // an address may span lines (TAB, LF, CR); nothing else below U+0020, nor DEL
    pattern: multiline
      ? '^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F]*$'
      : '^[^\\u0000-\\u001F\\u007F]*$',
    description: opts.description ?? 'text without control characters',
  });

/** Operator-chosen ids (printed on devices): also MQTT client ids and topic levels. */
export const OperatorId = T.String({
  pattern: OPERATOR_ID_PATTERN.source,
  description: 'operator-chosen id',
});
export const IdParams = T.Object({ id: OperatorId });
export const NumericIdParams = T.Object({ id: T.Integer({ minimum: 1 }) });

export const DeviceTypeSchema = StringEnum(DEVICE_TYPES, {
  description: 'device type of the device protocol',
});
export const RoomSchema = StringEnum(ROOMS);
export const RoleSchema = StringEnum(ROLES);

/** Every protected route: a bearer token or the `hub_session` cookie. */
export const SECURED: ReadonlyArray<Record<string, readonly string[]>> = [{ bearer: [] }, { cookie: [] }];
/** Public routes (login, health, metrics). */
export const PUBLIC: typeof SECURED = [];
/** Public, but uses the session when there is one (logout). */
export const OPTIONAL_AUTH: typeof SECURED = [{}, ...SECURED];

export const ErrorBody = T.Object({
  error: T.Object({
    code: T.String({ description: 'HUB_ERR_… catalog code' }),
    message: T.String(),
    details: T.Optional(T.Unknown()),
  }),
});
/** Error answers every route may give (401, 403, 404, 409, 429, 500 …), in one shape. */
export const ERROR_RESPONSES = { '4xx': ErrorBody, '5xx': ErrorBody };

const Location = T.Object({
  lat: T.Number({ minimum: -90, maximum: 90 }),
  lon: T.Number({ minimum: -180, maximum: 180 }),
});

export const Household = T.Object({
  id: T.String(),
  address: T.String(),
  grid: T.String(),
  location: Nullable(Location),
  notes: T.String(),
  sharing: StringEnum(SHARING_LEVELS, { description: 'what family users may see' }),
});
export const HouseholdWrite = T.Object(
  {
    address: PlainText(300, { minLength: 1, multiline: true }),
    grid: PlainText(100, { minLength: 1, description: 'grid (网格) the household belongs to' }),
    location: T.Optional(Nullable(Location)),
    notes: T.Optional(T.String({ maxLength: 2000 })),
    sharing: T.Optional(StringEnum(SHARING_LEVELS)),
  },
  Strict,
);
export const HouseholdCreate = T.Composite([T.Object({ id: OperatorId }), HouseholdWrite], Strict);

export const Resident = T.Object({
  id: T.String(),
  householdId: T.String(),
  name: T.String(),
  birthYear: Nullable(T.Integer()),
  careNotes: T.Array(T.String()),
  language: T.String(),
});
export const ResidentWrite = T.Object(
  {
    name: PlainText(100, { minLength: 1 }),
    birthYear: T.Optional(Nullable(T.Integer({ minimum: 1900, maximum: 2100 }))),
    careNotes: T.Optional(T.Array(T.String({ maxLength: 200 }), { maxItems: 50 })),
    language: T.Optional(T.String({ minLength: 2, maxLength: 16 })),
  },
  Strict,
);
export const ResidentCreate = T.Composite([T.Object({ id: OperatorId }), ResidentWrite], Strict);

export const Contact = T.Object({
  id: T.Integer(),
  householdId: T.String(),
  name: T.String(),
  relation: T.String(),
  phone: T.String(),
  priority: T.Integer({ description: '1 is called first' }),
});
export const ContactWrite = T.Object(
  {
    name: PlainText(100, { minLength: 1 }),
    relation: T.Optional(PlainText(50)),
    phone: T.String({ minLength: 3, maxLength: 40, pattern: '^[+0-9][0-9 ()-]*$' }),
    priority: T.Optional(T.Integer({ minimum: 1, maximum: 99 })),
  },
  Strict,
);

/** A Zigbee button's own list of the Zigbee2MQTT `action` values that mean SOS. */
export const SosActions = T.Array(T.String({ pattern: SOS_ACTION_PATTERN.source }), {
  minItems: 1,
  maxItems: MAX_SOS_ACTIONS,
  uniqueItems: true,
  description:
    'Zigbee2MQTT action values that mean SOS for this button behind a gateway, e.g. ["single","double"]',
});
export const Device = T.Object({
  id: T.String(),
  householdId: T.String(),
  type: DeviceTypeSchema,
  room: Nullable(RoomSchema),
  residentId: Nullable(T.String()),
  gatewayId: Nullable(T.String({ description: 'set for a Zigbee device behind a gateway' })),
  friendlyName: Nullable(T.String({ description: 'the Zigbee2MQTT friendly name behind the gateway' })),
  sosActions: Nullable(
    T.Array(T.String(), {
      description:
        'Zigbee2MQTT action values that mean SOS (a button behind a gateway); null: the default single, sos, emergency, press',
    }),
  ),
  enabled: T.Boolean(),
});
/** Zigbee2MQTT friendly names are topic levels under the gateway: no MQTT wildcards, no NUL. */
export const FriendlyName = T.String({ minLength: 1, maxLength: 128, pattern: '^[^#+\\u0000]+$' });
export const DeviceCreate = T.Object(
  {
    id: OperatorId,
    householdId: OperatorId,
    type: DeviceTypeSchema,
    room: T.Optional(Nullable(RoomSchema)),
    residentId: T.Optional(Nullable(OperatorId)),
    gatewayId: T.Optional(OperatorId),
    friendlyName: T.Optional(FriendlyName),
    sosActions: T.Optional(Nullable(SosActions)),
    enabled: T.Optional(T.Boolean()),
  },
  Strict,
);
export const DeviceUpdate = T.Object(
  {
    householdId: T.Optional(OperatorId),
    type: T.Optional(DeviceTypeSchema),
    room: T.Optional(Nullable(RoomSchema)),
    residentId: T.Optional(Nullable(OperatorId)),
    friendlyName: T.Optional(FriendlyName),
    sosActions: T.Optional(Nullable(SosActions)),
    enabled: T.Optional(T.Boolean()),
  },
  {
    ...Strict,
    description:
      'fields left out keep their value; null clears room or residentId, and sets sosActions back to the default',
  },
);

export const Gateway = T.Object({ id: T.String(), householdId: T.String(), enabled: T.Boolean() });
export const GatewayCreate = T.Object(
  { id: OperatorId, householdId: OperatorId, enabled: T.Optional(T.Boolean()) },
  Strict,
);
export const GatewayUpdate = T.Object(
  { householdId: T.Optional(OperatorId), enabled: T.Optional(T.Boolean()) },
  Strict,
);

/** A new secret, in the answer that created it and nowhere else (only its scrypt hash is stored). */
export const Secret = T.String({ description: 'shown once: only its hash is stored' });

export const HouseholdDetail = T.Composite([
  Household,
  T.Object({
    residents: T.Array(Resident),
    contacts: T.Array(Contact),
    devices: T.Array(Device),
    gateways: T.Array(Gateway),
  }),
]);

export const User = T.Object({
  id: T.Integer(),
  username: T.String(),
  role: RoleSchema,
  displayName: T.String(),
  enabled: T.Boolean(),
  households: T.Array(T.String(), { description: 'households a family user is linked to' }),
});
export const Username = T.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$' });
/** 8 to 200 characters (UTF-16 code units, as JSON Schema counts them). */
export const Password = T.String({ minLength: 8, maxLength: 200 });
export const UserCreate = T.Object(
  {
    username: Username,
    role: RoleSchema,
    password: Password,
    displayName: T.Optional(PlainText(100)),
    households: T.Optional(T.Array(OperatorId, { maxItems: 100, description: 'only for family users' })),
  },
  Strict,
);
export const UserUpdate = T.Object(
  {
    role: T.Optional(RoleSchema),
    password: T.Optional(Password),
    displayName: T.Optional(PlainText(100)),
    enabled: T.Optional(T.Boolean()),
    households: T.Optional(T.Array(OperatorId, { maxItems: 100 })),
  },
  Strict,
);

export const Responder = T.Object({
  id: T.String(),
  name: T.String(),
  kind: StringEnum(RESPONDER_KINDS),
  phone: T.String(),
  grids: T.Array(T.String()),
  stationId: Nullable(T.String()),
  userId: Nullable(T.Integer()),
});
export const ResponderWrite = T.Object(
  {
    name: PlainText(100, { minLength: 1 }),
    kind: StringEnum(RESPONDER_KINDS),
    phone: T.Optional(T.String({ maxLength: 40 })),
    grids: T.Optional(T.Array(T.String({ minLength: 1, maxLength: 100 }), { maxItems: 100 })),
    stationId: T.Optional(Nullable(OperatorId)),
    userId: T.Optional(Nullable(T.Integer({ minimum: 1 }))),
  },
  Strict,
);
export const ResponderCreate = T.Composite([T.Object({ id: OperatorId }), ResponderWrite], Strict);

export const Station = T.Object({
  id: T.String(),
  name: T.String(),
  lat: Nullable(T.Number()),
  lon: Nullable(T.Number()),
});
export const StationWrite = T.Object(
  {
    name: PlainText(100, { minLength: 1 }),
    lat: T.Optional(Nullable(T.Number({ minimum: -90, maximum: 90 }))),
    lon: T.Optional(Nullable(T.Number({ minimum: -180, maximum: 180 }))),
  },
  Strict,
);
export const StationCreate = T.Composite([T.Object({ id: OperatorId }), StationWrite], Strict);
