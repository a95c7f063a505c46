import { readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import helmet from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { HubError } from '../../kernel/errors.ts';
import { PAGE_HEADERS } from '../page-headers.ts';

/** The pages' files: console/web/ (our plain HTML/JS/CSS) and uPlot's build (charts). */
const WEB_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', 'web');
const UPLOT_DIST = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'node_modules', 'uplot', 'dist');

/** What a page is made of; other files of the folder (type declarations, its tsconfig) are not served. */
const SERVED = /\.(html|js|css|svg|png|json|webmanifest)$/;

/** The files a page may be: what the web folder holds, by URL path (never anything outside it). */
function pageFiles(): Set<string> {
  const files = new Set<string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (SERVED.test(name) && name !== 'tsconfig.json')
        files.add(`/${relative(WEB_ROOT, path).split(sep).join('/')}`);
    }
  };
  walk(WEB_ROOT);
  return files;
}

const VENDOR: Record<string, string> = {
  '/vendor/uplot.js': 'uPlot.iife.min.js',
  '/vendor/uplot.css': 'uPlot.min.css',
};

/**
 * The consoles' pages (issues 7 and 8): static files, no data in them (every figure comes from the API
 * after login), so they are public. `/` is the login page; each role has its own folder. Served by
 * @fastify/static (ETag and Last-Modified, so a browser revalidates and gets a 304; `no-cache`: pages
 * change with the hub's version, a wall screen must not keep a stale console) with @fastify/helmet's
 * headers (console/page-headers.ts: the CSP, nosniff, same-origin referrer, no framing).
 */
export function pageRoutes(): FastifyPluginAsync {
  return async (app) => {
    await app.register(helmet, PAGE_HEADERS);
    await app.register(fastifyStatic, { root: WEB_ROOT, serve: false, cacheControl: false });
    const files = pageFiles();
    const send = (reply: FastifyReply, file: string, root?: string) =>
      reply.header('cache-control', 'no-cache').sendFile(file, root ?? WEB_ROOT);
    app.get('/*', { config: { public: true }, schema: { hide: true } }, async (request, reply) => {
      const path = new URL(request.url, 'http://hub').pathname;
      // /api/… that matched no route is the API's 404, not a page.
      if (path.startsWith('/api/')) throw new HubError('HUB_ERR_NOT_FOUND', 'no such page');
      const vendor = VENDOR[path];
      if (vendor) return send(reply, vendor, UPLOT_DIST);
      if (files.has(path)) return send(reply, path.slice(1));
      if (path.endsWith('/') && files.has(`${path}index.html`))
        return send(reply, `${path.slice(1)}index.html`);
      // A folder without its trailing slash: /dispatch → /dispatch/
      if (files.has(`${path}/index.html`)) return reply.redirect(`${path}/`);
      throw new HubError('HUB_ERR_NOT_FOUND', 'no such page');
    });
  };
}
