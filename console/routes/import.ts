import { Type as T } from '@sinclair/typebox';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { HubError } from '../../kernel/errors.ts';
import { type ImportFormat, importProvisioning } from '../../kernel/provisioning/index.ts';
import { MAX_DEPTH, tooDeepAt } from '../../kernel/provisioning/parse-json.ts';
import * as X from '../api-examples.ts';
import { ADMIN } from '../auth/guard.ts';
import type { RouteContext } from '../context.ts';
import { caseOf, errors } from '../error-responses.ts';
import { invalidField } from '../errors.ts';
import { ImportReport } from '../response-schemas.ts';
import { SECURED, withExample } from '../schemas.ts';
import { NO_STORE } from './lookups.ts';

/** bytes; a county's list (thousands of homes × 3–8 device rows × ~200 B) fits with room. */
const IMPORT_BODY_LIMIT = 16 * 1024 * 1024;

const ImportRequest = T.Object({
  format: T.Unsafe<ImportFormat>({ type: 'string', enum: ['json', 'csv'] }),
  content: T.String({ description: 'the provisioning file, as text' }),
});
const ProvisioningDocument = T.Object(
  {
    households: T.Optional(T.Array(T.Unknown())),
    responders: T.Optional(T.Array(T.Unknown())),
    users: T.Optional(T.Array(T.Unknown())),
  },
  { description: 'a provisioning document as in docs/provisioning.md' },
);
/** What to import: CSV text, a JSON `{format, content}` wrapper, or a JSON provisioning document itself. */
function importInput(request: FastifyRequest): { format: ImportFormat; content: string } {
  const raw = typeof request.body === 'string' ? request.body : '';
  const mediaType = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (mediaType === 'text/csv') return { format: 'csv', content: raw };
  // Only what this plugin's parser took (application/json) reaches here; anything else is refused with 415.
  // A body nested too deep is handed to the importer unparsed: it refuses it after one scan, where
  // JSON.parse of 6 MB of brackets alone would hold the event loop (and the alarm path) for 0.5 s.
  if (tooDeepAt(raw, MAX_DEPTH) !== null) return { format: 'json', content: raw };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    // Not JSON at all: the importer reports the syntax error with its line.
    return { format: 'json', content: raw };
  }
  if (parsed === null || typeof parsed !== 'object' || !('content' in parsed))
    return { format: 'json', content: raw };
  const { format, content } = parsed as Record<string, unknown>;
  if (format !== 'json' && format !== 'csv') throw invalidField('/format', 'must be json or csv');
  if (typeof content !== 'string') throw invalidField('/content', 'must be the file as a string');
  return { format, content };
}

/**
 * Provisioning import (admin): all or nothing, the same as `npm run hub -- import FILE`. The body holds
 * passwords and the answer new secrets: neither is ever logged, and the answer is not cached.
 */
export function importRoutes(ctx: RouteContext): FastifyPluginAsync {
  return async (app) => {
    // This plugin's parsers only (encapsulated): the importer reads the raw text, so a problem names its line.
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser(
      ['application/json', 'text/csv'],
      { parseAs: 'string', bodyLimit: IMPORT_BODY_LIMIT },
      (_request, body, done) => done(null, body),
    );

    app.post(
      '/import',
      {
        preHandler: ctx.guard.requireRole(ADMIN),
        bodyLimit: IMPORT_BODY_LIMIT,
        // The body is raw text, checked by importInput and the importer; the schema below documents it.
        validatorCompiler: () => (value) => ({ value }),
        schema: {
          tags: ['import'],
          summary: 'Import a provisioning file (JSON or CSV); nothing is imported when a row is bad',
          security: SECURED,
          body: {
            content: {
              'application/json': {
                schema: withExample(T.Union([ImportRequest, ProvisioningDocument]), {
                  format: 'csv',
                  content: X.IMPORT_CSV,
                }),
              },
              'text/csv': {
                schema: withExample(
                  T.String({ description: 'CSV with a header row, one row per device' }),
                  X.IMPORT_CSV,
                ),
              },
            },
          },
          response: {
            200: ImportReport,
            ...errors(caseOf(invalidField('/format', 'must be json or csv')), {
              code: 'HUB_ERR_IMPORT_INVALID',
              details: {
                problems: [
                  {
                    line: 3,
                    path: 'room',
                    reason:
                      'unknown room "cellar" (one of bedroom, bathroom, kitchen, living, entrance, other)',
                  },
                ],
              },
              note: 'every bad row is listed with its line; nothing was imported',
            }),
          },
        },
      },
      async (request, reply) => {
        const input = importInput(request);
        // A user whose password the file changes loses their sessions, in the import's transaction.
        const report = await importProvisioning(ctx.registry, input, {
          passwordChanged: async (userId) => {
            await ctx.sessions.deleteSessions(userId);
          },
        });
        reply.headers(NO_STORE);
        if (!report.ok) {
          request.log.info({ problems: report.problems.length }, 'import refused');
          throw new HubError('HUB_ERR_IMPORT_INVALID', undefined, { problems: report.problems });
        }
        request.log.info({ format: input.format, counts: report.counts }, 'import done');
        return report;
      },
    );
  };
}
