import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { HubError } from '../../kernel/errors.ts';

/** The pages' files: console/web/ (our plain HTML/JS/CSS) and uPlot's build (charts). */
const WEB_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', 'web');
const UPLOT_DIST = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'node_modules', 'uplot', 'dist');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

/**
 * Same-origin scripts, styles and connections only (the live channel is same-origin); no frames.
 * `style-src 'unsafe-inline'`: uPlot sets element styles.
 */
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

interface Asset {
  body: Buffer;
  type: string;
}

function walk(dir: string, into: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, into);
    else into.push(path);
  }
  return into;
}

/** Every page file, read once at boot: URL path → body. `dir/index.html` is also served as `dir/`. */
function loadAssets(): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const file of walk(WEB_ROOT)) {
    const type = TYPES[extname(file)];
    if (!type) continue;
    const url = `/${relative(WEB_ROOT, file).split(sep).join('/')}`;
    const asset = { body: readFileSync(file), type };
    assets.set(url, asset);
    if (url.endsWith('/index.html')) assets.set(url.slice(0, -'index.html'.length), asset);
  }
  for (const [name, file] of [
    ['/vendor/uplot.js', 'uPlot.iife.min.js'],
    ['/vendor/uplot.css', 'uPlot.min.css'],
  ] as const) {
    const type = TYPES[extname(name)] ?? 'application/octet-stream';
    assets.set(name, { body: readFileSync(join(UPLOT_DIST, file)), type });
  }
  return assets;
}

const send = (reply: FastifyReply, asset: Asset) =>
  reply
    .type(asset.type)
    .header('content-security-policy', CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'same-origin')
    // Pages change with the hub's version; revalidate rather than serve a stale console on a wall screen.
    .header('cache-control', 'no-cache')
    .send(asset.body);

/**
 * The consoles' pages (issues 7 and 8): static files, no data in them (every figure comes from the API
 * after login), so they are public. `/` is the login page; each role has its own folder.
 */
export function pageRoutes(): FastifyPluginAsync {
  return async (app) => {
    const assets = loadAssets();
    app.get('/*', { config: { public: true }, schema: { hide: true } }, async (request, reply) => {
      const path = new URL(request.url, 'http://hub').pathname;
      // /api/… that matched no route is the API's 404, not a page.
      const asset = path.startsWith('/api/') ? undefined : assets.get(path);
      if (asset) return send(reply, asset);
      // A folder without its trailing slash: /dispatch → /dispatch/
      if (assets.has(`${path}/`)) return reply.redirect(`${path}/`);
      throw new HubError('HUB_ERR_NOT_FOUND', 'no such page');
    });
  };
}
