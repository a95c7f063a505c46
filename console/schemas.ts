import { type Static, Type as T, type TSchema } from '@sinclair/typebox';
import { DEVICE_TYPES, MAX_SOS_ACTIONS, ROOMS, SOS_ACTION_PATTERN } from '../kernel/contract.ts';
import { OPERATOR_ID_PATTERN } from '../kernel/ids.ts';
import { RESPONDER_KINDS, ROLES, SHARING_LEVELS } from '../kernel/registry/types.ts';
import * as X from './api-examples.ts';

/** One schema per shape: Fastify validates with it, fast-json-stringify serializes with it, OpenAPI shows it. */

/** A string enum as plain JSON Schema (`enum`), so a bad value gets one clear error naming the allowed ones. */
export const StringEnum = <V extends string>(values: readonly V[], options: { description?: string } = {}) =>
  T.Unsafe<V>({ type: 'string', enum: [...values], ...options });

export const Nullable = <S extends TSchema>(schema: S) => T.Union([schema, T.Null()]);

/** A value's type with every array and object read-only (what an `as const` example is). */
type DeepReadonly<V> = V extends readonly (infer I)[]
  ? readonly DeepReadonly<I>[]
  : V extends object
    ? { readonly [K in keyof V]: DeepReadonly<V[K]> }
    : V;

/**
 * The schema with its example (console/api-examples.ts) for the OpenAPI document: a request body's or a
 * response's example, a path parameter's value. The example must have the schema's type.
 */
export const withExample = <S extends TSchema>(schema: S, example: DeepReadonly<Static<S>>): S => ({
  ...schema,
  examples: [example],
});

/** An array of `item`, its example a list of the item's example. */
export const ListOf = <S extends TSchema>(item: S) =>
  T.Array(item, Array.isArray(item.examples) ? { examples: [item.examples.slice(0, 1)] } : {});

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
/** `:id` of a path, an operator id like `example`. */
const idParams = (example: string) => T.Object({ id: withExample(OperatorId, example) });
export const HouseholdIdParams = idParams(X.HOUSEHOLD.id);
export const ResidentIdParams = idParams(X.RESIDENT.id);
export const DeviceIdParams = idParams(X.DEVICE.id);
export const GatewayIdParams = idParams(X.GATEWAY.id);
export const ResponderIdParams = idParams(X.RESPONDER.id);
export const StationIdParams = idParams(X.STATION.id);
/** `:id` of a path, a number the hub gave (contacts, users). */
export const numericIdParams = (example: number) =>
  T.Object({ id: withExample(T.Integer({ minimum: 1 }), example) });

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

const Location = T.Object({
  lat: T.Number({ minimum: -90, maximum: 90 }),
  lon: T.Number({ minimum: -180, maximum: 180 }),
});

export const Household = withExample(
  T.Object({
    id: T.String(),
    address: T.String(),
    grid: T.String(),
    location: Nullable(Location),
    notes: T.String(),
    sharing: StringEnum(SHARING_LEVELS, { description: 'what family users may see' }),
  }),
  X.HOUSEHOLD,
);
export const HouseholdWrite = withExample(
  T.Object(
    {
      address: PlainText(300, { minLength: 1, multiline: true }),
      grid: PlainText(100, { minLength: 1, description: 'grid (网格) the household belongs to' }),
      location: T.Optional(Nullable(Location)),
      notes: T.Optional(T.String({ maxLength: 2000 })),
      sharing: T.Optional(StringEnum(SHARING_LEVELS)),
    },
    Strict,
  ),
  X.HOUSEHOLD_WRITE,
);
export const HouseholdCreate = withExample(
  T.Composite([T.Object({ id: OperatorId }), HouseholdWrite], Strict),
  X.HOUSEHOLD,
);

export const Resident = withExample(
  T.Object({
    id: T.String(),
    householdId: T.String(),
    name: T.String(),
    birthYear: Nullable(T.Integer()),
    careNotes: T.Array(T.String()),
    language: T.String(),
  }),
  X.RESIDENT,
);
export const ResidentWrite = withExample(
  T.Object(
    {
      name: PlainText(100, { minLength: 1 }),
      birthYear: T.Optional(Nullable(T.Integer({ minimum: 1900, maximum: 2100 }))),
      careNotes: T.Optional(T.Array(T.String({ maxLength: 200 }), { maxItems: 50 })),
      language: T.Optional(T.String({ minLength: 2, maxLength: 16 })),
    },
    Strict,
  ),
  X.RESIDENT_WRITE,
);
export const ResidentCreate = withExample(
  T.Composite([T.Object({ id: OperatorId }), ResidentWrite], Strict),
  X.RESIDENT_CREATE,
);

export const Contact = withExample(
  T.Object({
    id: T.Integer(),
    householdId: T.String(),
    name: T.String(),
    relation: T.String(),
    phone: T.String(),
    priority: T.Integer({ description: '1 is called first' }),
  }),
  X.CONTACT,
);
export const ContactWrite = withExample(
  T.Object(
    {
      name: PlainText(100, { minLength: 1 }),
      relation: T.Optional(PlainText(50)),
      phone: T.String({ minLength: 3, maxLength: 40, pattern: '^[+0-9][0-9 ()-]*$' }),
      priority: T.Optional(T.Integer({ minimum: 1, maximum: 99 })),
    },
    Strict,
  ),
  X.CONTACT_WRITE,
);

/** A Zigbee button's own list of the Zigbee2MQTT `action` values that mean SOS. */
export const SosActions = T.Array(T.String({ pattern: SOS_ACTION_PATTERN.source }), {
  minItems: 1,
  maxItems: MAX_SOS_ACTIONS,
  uniqueItems: true,
  description:
    'Zigbee2MQTT action values that mean SOS for this button behind a gateway, e.g. ["single","double"]',
});
export const Device = withExample(
  T.Object({
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
  }),
  X.DEVICE,
);
/** Zigbee2MQTT friendly names are topic levels under the gateway: no MQTT wildcards, no NUL. */
export const FriendlyName = T.String({ minLength: 1, maxLength: 128, pattern: '^[^#+\\u0000]+$' });
export const DeviceCreate = withExample(
  T.Object(
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
  ),
  X.DEVICE_CREATE,
);
export const DeviceUpdate = withExample(
  T.Object(
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
  ),
  X.DEVICE_UPDATE,
);

export const Gateway = withExample(
  T.Object({ id: T.String(), householdId: T.String(), enabled: T.Boolean() }),
  X.GATEWAY,
);
export const GatewayCreate = withExample(
  T.Object({ id: OperatorId, householdId: OperatorId, enabled: T.Optional(T.Boolean()) }, Strict),
  X.GATEWAY_CREATE,
);
export const GatewayUpdate = withExample(
  T.Object({ householdId: T.Optional(OperatorId), enabled: T.Optional(T.Boolean()) }, Strict),
  X.GATEWAY_UPDATE,
);

/** A new secret, in the answer that created it and nowhere else (only its scrypt hash is stored). */
export const Secret = T.String({ description: 'shown once: only its hash is stored' });
/** A device's or gateway's new secret, after a rotation. */
export const RotatedSecret = T.Object({ id: T.String(), secret: Secret });

export const HouseholdDetail = withExample(
  T.Composite([
    Household,
    T.Object({
      residents: T.Array(Resident),
      contacts: T.Array(Contact),
      devices: T.Array(Device),
      gateways: T.Array(Gateway),
    }),
  ]),
  X.HOUSEHOLD_DETAIL,
);

export const User = withExample(
  T.Object({
    id: T.Integer(),
    username: T.String(),
    role: RoleSchema,
    displayName: T.String(),
    enabled: T.Boolean(),
    households: T.Array(T.String(), { description: 'households a family user is linked to' }),
  }),
  X.USER,
);
export const Username = T.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$' });
/** 8 to 200 characters (UTF-16 code units, as JSON Schema counts them). */
export const Password = T.String({ minLength: 8, maxLength: 200 });
export const UserCreate = withExample(
  T.Object(
    {
      username: Username,
      role: RoleSchema,
      password: Password,
      displayName: T.Optional(PlainText(100)),
      households: T.Optional(T.Array(OperatorId, { maxItems: 100, description: 'only for family users' })),
    },
    Strict,
  ),
  X.USER_CREATE,
);
export const UserUpdate = withExample(
  T.Object(
    {
      role: T.Optional(RoleSchema),
      password: T.Optional(Password),
      displayName: T.Optional(PlainText(100)),
      enabled: T.Optional(T.Boolean()),
      households: T.Optional(T.Array(OperatorId, { maxItems: 100 })),
    },
    Strict,
  ),
  X.USER_UPDATE,
);

export const Responder = withExample(
  T.Object({
    id: T.String(),
    name: T.String(),
    kind: StringEnum(RESPONDER_KINDS),
    phone: T.String(),
    grids: T.Array(T.String()),
    stationId: Nullable(T.String()),
    userId: Nullable(T.Integer()),
  }),
  X.RESPONDER,
);
export const ResponderWrite = withExample(
  T.Object(
    {
      name: PlainText(100, { minLength: 1 }),
      kind: StringEnum(RESPONDER_KINDS),
      phone: T.Optional(T.String({ maxLength: 40 })),
      grids: T.Optional(T.Array(T.String({ minLength: 1, maxLength: 100 }), { maxItems: 100 })),
      stationId: T.Optional(Nullable(OperatorId)),
      userId: T.Optional(Nullable(T.Integer({ minimum: 1 }))),
    },
    Strict,
  ),
  X.RESPONDER_WRITE,
);
export const ResponderCreate = withExample(
  T.Composite([T.Object({ id: OperatorId }), ResponderWrite], Strict),
  X.RESPONDER,
);

export const Station = withExample(
  T.Object({
    id: T.String(),
    name: T.String(),
    lat: Nullable(T.Number()),
    lon: Nullable(T.Number()),
  }),
  X.STATION,
);
export const StationWrite = withExample(
  T.Object(
    {
      name: PlainText(100, { minLength: 1 }),
      lat: T.Optional(Nullable(T.Number({ minimum: -90, maximum: 90 }))),
      lon: T.Optional(Nullable(T.Number({ minimum: -180, maximum: 180 }))),
    },
    Strict,
  ),
  X.STATION_WRITE,
);
export const StationCreate = withExample(
  T.Composite([T.Object({ id: OperatorId }), StationWrite], Strict),
  X.STATION,
);
