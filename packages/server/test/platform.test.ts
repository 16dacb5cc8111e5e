import { describe, expect, it } from 'vitest';
import { parseServeOptions } from '../src/main.js';
import { apiClient } from './http.js';
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
