/**
 * Every route with every role, table-driven from the server's own OpenAPI document (each
 * operation carries its least role as `x-palisade-access`): anonymous callers get 401, a role
 * below the route's gets 403, a role at or above it gets past authorization. Plus: the document
 * lists every admin route, and a reader can change nothing.
 */
import { beforeAll, expect, it } from 'vitest';
import type { RunningServer } from '../src/index.js';
import { type ApiClient, apiClient, signIn } from './http.js';
import { describeEachStore } from './stores.js';

type Access = 'public' | 'device' | 'reader' | 'security-manager' | 'administrator';
type Caller = 'anonymous' | 'reader' | 'security-manager' | 'administrator';

interface Operation {
  readonly method: string;
  readonly path: string;
  readonly access: Access;
}

const RANK: Record<Caller, number> = {
  anonymous: -1,
  reader: 0,
  'security-manager': 1,
  administrator: 2,
};

/**
 * POST routes a reader may call: those that change nothing (previews, what-if, rule check) and
 * those about the reader's own session and password.
 */
const READ_ONLY_POSTS = new Set([
  'POST /api/v1/auth/logout',
  'POST /api/v1/auth/password',
  'POST /api/v1/groups/preview',
  'POST /api/v1/asset-rules/preview',
  'POST /api/v1/policies/what-if',
  'POST /api/v1/rules/check',
  'POST /api/v1/config/plan',
]);

/** The admin routes of D1 that must be in the document (the fleet engine's are checked by D2). */
const ADMIN_ROUTES = [
  'POST /api/v1/auth/login',
  'POST /api/v1/auth/logout',
  'GET /api/v1/auth/me',
  'POST /api/v1/auth/password',
  'GET /api/v1/users',
  'POST /api/v1/users',
  'GET /api/v1/users/{id}',
  'PATCH /api/v1/users/{id}',
  'DELETE /api/v1/users/{id}',
  'GET /api/v1/onboarding-tokens',
  'POST /api/v1/onboarding-tokens',
  'GET /api/v1/onboarding-tokens/{id}',
  'POST /api/v1/onboarding-tokens/{id}/revoke',
  'GET /api/v1/onboarding/instructions',
  'GET /api/v1/tenant/settings',
  'PATCH /api/v1/tenant/settings',
  'GET /api/v1/audit',
  'GET /api/v1/groups',
  'POST /api/v1/groups',
  'GET /api/v1/groups/{id}',
  'PATCH /api/v1/groups/{id}',
  'DELETE /api/v1/groups/{id}',
  'POST /api/v1/groups/{id}/members',
  'GET /api/v1/policies',
  'POST /api/v1/policies',
  'GET /api/v1/policies/{id}',
  'PATCH /api/v1/policies/{id}',
  'DELETE /api/v1/policies/{id}',
  'PUT /api/v1/policies/{id}/assignments',
  'GET /api/v1/policies/{id}/versions',
  'GET /api/v1/policies/{id}/versions/{version}',
  'GET /api/v1/policies/{id}/diff',
  'POST /api/v1/policies/{id}/revert',
  'GET /api/v1/asset-rules',
  'POST /api/v1/asset-rules',
  'GET /api/v1/asset-rules/{id}',
  'PATCH /api/v1/asset-rules/{id}',
  'DELETE /api/v1/asset-rules/{id}',
  'GET /api/v1/catalog/settings',
  'GET /api/v1/catalog/profiles',
  'GET /api/v1/rule-properties',
  'POST /api/v1/rules/check',
  'GET /api/v1/enrollment-statuses',
  'GET /healthz',
];

function concretePath(path: string): string {
  return path
    .replace('{version}', '1')
    .replace('{tag}', 'role-test-tag')
    .replace(/\{[^}]+\}/g, 'role-test-missing-id');
}

describeEachStore('roles', (target) => {
  let server: RunningServer;
  let operations: Operation[];
  const clients = {} as Record<Caller, ApiClient>;

  beforeAll(async () => {
    server = await target.startServer();
    const admin = await signIn(server.url);
    for (const role of ['reader', 'security-manager'] as const) {
      const created = await admin.post('/api/v1/users', {
        username: `${role}-user`,
        role,
        password: `${role}-password-1`,
      });
      expect(created.status).toBe(201);
      clients[role] = await signIn(server.url, `${role}-user`, `${role}-password-1`);
    }
    clients.administrator = admin;
    clients.anonymous = apiClient(server.url);
    const document = await apiClient(server.url).get<{
      paths: Record<string, Record<string, { 'x-palisade-access'?: Access }>>;
    }>('/api/openapi.json');
    expect(document.status).toBe(200);
    operations = Object.entries(document.body.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({
        method: method.toUpperCase(),
        path,
        access: operation['x-palisade-access'] as Access,
      })),
    );
  });

  it('documents every admin route with its role', () => {
    const documented = new Set(operations.map((op) => `${op.method} ${op.path}`));
    for (const route of ADMIN_ROUTES) expect(documented, route).toContain(route);
    for (const op of operations) {
      expect(
        ['public', 'device', 'reader', 'security-manager', 'administrator'],
        `${op.method} ${op.path}`,
      ).toContain(op.access);
    }
  });

  it('lets a reader change nothing', () => {
    const readerWrites = operations.filter(
      (op) =>
        op.access === 'reader' &&
        op.method !== 'GET' &&
        !READ_ONLY_POSTS.has(`${op.method} ${op.path}`),
    );
    expect(readerWrites).toEqual([]);
  });

  it('answers every route for every role as its access level says', async () => {
    const walked: string[] = [];
    for (const op of operations) {
      if (op.access === 'public' || op.access === 'device') continue;
      for (const caller of ['anonymous', 'reader', 'security-manager', 'administrator'] as const) {
        // Signing out ends the session: use a throw-away one for that route.
        const client =
          op.path === '/api/v1/auth/logout' && caller !== 'anonymous'
            ? await signIn(
                server.url,
                caller === 'administrator' ? 'admin' : `${caller}-user`,
                caller === 'administrator' ? undefined : `${caller}-password-1`,
              )
            : clients[caller];
        const body = op.method === 'GET' || op.method === 'DELETE' ? undefined : {};
        const answer = await client.request<{ error?: { code: string } }>(
          op.method,
          concretePath(op.path),
          body,
        );
        const label = `${caller} ${op.method} ${op.path} → ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`;
        if (caller === 'anonymous') {
          expect(answer.status, label).toBe(401);
        } else if (RANK[caller] < RANK[op.access]) {
          expect(answer.status, label).toBe(403);
          expect(answer.body.error?.code, label).toBe('forbidden');
        } else {
          expect([401, 403], label).not.toContain(answer.status);
          expect(answer.status, label).toBeLessThan(500);
        }
        walked.push(label);
      }
    }
    expect(walked.length).toBeGreaterThanOrEqual(ADMIN_ROUTES.length * 4 - 8);
  });
});
