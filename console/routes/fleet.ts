import type { FastifyPluginAsync } from 'fastify';
import type { RouteContext } from '../context.ts';

/** Placeholder: filled in by the fleet work (issue 7/8). */
export function fleetRoutes(_ctx: RouteContext): FastifyPluginAsync {
  return async () => {};
}
