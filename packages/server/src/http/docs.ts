/**
 * The self-description of the server: `GET /api/openapi.json` (generated from the same zod
 * schemas that validate requests), `GET /api/docs` (a browsable reference rendered in the page
 * from that document, loading nothing from the internet) and `GET /metrics` (Prometheus).
 */
import type { AppContext } from '../context.js';
import { SERVER_VERSION } from './health.js';
import type { PalisadeApp } from './route.js';

export const OPENAPI_PATH = '/api/openapi.json';

export function registerDocsRoutes(app: PalisadeApp, context: AppContext): void {
  app.openAPIRegistry.registerComponent('securitySchemes', 'session', {
    type: 'http',
    scheme: 'bearer',
    description: 'The token from POST /api/v1/auth/login',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'device', {
    type: 'http',
    scheme: 'bearer',
    description: 'The device credential `<deviceId>.<secret>` returned by enroll',
  });
  app.doc31(OPENAPI_PATH, () => ({
    openapi: '3.1.0',
    info: {
      title: 'Palisade API',
      version: SERVER_VERSION,
      description:
        'Admin API (/api/v1) and agent protocol (/agent/v1). Every operation carries the least ' +
        'role it needs as x-palisade-access (public, device, reader, security-manager, administrator).',
    },
    servers: [{ url: context.options.publicUrl || '/' }],
  }));
  app.get('/api/docs', (c) => c.html(DOCS_PAGE));
  app.get('/metrics', async (c) => {
    const text = await context.metrics.registry.metrics();
    return c.body(text, 200, { 'content-type': context.metrics.registry.contentType });
  });
}

/** The API reference: fetches the OpenAPI document and renders every operation. */
const DOCS_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Palisade API reference</title>
<style>
  body { font: 14px/1.45 system-ui, sans-serif; margin: 0; color: #1d2433; background: #f6f7f9; }
  header { background: #1d2433; color: #fff; padding: 16px 24px; }
  header a { color: #9cc3ff; }
  main { max-width: 1100px; margin: 0 auto; padding: 16px 24px 48px; }
  input { width: 100%; padding: 8px; font-size: 14px; margin: 8px 0 16px; box-sizing: border-box; }
  h2 { margin: 24px 0 8px; text-transform: capitalize; }
  details { background: #fff; border: 1px solid #dde1e7; border-radius: 6px; margin: 6px 0; }
  summary { cursor: pointer; padding: 8px 12px; display: flex; gap: 12px; align-items: baseline; }
  .method { font: 600 12px monospace; width: 60px; text-transform: uppercase; }
  .get { color: #1a7f37; } .post { color: #0550ae; } .patch, .put { color: #9a6700; } .delete { color: #cf222e; }
  .path { font-family: monospace; }
  .access { margin-left: auto; font-size: 12px; background: #eef1f5; border-radius: 10px; padding: 1px 8px; }
  .body { padding: 4px 16px 12px; }
  pre { background: #f6f8fa; padding: 8px; overflow: auto; max-height: 360px; font-size: 12px; }
  h4 { margin: 12px 0 4px; }
</style>
</head>
<body>
<header><strong>Palisade API reference</strong> · the machine-readable document is
<a href="/api/openapi.json">/api/openapi.json</a></header>
<main>
<p id="intro"></p>
<input id="filter" placeholder="Filter by path, tag or summary" autofocus>
<div id="ops">Loading…</div>
</main>
<script>
const el = (tag, attrs, ...children) => {
  const node = document.createElement(tag);
  Object.assign(node, attrs || {});
  for (const child of children) node.append(child);
  return node;
};
function resolve(doc, schema) {
  if (schema && schema.$ref) {
    const name = schema.$ref.split('/').pop();
    return doc.components.schemas[name];
  }
  return schema;
}
function block(title, value) {
  return [el('h4', { textContent: title }), el('pre', { textContent: JSON.stringify(value, null, 2) })];
}
function render(doc) {
  document.getElementById('intro').textContent = doc.info.description || '';
  const byTag = new Map();
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const tag = (op.tags && op.tags[0]) || 'other';
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag).push({ path, method, op });
    }
  }
  const ops = document.getElementById('ops');
  ops.textContent = '';
  for (const [tag, list] of byTag) {
    ops.append(el('h2', { textContent: tag, className: 'tag' }));
    for (const { path, method, op } of list) {
      const body = el('div', { className: 'body' });
      if (op.description) body.append(el('p', { textContent: op.description }));
      if (op.parameters && op.parameters.length) body.append(...block('Parameters', op.parameters));
      const request = op.requestBody && op.requestBody.content && op.requestBody.content['application/json'];
      if (request) body.append(...block('Request body', resolve(doc, request.schema)));
      for (const [status, response] of Object.entries(op.responses || {})) {
        const content = response.content && response.content['application/json'];
        if (status.startsWith('2')) {
          body.append(...block(status + ' ' + (response.description || ''), content ? resolve(doc, content.schema) : null));
        }
      }
      const line = el('summary', {},
        el('span', { className: 'method ' + method, textContent: method }),
        el('span', { className: 'path', textContent: path }),
        el('span', { textContent: op.summary || '' }),
        el('span', { className: 'access', textContent: op['x-palisade-access'] || '' }));
      const details = el('details', {}, line, body);
      details.dataset.search = (tag + ' ' + method + ' ' + path + ' ' + (op.summary || '')).toLowerCase();
      ops.append(details);
    }
  }
}
fetch('/api/openapi.json').then((r) => r.json()).then(render).catch((error) => {
  document.getElementById('ops').textContent = 'Could not load the API document: ' + error;
});
document.getElementById('filter').addEventListener('input', (event) => {
  const words = event.target.value.toLowerCase().split(/\\s+/).filter(Boolean);
  for (const details of document.querySelectorAll('details')) {
    details.hidden = !words.every((word) => details.dataset.search.includes(word));
  }
});
</script>
</body>
</html>
`;
