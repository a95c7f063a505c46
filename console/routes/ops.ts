import { Type as T } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import * as X from '../api-examples.ts';
import { METRICS_TOKEN_REQUIRED, metricsAccess } from '../auth/metrics-access.ts';
import type { RouteContext } from '../context.ts';
import { errors } from '../error-responses.ts';
import { PUBLIC, withExample } from '../schemas.ts';

/** Prometheus text exposition format 0.0.4. */
const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const Health = T.Object({
  status: T.Union([T.Literal('ok'), T.Literal('unavailable')]),
  mqtt: T.Boolean({ description: 'the MQTT listeners are up' }),
  clients: T.Integer({ description: 'connected MQTT clients' }),
  db: T.Union([T.Literal('ok'), T.Literal('error')]),
});

/** Health and metrics: no login (a load balancer and Prometheus call them). */
export function opsRoutes(ctx: RouteContext): FastifyPluginAsync {
  return async (app) => {
    app.get(
      '/healthz',
      {
        config: { public: true },
        schema: {
          tags: ['ops'],
          summary: 'Liveness: 200 when the MQTT listeners and the database answer, else 503',
          security: PUBLIC,
          response: {
            200: { ...withExample(Health, X.HEALTH_OK), 'x-response-description': 'the hub is up' },
            503: {
              ...withExample(Health, X.HEALTH_DOWN),
              'x-response-description': 'an MQTT listener is down or the database does not answer',
            },
          },
        },
      },
      async (request, reply) => {
        const { mqtt, clients } = ctx.health();
        let db: 'ok' | 'error' = 'ok';
        try {
          await ctx.storeHealth.ping();
        } catch (err) {
          db = 'error';
          request.log.warn({ err }, 'health check: database does not answer');
        }
        const ok = mqtt && db === 'ok';
        return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', mqtt, clients, db });
      },
    );

    app.get(
      '/metrics',
      {
        config: { public: true },
        onRequest: metricsAccess(ctx.config),
        schema: {
          tags: ['ops'],
          summary: 'Metrics in the Prometheus text format',
          description: 'With config metricsAuth token, only with `Authorization: Bearer <metricsToken>`.',
          security: PUBLIC,
          response: {
            200: {
              description: 'the text exposition format 0.0.4',
              content: { [PROMETHEUS_CONTENT_TYPE]: { schema: T.String(), example: X.METRICS } },
            },
            ...errors({ code: 'HUB_ERR_UNAUTHENTICATED', message: METRICS_TOKEN_REQUIRED }),
          },
        },
      },
      async (_request, reply) => reply.type(PROMETHEUS_CONTENT_TYPE).send(await ctx.metrics.render()),
    );
  };
}
