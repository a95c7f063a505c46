import type { FastifyPluginAsync } from 'fastify';
import type { RouteContext } from '../context.ts';

/** Placeholder: filled in by the rhythm work (issue 7/8). */
export function rhythmRoutes(_ctx: RouteContext): FastifyPluginAsync {
  return async () => {};
}
