import type { FastifyHelmetOptions } from '@fastify/helmet';

/**
 * Same-origin scripts, styles and connections only (the live channel is same-origin); no frames.
 * `style-src 'unsafe-inline'`: uPlot sets element styles, and so does Swagger UI (React style props).
 */
const CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  frameAncestors: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
};

/**
 * @fastify/helmet's headers of every page the hub serves (the consoles, the API docs UI): the CSP above,
 * nosniff, same-origin referrer, no framing.
 */
export const PAGE_HEADERS: FastifyHelmetOptions = {
  contentSecurityPolicy: { useDefaults: false, directives: CSP_DIRECTIVES },
  referrerPolicy: { policy: 'same-origin' },
  // The hub serves plain http on the LAN as well: HSTS would be a promise it cannot always keep.
  strictTransportSecurity: false,
};
