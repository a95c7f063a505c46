import helmet from '@fastify/helmet';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyPluginAsync, onRouteHookHandler } from 'fastify';
import type { HubConfig } from '../../kernel/config.ts';
import { metricsAccess } from '../auth/metrics-access.ts';
import { PAGE_HEADERS } from '../page-headers.ts';

/** Where the API docs are: the UI at /api/docs, the OpenAPI document at /api/docs/json (and /yaml). */
export const DOCS_PREFIX = '/api/docs';

type MetricsAuth = Pick<HubConfig, 'metricsAuth' | 'metricsToken'>;

/**
 * onRoute, added before the guard's check (console/app.ts): every route under DOCS_PREFIX is public to
 * the guard (no session) and readable like /metrics (config metricsAuth). @fastify/swagger-ui registers
 * its routes (the page, its scripts and styles, the document) without our route config, so they are
 * marked here, by their path, all of them.
 */
export function docsAccess(config: MetricsAuth): onRouteHookHandler {
  const check = metricsAccess(config);
  return (route) => {
    if (route.url !== DOCS_PREFIX && !route.url.startsWith(`${DOCS_PREFIX}/`)) return;
    route.config = { ...route.config, public: true };
    route.onRequest = [...[route.onRequest ?? []].flat(), check];
  };
}

/**
 * The API docs (issue 22): Swagger UI (@fastify/swagger-ui, its own static build, nothing fetched from
 * elsewhere) over the OpenAPI document @fastify/swagger generates from the route schemas. The page has
 * the consoles' headers (console/page-headers.ts): the same CSP, no relaxation; Swagger UI's online
 * validator badge is off (it would fetch from validator.swagger.io).
 */
export function docsRoutes(): FastifyPluginAsync {
  return async (app) => {
    await app.register(helmet, PAGE_HEADERS);
    await app.register(swaggerUi, {
      routePrefix: DOCS_PREFIX,
      validatorUrl: false,
      uiConfig: { docExpansion: 'list', deepLinking: true, displayRequestDuration: true },
      theme: { title: 'Elder-care hub API' },
    });
  };
}
