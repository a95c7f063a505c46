import { Type as T } from '@sinclair/typebox';
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import { HubError } from '../../kernel/errors.ts';
import type { BodyMediaType } from '../../kernel/provisioning/import-body.ts';
import type { ImportJobView, JobHolder } from '../../kernel/provisioning/import-jobs.ts';
import type { ImportFormat } from '../../kernel/provisioning/index.ts';
import * as X from '../api-examples.ts';
import { ADMIN } from '../auth/guard.ts';
import type { RouteContext } from '../context.ts';
import { caseOf, type ErrorCase, errors } from '../error-responses.ts';
import { invalidField } from '../errors.ts';
import { ImportJob, ImportJobList, ImportReport, ImportSecrets } from '../response-schemas.ts';
import { SECURED, withExample } from '../schemas.ts';
import { NO_STORE } from './lookups.ts';

/**
 * bytes; a county of 60,000 homes × 3 devices is 44 MB as indented JSON (simulators/bench/import-jobs.ts),
 * parsed on the checker's thread, not this one.
 */
const IMPORT_BODY_LIMIT = 96 * 1024 * 1024;

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
const IMPORT_BODY = {
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
};
const JobParams = T.Object({ id: T.String({ format: 'uuid', examples: [X.IMPORT_JOB_ID] }) });
/** Another import holds the registry: one at a time. */
const RUNNING: ErrorCase = 'HUB_ERR_IMPORT_RUNNING';
const NO_JOB: ErrorCase = { code: 'HUB_ERR_NOT_FOUND', message: 'no such import job' };

/** The body as bytes, with the media type this plugin's parser accepted (anything else got 415). */
function bodyOf(request: FastifyRequest): { mediaType: BodyMediaType; body: Uint8Array } {
  const mediaType = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  const body = request.body instanceof Uint8Array ? request.body : new Uint8Array();
  return { mediaType: mediaType === 'text/csv' ? 'text/csv' : 'application/json', body };
}

/**
 * Provisioning import (admin), all or nothing, the same as `npm run hub -- import FILE`; the file is
 * checked on a worker thread and written in short journalled batches (kernel/provisioning/import-job.ts).
 * `POST /import` waits for the import and undoes it if its connection closes before the commit;
 * `POST /import/jobs` answers at once with a job to poll. The body holds passwords and the answers new
 * secrets: neither is ever logged, and no answer is cached.
 */
export function importRoutes(ctx: RouteContext): FastifyPluginAsync {
  return async (app) => {
    // This plugin's parsers only (encapsulated): the checker reads the raw bytes, so a problem names its line.
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser(
      ['application/json', 'text/csv'],
      { parseAs: 'buffer', bodyLimit: IMPORT_BODY_LIMIT },
      (_request, body, done) => done(null, body),
    );
    app.addHook('onSend', async (_request, reply) => {
      reply.headers(NO_STORE);
    });
    waitingImport(app, ctx);
    importJobs(app, ctx);
  };
}

function waitingImport(app: FastifyInstance, ctx: RouteContext): void {
  app.post(
    '/import',
    {
      preHandler: ctx.guard.requireRole(ADMIN),
      bodyLimit: IMPORT_BODY_LIMIT,
      // The body is raw bytes, checked by the import checker; the schema below documents it.
      validatorCompiler: () => (value) => ({ value }),
      schema: {
        tags: ['import'],
        summary:
          'Import a provisioning file (JSON or CSV) and wait for it; nothing is imported when a row is bad or the connection closes first',
        security: SECURED,
        body: IMPORT_BODY,
        response: {
          200: ImportReport,
          ...errors(RUNNING, caseOf(invalidField('/format', 'must be json or csv')), {
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
    async (request) => {
      const user = ctx.guard.userOf(request);
      const job = beginImport(ctx, request, 'request');
      // The client gave up before the commit: the job is undone and its secrets are never handed out.
      const gone = () => job.abandon('the client disconnected before the import committed');
      request.raw.socket.once('close', gone);
      const status = await job.done.finally(() => request.raw.socket.off('close', gone));
      if (status.state === 'invalid' && status.invalidField)
        throw invalidField(status.invalidField.path, status.invalidField.reason);
      if (status.state === 'refused') {
        request.log.info({ problems: status.problems.length }, 'import refused');
        throw new HubError('HUB_ERR_IMPORT_INVALID', undefined, { problems: status.problems });
      }
      if (status.state !== 'committed') throw new Error(`import ${status.state}: ${status.reason ?? ''}`);
      // Closed after the commit: the secrets stay with the job for its starter (GET /import/jobs).
      const secrets = request.raw.socket.destroyed
        ? []
        : ctx.imports.takeSecrets(job.id, user.id, { ifAny: true });
      request.log.info({ counts: status.counts }, 'import done');
      return { ok: true, problems: [], counts: status.counts, secrets };
    },
  );
}

function importJobs(app: FastifyInstance, ctx: RouteContext): void {
  const guarded = { preHandler: ctx.guard.requireRole(ADMIN) };
  const tags = ['import'];
  app.post(
    '/import/jobs',
    {
      ...guarded,
      bodyLimit: IMPORT_BODY_LIMIT,
      validatorCompiler: () => (value) => ({ value }),
      schema: {
        tags,
        summary:
          'Start an import job (the same body as POST /import): answers 202 at once; poll its state at least every 15 s or it is undone',
        security: SECURED,
        body: IMPORT_BODY,
        response: { 202: ImportJob, ...errors(RUNNING) },
      },
    },
    async (request, reply) => {
      const user = ctx.guard.userOf(request);
      const job = beginImport(ctx, request, 'lease');
      reply.code(202).header('location', `/api/import/jobs/${job.id}`);
      return ctx.imports.view(job.id, user.id);
    },
  );
  app.get(
    '/import/jobs',
    {
      ...guarded,
      schema: {
        tags,
        summary: 'The recent import jobs, newest first',
        security: SECURED,
        response: { 200: ImportJobList },
      },
    },
    async () => ({ jobs: ctx.imports.list() }),
  );
  app.get<{ Params: { id: string } }>(
    '/import/jobs/:id',
    {
      ...guarded,
      schema: {
        tags,
        summary: "An import job's state and progress (asked by its starter, it keeps the job alive)",
        security: SECURED,
        params: JobParams,
        response: { 200: ImportJob, ...errors(NO_JOB) },
      },
    },
    async (request): Promise<ImportJobView> =>
      ctx.imports.view(request.params.id, ctx.guard.userOf(request).id),
  );
  app.delete<{ Params: { id: string } }>(
    '/import/jobs/:id',
    {
      ...guarded,
      schema: {
        tags,
        summary: 'Cancel an import job before its commit: what it wrote is undone (409 once committed)',
        security: SECURED,
        params: JobParams,
        response: {
          202: ImportJob,
          ...errors(NO_JOB, {
            code: 'HUB_ERR_IMPORT_STATE',
            message: 'the import has committed: it can no longer be cancelled',
          }),
        },
      },
    },
    async (request, reply) => {
      reply.code(202);
      return ctx.imports.cancel(request.params.id);
    },
  );
  app.get<{ Params: { id: string } }>(
    '/import/jobs/:id/secrets',
    {
      ...guarded,
      schema: {
        tags,
        summary:
          "A committed import's new secrets, once, to the admin who started it (410 after that, or an hour after the commit)",
        security: SECURED,
        params: JobParams,
        response: {
          200: ImportSecrets,
          ...errors(
            NO_JOB,
            {
              code: 'HUB_ERR_FORBIDDEN',
              message: 'only the admin who started the import may take its secrets',
            },
            { code: 'HUB_ERR_SECRETS_GONE', message: 'the secrets of this import are taken' },
            {
              code: 'HUB_ERR_IMPORT_STATE',
              message: 'the import has no secrets to take (not committed, or none new)',
            },
          ),
        },
      },
    },
    async (request) => ({
      secrets: ctx.imports.takeSecrets(request.params.id, ctx.guard.userOf(request).id),
    }),
  );
}

/** Starts the request's import as a job of its admin, held by the request or by a lease. */
function beginImport(ctx: RouteContext, request: FastifyRequest, holder: JobHolder) {
  return ctx.imports.begin({
    ...bodyOf(request),
    startedBy: ctx.guard.userOf(request).id,
    holder,
    // A user whose password the file changes loses their sessions, in the transaction that changes it.
    hooks: {
      passwordChanged: async (userId: number) => {
        await ctx.sessions.deleteSessions(userId);
      },
    },
  });
}
