/** `GET /healthz`: 200 when the database answers, 503 when it does not (for load balancers). */
import { HealthResponseSchema } from '@palisade/protocol';
import { jsonResponse, type RegisterRoutes, route } from './route.js';

export const SERVER_VERSION = '0.1.0';

const health = route('public', {
  method: 'get',
  path: '/healthz',
  tags: ['health'],
  summary: 'Health: 200 when the database is reachable',
  responses: {
    200: jsonResponse(HealthResponseSchema, 'The server and its database answer'),
    503: jsonResponse(HealthResponseSchema, 'The database does not answer'),
  },
});

export const registerHealthRoutes: RegisterRoutes = (app, context) => {
  app.openapi(health, async (c) => {
    const reachable = await context.store.ping();
    const body = {
      status: reachable ? ('ok' as const) : ('unavailable' as const),
      database: context.store.dialect,
      version: SERVER_VERSION,
    };
    return reachable ? c.json(body, 200) : c.json(body, 503);
  });
};
