/** Sync now (a device, a group, the tenant) and its progress. */
import {
  IdParamsSchema,
  SyncProgressSchema,
  SyncRequestSchema,
  SyncResponseSchema,
} from '@palisade/protocol';
import { auditActorOf } from '../services/audit.js';
import type { FleetService } from '../services/fleet/fleet-service.js';
import { requestSync, syncProgress } from '../services/fleet/sync.js';
import { actorOf, jsonBody, jsonResponse, type PalisadeApp, route } from './route.js';

const tags = ['sync'];

const create = route('security-manager', {
  method: 'post',
  path: '/api/v1/sync',
  tags,
  summary: 'Sync now: notify a device, a group or the whole tenant to check in and report',
  request: { body: jsonBody(SyncRequestSchema) },
  responses: { 202: jsonResponse(SyncResponseSchema, 'Asked; follow the progress by id') },
});
const progress = route('reader', {
  method: 'get',
  path: '/api/v1/sync/{id}',
  tags,
  summary: 'Progress of a sync request: devices asked, devices reported back',
  request: { params: IdParamsSchema },
  responses: { 200: jsonResponse(SyncProgressSchema, 'The progress') },
});

export function registerSyncRoutes(app: PalisadeApp, fleet: FleetService): void {
  app.openapi(create, async (c) => {
    const actor = actorOf(c);
    const result = await requestSync(
      fleet,
      actor.tenantId,
      c.req.valid('json'),
      auditActorOf(actor),
    );
    return c.json(result, 202);
  });
  app.openapi(progress, async (c) =>
    c.json(await syncProgress(fleet, actorOf(c).tenantId, c.req.valid('param').id), 200),
  );
}
