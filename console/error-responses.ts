import { STATUS_CODES } from 'node:http';
import { Type as T } from '@sinclair/typebox';
import type { FastifySchema, RouteOptions } from 'fastify';
import { ERRORS, type ErrorCode, type HubError } from '../kernel/errors.ts';
import { ROLES, type Role } from '../kernel/registry/types.ts';
import { ErrorBody } from './schemas.ts';

/**
 * The error answers of a route, for its OpenAPI document: one response per status, described by the
 * catalog codes it can carry (kernel/errors.ts), with one example body per code. A route declares the
 * answers of its own handler (`...errors('HUB_ERR_DEVICE_UNKNOWN', …)` in `response`); the answers of
 * the hooks every request passes (validation, login, role, origin, body parser, 500) are added to each
 * route by documentResponses (an onRoute hook in console/app.ts), from the route's own options.
 */

/** A catalog code, or one with the message (and details) it is answered with and a note on when. */
export type ErrorCase = ErrorCode | { code: ErrorCode; message?: string; details?: unknown; note?: string };

/** An OpenAPI example object: the message as its summary, when it is answered as its description. */
interface ErrorExample {
  summary: string;
  description?: string;
  value: { error: { code: ErrorCode; message: string; details?: unknown } };
}
type Examples = Record<string, ErrorExample>;
/** An error response's schema: ErrorBody, with its description and examples for @fastify/swagger. */
type ErrorEntry = typeof ErrorBody & { 'x-response-description': string; 'x-examples': Examples };
type Responses = Record<string, unknown>;

/** Fastify's bodyLimit when a route sets none, bytes. */
const DEFAULT_BODY_LIMIT = 1_048_576;
const STATE_CHANGING = ['POST', 'PUT', 'PATCH', 'DELETE'];

const entry = (status: number, examples: Examples): ErrorEntry => {
  const lines = Object.values(examples).map(
    (e) => `- \`${e.value.error.code}\`: ${e.summary}${e.description ? ` (${e.description})` : ''}`,
  );
  return T.Object(ErrorBody.properties, {
    'x-response-description': `${STATUS_CODES[status] ?? 'Error'}:\n\n${lines.join('\n')}`,
    'x-examples': examples,
  }) as ErrorEntry;
};

/** `response` with the error cases added: merged per status, a case already there not repeated. */
export function withErrors<R extends Responses>(response: R, cases: readonly ErrorCase[]): R {
  const out: Responses = { ...response };
  for (const c of cases) {
    const { code, details, note, ...given } = typeof c === 'string' ? { code: c } : c;
    const message = given.message ?? ERRORS[code].message;
    const status = ERRORS[code].status;
    const existing = out[status] as Partial<ErrorEntry> | undefined;
    if (existing && !existing['x-examples'])
      throw new Error(`status ${status} has a schema of its own: it cannot also document ${code}`);
    const examples = { ...existing?.['x-examples'] };
    const known = Object.values(examples).map((e) => e.value.error);
    if (known.some((e) => e.code === code && e.message === message)) continue;
    let name: string = code;
    for (let n = 2; name in examples; n++) name = `${code} (${n})`;
    const error = details === undefined ? { code, message } : { code, message, details };
    examples[name] = { summary: message, ...(note ? { description: note } : {}), value: { error } };
    out[status] = entry(status, examples);
  }
  return out as R;
}

/** The case of an error as a handler throws it (e.g. console/errors.ts invalidField): code, message, details. */
export const caseOf = (err: HubError, note?: string): ErrorCase => ({
  code: err.code,
  message: err.message,
  ...(err.details === undefined ? {} : { details: err.details }),
  ...(note ? { note } : {}),
});

/** The error responses of a route's handler, to spread into its `response` schemas. */
export const errors = (...cases: ErrorCase[]): Record<number, typeof ErrorBody> => withErrors({}, cases);

type Json = Record<string, unknown>;

/** The problem Ajv reports for a bad value of this property (console/errors.ts answers it), if a plain one. */
function problemOf(
  name: string,
  prop: Json,
): { path: string; message: string; allowedValues?: unknown[] } | null {
  const path = `/${name}`;
  if (Array.isArray(prop.enum))
    return { path, message: 'must be equal to one of the allowed values', allowedValues: prop.enum };
  if (typeof prop.pattern === 'string') return { path, message: `must match pattern "${prop.pattern}"` };
  if (typeof prop.format === 'string') return { path, message: `must match format "${prop.format}"` };
  if (prop.type === 'integer' || prop.type === 'boolean' || prop.type === 'number')
    return { path, message: `must be ${prop.type}` };
  return null;
}

/** A 400 this route's schemas answer: a required body field left out, else a bad path or query value. */
function validationCase(schema: FastifySchema): ErrorCase | null {
  const body = schema.body as Json | undefined;
  const required = (body?.required as string[] | undefined)?.[0];
  const parts: Array<[string, Json | undefined]> = [
    ['params', schema.params as Json | undefined],
    ['querystring', schema.querystring as Json | undefined],
  ];
  let problem: { in: string; path: string; message: string; allowedValues?: unknown[] } | null = null;
  if (required)
    problem = { in: 'body', path: `/${required}`, message: `must have required property '${required}'` };
  else if (body?.type === 'object') problem = { in: 'body', path: '', message: 'must be object' };
  for (const [where, part] of parts) {
    if (problem) break;
    for (const [name, prop] of Object.entries((part?.properties ?? {}) as Record<string, Json>)) {
      const p = problemOf(name, prop);
      if (p) {
        problem = { in: where, ...p };
        break;
      }
    }
  }
  // A body by media type (the import's) is checked by its handler, which declares its own 400s.
  if (!problem) return null;
  return {
    code: 'HUB_ERR_VALIDATION',
    message: `${problem.in}${problem.path} ${problem.message}`,
    details: { problems: [problem] },
  };
}

/** The media types a route's body is parsed from. */
const bodyTypes = (schema: FastifySchema): string[] => {
  const content = (schema.body as { content?: Json } | undefined)?.content;
  return content ? Object.keys(content) : ['application/json'];
};

/**
 * What the hooks before a route's handler can answer (console/app.ts): a 400 from its schemas, a 401
 * from the guard (not on public routes), a 403 from requireRole (naming the roles it admits) and from the
 * origin check (state-changing methods), 413 and 415 from the body parser (routes with a body) and the
 * 500 any route can give.
 */
export function impliedErrors(route: RouteOptions, roles: readonly Role[] | null): ErrorCase[] {
  const schema = route.schema ?? {};
  const cases: ErrorCase[] = [];
  const invalid = validationCase(schema);
  if (invalid) cases.push(invalid);
  if (!route.config?.public) cases.push('HUB_ERR_UNAUTHENTICATED');
  if (roles && roles.length < ROLES.length)
    cases.push({ code: 'HUB_ERR_FORBIDDEN', note: `for roles other than ${roles.join(', ')}` });
  if ([route.method].flat().some((m) => STATE_CHANGING.includes(m)))
    cases.push({
      code: 'HUB_ERR_FOREIGN_ORIGIN',
      details: { origin: 'https://example.com' },
      note: 'a request with the session cookie from a page of another origin',
    });
  if (schema.body) {
    cases.push({
      code: 'HUB_ERR_PAYLOAD_TOO_LARGE',
      message: 'Request body is too large',
      note: `over ${route.bodyLimit ?? DEFAULT_BODY_LIMIT} bytes`,
    });
    cases.push({
      code: 'HUB_ERR_UNSUPPORTED_MEDIA_TYPE',
      message: 'Unsupported Media Type',
      note: `the body is ${bodyTypes(schema).join(' or ')}`,
    });
  }
  cases.push('HUB_ERR_INTERNAL');
  return cases;
}

/**
 * onRoute: a documented route's answers described, its successes by their status (where the schema has
 * no description of its own) and its errors with those of the hooks it passes (impliedErrors).
 */
export function documentResponses(route: RouteOptions, roles: readonly Role[] | null): void {
  if (!route.schema || route.schema.hide) return;
  const response: Responses = { ...(route.schema.response as Responses | undefined) };
  for (const [status, schema] of Object.entries(response)) {
    const s = schema as Record<string, unknown>;
    if (status.startsWith('2') && !s.description && !s['x-response-description'])
      response[status] = { ...s, 'x-response-description': STATUS_CODES[Number(status)] };
  }
  route.schema = { ...route.schema, response: withErrors(response, impliedErrors(route, roles)) };
}
