import { Type as T, type TSchema } from '@sinclair/typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as R from '../console/response-schemas.ts';
import { startTestHub, type TestHub } from './helpers/hub.ts';

/**
 * console/response-schemas.ts copies the response schemas that routes still keep to themselves, so the
 * browser code can share their types (console/web/api-types.d.ts). Each copy must say what the route says:
 * compared here with the route's own schema as the OpenAPI document shows it.
 */

type Json = Record<string, unknown>;

/**
 * What a schema says about the data's type, nothing else: object properties (and which are required),
 * map values, array items, alternatives, types and enums. Descriptions and bounds are left out, and
 * TypeBox's `patternProperties` (T.Record) counts as the `additionalProperties` the document shows.
 */
function shape(schema: unknown): unknown {
  const s = (schema ?? {}) as Json;
  if (Array.isArray(s.anyOf)) return { anyOf: s.anyOf.map(shape) };
  if (s.type === 'array') return { array: shape(s.items) };
  if (s.type === 'object') {
    const props = (s.properties ?? {}) as Record<string, unknown>;
    const pattern = s.patternProperties as Record<string, unknown> | undefined;
    const values = pattern ? Object.values(pattern)[0] : s.additionalProperties;
    return {
      object: Object.fromEntries(
        Object.keys(props)
          .sort()
          .map((k) => [k, shape(props[k])]),
      ),
      required: [...((s.required as string[] | undefined) ?? [])].sort(),
      ...(values && typeof values === 'object' ? { values: shape(values) } : {}),
    };
  }
  return { type: s.type ?? 'any', ...(s.enum ? { enum: s.enum } : {}) };
}

/** [method, OpenAPI path, status, the copy] */
const COPIES: Array<[string, string, string, TSchema]> = [
  ['get', '/api/incidents', '200', T.Array(R.IncidentSchema)],
  ['get', '/api/incidents/{id}', '200', R.IncidentDetailSchema],
  ['post', '/api/incidents/{id}/acknowledge', '200', R.IncidentSchema],
  ['get', '/api/incidents/{id}/suggestions', '200', T.Array(R.SuggestionSchema)],
  ['post', '/api/incidents/{id}/position', '200', R.EtaSchema],
  ['get', '/api/reports/sla', '200', R.SlaReportSchema],
  ['get', '/api/fleet', '200', R.FleetSchema],
  ['get', '/api/households/{id}/history/activity', '200', R.ActivityAnswer],
  ['get', '/api/households/{id}/history/water', '200', R.WaterAnswer],
  ['get', '/api/households/{id}/history/vitals', '200', R.VitalsAnswer],
  ['get', '/api/households/{id}/rhythm', '200', R.RhythmAnswer],
  ['get', '/api/zigbee-devices', '200', T.Array(R.PendingZigbeeDevice)],
  ['post', '/api/gateways/{id}/zigbee-devices/provision', '201', R.ZigbeeProvisioned],
  ['post', '/api/devices', '201', R.DeviceCreated],
  ['post', '/api/gateways', '201', R.GatewayCreated],
  ['post', '/api/import', '200', R.ImportReport],
  ['post', '/api/auth/login', '200', R.LoginReply],
  ['get', '/api/auth/me', '200', R.MeReply],
];

describe('response schemas shared with the browser code', () => {
  let t: TestHub;
  let paths: Record<string, Record<string, { responses: Record<string, Json> }>>;
  beforeAll(async () => {
    t = await startTestHub();
    paths = ((await (await fetch(`${t.httpUrl}/api/docs/json`)).json()) as { paths: typeof paths }).paths;
  });
  afterAll(() => t.stop());

  it.each(COPIES)('%s %s (%s) says what the route says', (method, path, status, copy) => {
    const response = paths[path]?.[method]?.responses[status] as
      | { content: { 'application/json': { schema: unknown } } }
      | undefined;
    expect(response, `${method} ${path} ${status} in the OpenAPI document`).toBeDefined();
    const served = response?.content['application/json'].schema;
    // JSON round trip: TypeBox's own symbol keys are not part of the schema
    expect(shape(JSON.parse(JSON.stringify(copy)))).toEqual(shape(served));
  });

  it('would notice a difference (a field left out, a type changed)', () => {
    const served = JSON.parse(JSON.stringify(R.EtaSchema));
    const fewer = T.Omit(R.EtaSchema, ['escalated']);
    const changed = T.Composite([T.Omit(R.EtaSchema, ['etaMinutes']), T.Object({ etaMinutes: T.String() })]);
    expect(shape(JSON.parse(JSON.stringify(fewer)))).not.toEqual(shape(served));
    expect(shape(JSON.parse(JSON.stringify(changed)))).not.toEqual(shape(served));
  });
});
