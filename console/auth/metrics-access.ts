import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { HubConfig } from '../../kernel/config.ts';
import { HubError } from '../../kernel/errors.ts';

/** The 401's message without the token (also the OpenAPI document's example). */
export const METRICS_TOKEN_REQUIRED = 'metrics token required (metricsAuth is token)';

/**
 * Who may read the operators' surfaces, /metrics and the OpenAPI document (config metricsAuth): anyone
 * who reaches the port ('none', the default: a Prometheus on a private network, as most exporters are
 * scraped), or only a request with `Authorization: Bearer <metricsToken>` ('token'). Neither carries
 * household or device ids: metric labels are routes, reasons, kinds and channels only.
 */
export function metricsAccess(config: Pick<HubConfig, 'metricsAuth' | 'metricsToken'>) {
  const expected = config.metricsAuth === 'token' ? Buffer.from(config.metricsToken ?? '') : null;
  return async function requireMetricsToken(request: FastifyRequest): Promise<void> {
    if (!expected) return;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
    const given = Buffer.from(match?.[1] ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      throw new HubError('HUB_ERR_UNAUTHENTICATED', METRICS_TOKEN_REQUIRED);
  };
}
