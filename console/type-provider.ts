import type { Static, TSchema } from '@sinclair/typebox';
import type { FastifyTypeProvider } from 'fastify';

/**
 * Lets a TypeBox schema type the request and reply of a route (what @fastify/type-provider-typebox
 * does, in four lines): `app.withTypeProvider<TypeBoxProvider>()`.
 */
export interface TypeBoxProvider extends FastifyTypeProvider {
  validator: this['schema'] extends TSchema ? Static<this['schema']> : unknown;
  serializer: this['schema'] extends TSchema ? Static<this['schema']> : unknown;
}
