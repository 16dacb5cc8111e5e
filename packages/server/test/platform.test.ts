import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { nodeFlagsHint, parseServeOptions, SERVE_NODE_FLAGS } from '../src/main.js';
import { apiClient, signIn } from './http.js';
import { describeEachStore } from './stores.js';

describeEachStore('platform', (target) => {
  it('answers /healthz with the database it uses', async () => {
    const server = await target.startServer();
    const answer = await apiClient(server.url).get<{ status: string; database: string }>(
      '/healthz',
    );
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ status: 'ok', database: target.kind });
  });

  it('creates the first tenant once, however often the server starts', async () => {
    const first = await target.startServer();
    const second = await target.startServer();
    expect(second.firstStart.tenantId).toBe(first.firstStart.tenantId);
    const store = await target.openStore();
    const tenants = await store.db.selectFrom('tenants').select('id').execute();
    expect(tenants).toHaveLength(1);
  });

  it('answers unknown routes with a JSON 404 in the error format', async () => {
    const server = await target.startServer();
    const answer = await apiClient(server.url).get<{ error: { code: string } }>('/api/v1/nothing');
    expect(answer.status).toBe(404);
    expect(answer.body.error.code).toBe('not_found');
  });
});

describe('the node flags palisade serve asks for', () => {
  it('says which are missing and how to pass them, and nothing once given', () => {
    const hint = nodeFlagsHint([], undefined);
    expect(hint).toContain('--max-semi-space-size=64');
    expect(hint).toContain('NODE_OPTIONS=--max-semi-space-size=64');
    expect(nodeFlagsHint([...SERVE_NODE_FLAGS], undefined)).toBeUndefined();
    expect(nodeFlagsHint(['--max-semi-space-size=32'], undefined)).toBeUndefined();
    expect(nodeFlagsHint([], '--enable-source-maps --max-semi-space-size=64')).toBeUndefined();
    expect(nodeFlagsHint(['--max-old-space-size=4096'], '')).toContain('--max-semi-space-size');
  });
});

describe('palisade serve options', () => {
  it('reads port and database from the environment, flags first', () => {
    const options = parseServeOptions(['--port', '9000'], {
      PORT: '7000',
      PALISADE_DATABASE_URL: 'postgres://db/palisade',
    });
    expect(options.port).toBe(9000);
    expect(options.database).toBe('postgres://db/palisade');
  });

  it('names the bad option', () => {
    expect(() => parseServeOptions(['--port', 'eighty'], {})).toThrow(/--port/);
    expect(() => parseServeOptions(['--database', 'mysql://x'], {})).toThrow(/--database/);
  });
});

describeEachStore('first start', (target) => {
  // Several processes on one database is a PostgreSQL deployment; SQLite is one process per file
  // (two stores on one file in one process would wait on each other's locks synchronously).
  it.runIf(target.kind === 'postgres')(
    'migrates once and creates one tenant when two servers start together',
    async () => {
      const [first, second] = await Promise.all([target.startServer(), target.startServer()]);
      expect(first.firstStart.tenantId).toBe(second.firstStart.tenantId);
      expect([first.firstStart.created, second.firstStart.created].filter(Boolean)).toHaveLength(1);
      const store = await target.openStore();
      expect(await store.db.selectFrom('tenants').select('id').execute()).toHaveLength(1);
      expect(await store.db.selectFrom('users').select('id').execute()).toHaveLength(1);
      await signIn(first.url);
      await signIn(second.url);
    },
  );
});

describeEachStore('self-description and portal', (target) => {
  it('serves the OpenAPI document of every route, generated from the schemas', async () => {
    const server = await target.startServer();
    const answer = await apiClient(server.url).get<{
      openapi: string;
      paths: Record<
        string,
        Record<string, { requestBody?: unknown; 'x-palisade-access'?: string }>
      >;
      components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
    }>('/api/openapi.json');
    expect(answer.status).toBe(200);
    expect(answer.body.openapi).toMatch(/^3\./);
    const createPolicy = answer.body.paths['/api/v1/policies']?.post;
    expect(createPolicy?.['x-palisade-access']).toBe('security-manager');
    expect(JSON.stringify(createPolicy?.requestBody)).toContain('profile');
    expect(answer.body.components.schemas).toHaveProperty('Policy');
    expect(answer.body.components.securitySchemes).toHaveProperty('session');
  });

  it('serves a browsable reference page that loads nothing from elsewhere', async () => {
    const server = await target.startServer();
    const response = await fetch(`${server.url}/api/docs`);
    const html = await response.text();
    expect(response.status).toBe(200);
    expect(html).toContain('/api/openapi.json');
    expect(html).not.toMatch(/(src|href)="https?:\/\//);
  });

  it('exposes Prometheus metrics', async () => {
    const server = await target.startServer();
    const response = await fetch(`${server.url}/metrics`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('process_cpu_user_seconds_total');
  });

  it('says the portal is not built when it is not', async () => {
    const server = await target.startServer({ webRoot: null });
    const response = await fetch(`${server.url}/`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('portal is not built');
  });

  it('serves the built portal with a fallback to index.html for client routes', async () => {
    const webRoot = mkdtempSync(join(tmpdir(), 'palisade-web-'));
    try {
      writeFileSync(
        join(webRoot, 'index.html'),
        '<!doctype html><title>Portal</title><div id="root"></div>',
      );
      mkdirSync(join(webRoot, 'assets'));
      writeFileSync(join(webRoot, 'assets', 'app.js'), 'console.log("portal")');
      const server = await target.startServer({ webRoot });
      const index = await fetch(`${server.url}/`);
      expect(await index.text()).toContain('<title>Portal</title>');
      const asset = await fetch(`${server.url}/assets/app.js`);
      expect(await asset.text()).toContain('portal');
      const clientRoute = await fetch(`${server.url}/devices/some-device`);
      expect(clientRoute.status).toBe(200);
      expect(await clientRoute.text()).toContain('<title>Portal</title>');
      const api = await fetch(`${server.url}/api/v1/nothing-here`);
      expect(api.status).toBe(404);
      expect(((await api.json()) as { error: { code: string } }).error.code).toBe('not_found');
    } finally {
      rmSync(webRoot, { recursive: true, force: true });
    }
  });
});

describeEachStore('unexpected failures', (target) => {
  it('answers a generic 500 that leaks nothing, logs the cause, and /healthz says 503', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
    const server = await target.startServer({ logger });
    const admin = await signIn(server.url);
    // The database goes away under the running server.
    await server.context.store.db.destroy();
    const answer = await admin.get<{ error: { code: string; message: string } }>('/api/v1/groups');
    expect(answer.status).toBe(500);
    expect(answer.body.error.code).toBe('internal');
    expect(JSON.stringify(answer.body)).not.toMatch(/destroy|kysely|sqlite|pool|stack/i);
    const health = await apiClient(server.url).get<{ status: string }>('/healthz');
    expect(health.status).toBe(503);
    expect(health.body.status).toBe('unavailable');
    const logged = lines.map(
      (line) =>
        JSON.parse(line) as { level: number; msg: string; path?: string; requestId?: string },
    );
    const failure = logged.find((entry) => entry.level >= 50 && entry.path === '/api/v1/groups');
    expect(failure?.requestId).toBeTruthy();
    // The answer names the request, so an administrator can find its log line.
    expect(answer.headers.get('x-request-id')).toBe(failure?.requestId);
    expect(answer.body.error.message).toContain(`request ${failure?.requestId}`);
    const requests = logged.filter((entry) => entry.msg === 'request');
    expect(requests.length).toBeGreaterThan(0);
  });
});
