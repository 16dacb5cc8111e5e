/**
 * docs/API.md stays true: every route it lists exists with the role it states, and every route
 * of the server's OpenAPI document is listed there.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../src/index.js';
import { apiClient } from './http.js';

const API_MD = fileURLToPath(new URL('../../../docs/API.md', import.meta.url));
/** Served outside the OpenAPI document (it describes the API, not itself). */
const NOT_IN_OPENAPI = new Set(['GET /metrics', 'GET /api/openapi.json', 'GET /api/docs', 'GET /']);

describe('docs/API.md', () => {
  let server: RunningServer;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'palisade-apidoc-'));
    server = await startServer({
      database: join(dir, 'palisade.sqlite'),
      port: 0,
      host: '127.0.0.1',
      logLevel: 'silent',
      webRoot: null,
    });
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists exactly the routes the server has, each with its role', async () => {
    const listed = new Map<string, string>();
    for (const line of readFileSync(API_MD, 'utf8').split('\n')) {
      const row = /^\| (GET|POST|PUT|PATCH|DELETE) \| `([^`?]+)(?:\?[^`]*)?` \| ([a-z-]+) \|/.exec(
        line,
      );
      if (row) listed.set(`${row[1]} ${row[2]}`, row[3] as string);
    }
    expect(listed.size).toBeGreaterThan(60);
    const document = await apiClient(server.url).get<{
      paths: Record<string, Record<string, { 'x-palisade-access': string }>>;
    }>('/api/openapi.json');
    const served = new Map<string, string>();
    for (const [path, methods] of Object.entries(document.body.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        served.set(`${method.toUpperCase()} ${path}`, operation['x-palisade-access']);
      }
    }
    const missingFromDoc = [...served.keys()].filter((route) => !listed.has(route));
    const notServed = [...listed.keys()].filter(
      (route) => !served.has(route) && !NOT_IN_OPENAPI.has(route),
    );
    const wrongRole = [...listed].filter(
      ([route, role]) => served.has(route) && served.get(route) !== role,
    );
    expect({ missingFromDoc, notServed, wrongRole }).toEqual({
      missingFromDoc: [],
      notServed: [],
      wrongRole: [],
    });
  });
});

describe('docs/API.md error codes', () => {
  it('lists every error code with its status', async () => {
    const { ERROR_CODES } = await import('../src/errors.js');
    const text = readFileSync(API_MD, 'utf8');
    for (const [code, { status }] of Object.entries(ERROR_CODES)) {
      expect(text, code).toContain(`| \`${code}\` | ${status} |`);
    }
  });
});
