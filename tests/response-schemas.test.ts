import { Kind, Type as T, type TSchema } from '@sinclair/typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PATH_POINTS } from '../alerts/incidents/alarm-path.ts';
import { INCIDENT_STATES } from '../alerts/incidents/events.ts';
import * as R from '../console/response-schemas.ts';
import { startTestHub, type TestHub } from './helpers/hub.ts';

/**
 * console/response-schemas.ts holds the response schemas the browser code shares (console/web/api-types.d.ts).
 * The routes import most of them, so there is one definition; here every one must be what a route's
 * response in the OpenAPI document uses, and the few still copied from a route that keeps its own (COPIES)
 * must say what the route says.
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

/**
 * A schema exactly as the OpenAPI document writes it, descriptions and bounds included: without TypeBox's
 * symbol keys (a JSON round trip), T.Record's `patternProperties` as the `additionalProperties` the
 * document shows, keys and `required` sorted, as one string. Examples are left out: the document moves a
 * response's own example beside its schema (the media type's `example`).
 */
function canonical(schema: unknown): string {
  const norm = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(norm);
    if (v === null || typeof v !== 'object') return v;
    const o = { ...(v as Json) };
    if (Array.isArray(o.examples)) delete o.examples;
    const pattern = o.patternProperties as Record<string, unknown> | undefined;
    if (pattern && Object.keys(pattern).length === 1 && o.additionalProperties === undefined) {
      o.additionalProperties = Object.values(pattern)[0];
      delete o.patternProperties;
    }
    if (Array.isArray(o.required)) o.required = [...(o.required as string[])].sort();
    return Object.fromEntries(
      Object.keys(o)
        .sort()
        .map((k) => [k, norm(o[k])]),
    );
  };
  return JSON.stringify(norm(JSON.parse(JSON.stringify(schema))));
}

/** Every schema a response in the document uses, whole or in part (an item, a property, an alternative). */
function responseSchemas(paths: Record<string, Record<string, { responses: Record<string, Json> }>>) {
  const seen = new Set<string>();
  const walk = (v: unknown): void => {
    if (v === null || typeof v !== 'object') return;
    if (!Array.isArray(v) && typeof (v as Json).type === 'string') seen.add(canonical(v));
    for (const child of Object.values(v as Json)) walk(child);
  };
  for (const operations of Object.values(paths))
    for (const { responses } of Object.values(operations))
      for (const r of Object.values(responses)) walk((r as Json).content);
  return seen;
}

/** The schemas console/response-schemas.ts exports (not its constants). */
const EXPORTED = (Object.entries(R) as Array<[string, unknown]>).filter(
  (e): e is [string, TSchema] => typeof e[1] === 'object' && e[1] !== null && Kind in e[1],
);

describe('response schemas shared with the browser code', () => {
  let t: TestHub;
  let paths: Record<string, Record<string, { responses: Record<string, Json> }>>;
  let served: Set<string>;
  beforeAll(async () => {
    t = await startTestHub();
    paths = ((await (await fetch(`${t.httpUrl}/api/docs/json`)).json()) as { paths: typeof paths }).paths;
    served = responseSchemas(paths);
  });
  afterAll(() => t.stop());

  it.each(EXPORTED)('%s is what a route answers with (descriptions and bounds too)', (name, schema) => {
    expect(served.has(canonical(schema)), `${name} in no response of the document`).toBe(true);
  });

  it('leaves no exported schema unchecked (the others are constants)', () => {
    const schemas = new Set(EXPORTED.map(([name]) => name));
    expect(Object.keys(R).filter((name) => !schemas.has(name))).toEqual([
      'INCIDENT_STATES',
      'PATH_POINTS',
      'USUAL_DAYS',
    ]);
  });

  it('would notice a schema no route uses as it is written (a description or a bound changed)', () => {
    const { escalated, etaMinutes, ...rest } = R.EtaSchema.properties;
    const same = T.Object({ ...rest, etaMinutes, escalated });
    const described = T.Object({ ...rest, etaMinutes, escalated: T.Boolean() });
    const bounded = T.Object({ ...rest, etaMinutes: T.Integer({ minimum: 0 }), escalated });
    expect(served.has(canonical(same))).toBe(true);
    expect(served.has(canonical(described))).toBe(false);
    expect(served.has(canonical(bounded))).toBe(false);
  });

  it('spells the incident states as alerts/incidents/events.ts does', () => {
    expect(R.INCIDENT_STATES).toEqual(INCIDENT_STATES);
  });

  it("spells the alarm path's points as alerts/incidents/alarm-path.ts does", () => {
    expect(R.PATH_POINTS).toEqual(PATH_POINTS);
  });

  it('would notice a difference (a field left out, a type changed)', () => {
    const served = JSON.parse(JSON.stringify(R.EtaSchema));
    const fewer = T.Omit(R.EtaSchema, ['escalated']);
    const changed = T.Composite([T.Omit(R.EtaSchema, ['etaMinutes']), T.Object({ etaMinutes: T.String() })]);
    expect(shape(JSON.parse(JSON.stringify(fewer)))).not.toEqual(shape(served));
    expect(shape(JSON.parse(JSON.stringify(changed)))).not.toEqual(shape(served));
  });
});
