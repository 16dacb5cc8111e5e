/**
 * The web portal: the built single-page app (packages/web/dist) at `/`, with every unknown
 * non-API path answered by its index.html so client-side routes survive a reload. When the portal
 * has not been built, `/` says so and how to build it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import type { AppContext } from '../context.js';
import type { PalisadeApp } from './route.js';

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Palisade</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:640px;margin:64px auto;padding:0 24px;color:#1d2433}
code{background:#eef1f5;padding:2px 6px;border-radius:4px}</style></head>
<body><h1>Palisade</h1>
<p>The server is running, but the web portal is not built.</p>
<p>Build it with <code>npm run build</code> (or <code>npm start</code>, which builds everything), then reload.</p>
<p>Meanwhile: the <a href="/api/docs">API reference</a>, <a href="/healthz">health</a>, and the
<code>palisade</code> command line.</p></body></html>`;

/** Paths that belong to the server, never to the portal's client-side router. */
function isServerPath(path: string): boolean {
  return (
    path.startsWith('/api/') ||
    path.startsWith('/agent/') ||
    path === '/healthz' ||
    path === '/metrics'
  );
}

export function registerPortal(app: PalisadeApp, context: AppContext): void {
  const root = context.options.webRoot;
  const index = root ? join(root, 'index.html') : null;
  if (!root || !index || !existsSync(index)) {
    app.get('/', (c) => c.html(NOT_BUILT_PAGE));
    return;
  }
  app.use('*', async (c, next) => {
    if (isServerPath(c.req.path) || (c.req.method !== 'GET' && c.req.method !== 'HEAD')) {
      return next();
    }
    return serveStatic({ root })(c, next);
  });
  // Read per request: a rebuilt portal is served without restarting the server.
  app.get('*', async (c, next) => {
    if (isServerPath(c.req.path)) return next();
    return c.html(readFileSync(index, 'utf8'));
  });
}
