import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERRORS, type ErrorCode } from '../kernel/errors.ts';
import { apiClient, userWithToken } from './helpers/api.ts';
import { startTestHub, type TestHub } from './helpers/hub.ts';

type Json = Record<string, unknown>;
interface Media {
  schema?: Json;
  example?: unknown;
  examples?: Record<string, { summary?: string; value: unknown }>;
}
interface Operation {
  summary?: string;
  parameters?: Array<{ in: string; name: string; schema: Json; example?: unknown }>;
  requestBody?: { content: Record<string, Media> };
  responses: Record<string, { description?: string; content?: Record<string, Media> }>;
}
interface OpenApi {
  paths: Record<string, Record<string, Operation>>;
}

/** The examples of a media type: its `example`, or the values of its named `examples`. */
const examplesOf = (m: Media): unknown[] =>
  m.example !== undefined ? [m.example] : Object.values(m.examples ?? {}).map((e) => e.value);

/**
 * What the document lacks, one line per gap: every operation of every path needs a summary; an example
 * of each request body (per media type), each path parameter and each success answer with a body; and
 * its error answers (at least one 4xx), each with a description and example bodies whose catalog code
 * has that status.
 */
function gapsOf(doc: OpenApi): string[] {
  const gaps: string[] = [];
  for (const [path, operations] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(operations)) {
      const at = `${method.toUpperCase()} ${path}`;
      if (!op.summary?.trim()) gaps.push(`${at}: no summary`);
      for (const [type, media] of Object.entries(op.requestBody?.content ?? {}))
        if (examplesOf(media).length === 0) gaps.push(`${at}: no example of the ${type} body`);
      for (const p of op.parameters ?? [])
        if (p.in === 'path' && p.example === undefined) gaps.push(`${at}: no example of {${p.name}}`);
      let clientErrors = 0;
      for (const [status, response] of Object.entries(op.responses)) {
        const media = Object.entries(response.content ?? {});
        if (status.startsWith('2')) {
          for (const [type, m] of media)
            if (examplesOf(m).length === 0) gaps.push(`${at}: no example of the ${status} ${type} answer`);
          continue;
        }
        if (status.startsWith('4')) clientErrors++;
        if (!response.description || response.description === 'Default Response')
          gaps.push(`${at}: ${status} not described`);
        const bodies = media.flatMap(([, m]) => examplesOf(m)) as Array<{ error?: { code?: string } }>;
        if (ERRORS[bodies[0]?.error?.code as ErrorCode] === undefined && status !== '503')
          gaps.push(`${at}: ${status} has no example error body`);
        for (const body of bodies) {
          const code = body.error?.code as ErrorCode | undefined;
          if (code && String(ERRORS[code]?.status) !== status)
            gaps.push(`${at}: ${status} shows ${code}, which the catalog answers with another status`);
        }
      }
      if (clientErrors === 0 && path !== '/healthz') gaps.push(`${at}: no 4xx answer`);
    }
  }
  return gaps;
}

describe('the OpenAPI document at /api/docs/json', () => {
  let t: TestHub;
  let doc: OpenApi;
  const operations = () =>
    Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({ at: `${method.toUpperCase()} ${path}`, op })),
    );
  beforeAll(async () => {
    t = await startTestHub();
    doc = (await (await fetch(`${t.httpUrl}/api/docs/json`)).json()) as OpenApi;
  });
  afterAll(() => t.stop());

  it('gives every operation a summary, its error answers and examples', () => {
    expect(operations().length).toBeGreaterThan(80);
    expect(gapsOf(doc)).toEqual([]);
  });

  it('would name an operation that lacks any of them (it walks every path)', () => {
    const broken = structuredClone(doc);
    const last = Object.keys(broken.paths).at(-1) ?? '';
    const secret = broken.paths['/api/devices/{id}/secret']?.post;
    const deleteDevice = broken.paths['/api/devices/{id}']?.delete;
    const login = broken.paths['/api/auth/login']?.post;
    if (!secret || !deleteDevice || !login) throw new Error('routes missing from the document');
    for (const op of Object.values(broken.paths[last] ?? {})) op.summary = '';
    delete secret.responses['200']?.content?.['application/json']?.example;
    for (const p of deleteDevice.parameters ?? []) delete p.example;
    delete login.requestBody?.content['application/json']?.example;
    for (const status of Object.keys(login.responses))
      if (status.startsWith('4')) delete login.responses[status];
    const notFound = broken.paths['/api/devices/{id}']?.get?.responses['404'];
    if (notFound) notFound.description = '';
    expect(gapsOf(broken).sort()).toEqual(
      [
        `GET ${last}: no summary`,
        'POST /api/devices/{id}/secret: no example of the 200 application/json answer',
        'DELETE /api/devices/{id}: no example of {id}',
        'POST /api/auth/login: no example of the application/json body',
        'POST /api/auth/login: no 4xx answer',
        'GET /api/devices/{id}: 404 not described',
      ].sort(),
    );
  });

  it('shows examples its own schemas accept: what one copies from the docs is what the API takes and gives', () => {
    // The document is OpenAPI 3.1: its schemas are JSON Schema 2020-12 (`example` is OpenAPI's own word).
    const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
    const wrong: string[] = [];
    const check = (at: string, schema: Json | undefined, value: unknown) => {
      if (!schema) return;
      const validate = ajv.compile(schema);
      if (!validate(value)) wrong.push(`${at}: ${ajv.errorsText(validate.errors)}`);
    };
    let checked = 0;
    for (const { at, op } of operations()) {
      for (const p of op.parameters ?? [])
        if (p.example !== undefined) check(`${at} {${p.name}}`, p.schema, p.example);
      const media = [
        ...Object.entries(op.requestBody?.content ?? {}).map(([type, m]) => [`body ${type}`, m] as const),
        ...Object.entries(op.responses).flatMap(([status, r]) =>
          Object.entries(r.content ?? {}).map(([type, m]) => [`${status} ${type}`, m] as const),
        ),
      ];
      for (const [what, m] of media)
        for (const value of examplesOf(m)) {
          check(`${at} ${what}`, m.schema, value);
          checked++;
        }
    }
    expect(wrong).toEqual([]);
    expect(checked).toBeGreaterThan(500);
  });

  it('documents the answers the hub gives: the same code and message as the examples', async () => {
    const api = apiClient(t.httpUrl);
    const token = await t.login();
    const dispatcher = await userWithToken(t, api, token, { username: 'wang.fang', role: 'dispatcher' });
    await t.provisionDevice({ id: 'sos-0001', householdId: 'hh-0001' });
    const put = doc.paths['/api/devices/{id}']?.put;
    const documented = (op: Operation | undefined, status: number) =>
      examplesOf(op?.responses[String(status)]?.content?.['application/json'] ?? {});
    const answers: Array<[Operation | undefined, Awaited<ReturnType<typeof api>>]> = [
      [put, await api('PUT', '/api/devices/sos-0001', { body: { room: 'living' } })],
      [put, await api('PUT', '/api/devices/sos-0002', { token, body: { room: 'living' } })],
      [
        put,
        await api('PUT', '/api/devices/sos-0001', { token, body: 'room=living', contentType: 'text/plain' }),
      ],
      [put, await api('PUT', '/api/devices/sos-0001', { token, body: { notes: 'x'.repeat(1_100_000) } })],
      [put, await api('PUT', '/api/devices/sos-0001', { token })],
      [
        put,
        await api('PUT', '/api/devices/sos-0001', {
          body: { room: 'living' },
          headers: { cookie: `hub_session=${token}`, origin: 'https://example.com' },
        }),
      ],
      [
        doc.paths['/api/auth/login']?.post,
        await api('POST', '/api/auth/login', { body: { username: 'admin', password: 'not-the-password' } }),
      ],
      [put, await api('PUT', '/api/devices/sos-0001', { token: dispatcher, body: { room: 'living' } })],
      [doc.paths['/api/devices']?.post, await api('POST', '/api/devices', { token, body: {} })],
      [doc.paths['/api/devices/{id}']?.get, await api('GET', '/api/devices/-sos-0001', { token })],
      [doc.paths['/api/import/jobs/{id}']?.get, await api('GET', '/api/import/jobs/not-a-job', { token })],
    ];
    const missing = answers
      .filter(
        ([op, res]) =>
          !documented(op, res.status).some((e) => JSON.stringify(e) === JSON.stringify(res.body)),
      )
      .map(([, res]) => `${res.status} ${res.text}`);
    expect(answers.map(([, res]) => res.status)).toEqual([
      401, 404, 415, 413, 400, 403, 401, 403, 400, 400, 400,
    ]);
    expect(missing).toEqual([]);
  });
});
