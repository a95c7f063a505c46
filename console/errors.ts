import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type ErrorCode, HubError } from '../kernel/errors.ts';

/** The one error shape of the API: `{ error: { code, message, details } }`. */
export interface ErrorReply {
  status: number;
  body: { error: { code: string; message: string; details?: unknown } };
  headers?: Record<string, string>;
}

export interface ValidationProblem {
  /** where the bad value was: body, params, querystring or headers */
  in: string;
  /** JSON pointer inside that part, e.g. `/type` */
  path: string;
  message: string;
  allowedValues?: readonly unknown[];
}

/** A 400 about one field of the request, in the shape Fastify's validation errors are answered in. */
export function invalidField(path: string, message: string, where = 'body'): HubError {
  const problem: ValidationProblem = { in: where, path, message };
  return new HubError('HUB_ERR_VALIDATION', `${where}${path} ${message}`, { problems: [problem] });
}

const reply = (status: number, code: ErrorCode, message: string, details?: unknown): ErrorReply => ({
  status,
  body: { error: details === undefined ? { code, message } : { code, message, details } },
});

function validationReply(err: FastifyError): ErrorReply {
  const where = err.validationContext ?? 'body';
  const problems: ValidationProblem[] = (err.validation ?? []).map((v) => {
    const allowed = (v.params as { allowedValues?: unknown }).allowedValues;
    // A missing or unknown property is reported on its parent object: name it in the path.
    const { missingProperty, additionalProperty } = v.params as Record<string, unknown>;
    const named = missingProperty ?? additionalProperty;
    const path = typeof named === 'string' ? `${v.instancePath}/${named}` : v.instancePath;
    return {
      in: where,
      path,
      message: v.message ?? 'is invalid',
      ...(Array.isArray(allowed) ? { allowedValues: allowed } : {}),
    };
  });
  // One problem per field: an `anyOf` (a nullable enum) also reports each branch and the anyOf itself.
  const seen = new Set<string>();
  const distinct = problems.filter((p) => !seen.has(p.path) && seen.add(p.path));
  const first = distinct[0];
  const message = first ? `${where}${first.path} ${first.message}` : err.message;
  return reply(400, 'HUB_ERR_VALIDATION', message, { problems: distinct });
}

/** Maps anything thrown in a route to the API's error shape. */
export function toErrorReply(err: unknown): ErrorReply {
  if (err instanceof HubError) {
    const out = reply(err.status, err.code, err.message, err.details);
    if (err.code === 'HUB_ERR_UNAUTHENTICATED' || err.code === 'HUB_ERR_BAD_CREDENTIALS') {
      out.headers = { 'www-authenticate': 'Bearer' };
    }
    const retry = (err.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
    if (err.code === 'HUB_ERR_RATE_LIMITED' && typeof retry === 'number')
      out.headers = { 'retry-after': String(retry) };
    return out;
  }
  const fe = err as Partial<FastifyError> & { errcode?: number };
  if (fe.validation) return validationReply(fe as FastifyError);
  // node:sqlite reports a violated UNIQUE/FOREIGN KEY constraint; checks in the routes come first, this is the net.
  if (fe.code === 'ERR_SQLITE_ERROR' && /constraint failed/i.test(fe.message ?? '')) {
    return reply(409, 'HUB_ERR_CONFLICT', 'already exists or still in use');
  }
  const status = fe.statusCode ?? 500;
  if (status === 413) return reply(413, 'HUB_ERR_PAYLOAD_TOO_LARGE', fe.message ?? 'request body too large');
  if (status === 415)
    return reply(415, 'HUB_ERR_UNSUPPORTED_MEDIA_TYPE', fe.message ?? 'unsupported content type');
  // Fastify's own client errors (bad JSON, empty body, …) carry a 4xx status and a safe message.
  if (status >= 400 && status < 500) return reply(400, 'HUB_ERR_VALIDATION', fe.message ?? 'invalid request');
  return reply(500, 'HUB_ERR_INTERNAL', 'internal error');
}

/** One error handler and one not-found handler for the whole app. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: unknown, request: FastifyRequest, res: FastifyReply) => {
    const out = toErrorReply(err);
    if (out.status >= 500) {
      request.log.error({ err }, 'request failed');
    } else {
      // Client errors: the code only. Details can quote submitted values (never log bodies).
      request.log.info({ code: out.body.error.code, status: out.status }, 'request refused');
    }
    if (out.headers) res.headers(out.headers);
    return res.code(out.status).send(out.body);
  });
  app.setNotFoundHandler((request, res) => {
    const path = request.url.split('?')[0] ?? '/';
    const out = reply(404, 'HUB_ERR_NOT_FOUND', `no route ${request.method} ${path}`);
    return res.code(out.status).send(out.body);
  });
}
