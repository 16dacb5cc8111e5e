/**
 * Devices: list (filters, sorting, keyset paging), detail, manual tags, offboarding; group
 * members and per-policy reports (both read the fleet's derived tables).
 */
import {
  AddDeviceTagRequestSchema,
  DeviceDetailSchema,
  DeviceListQuerySchema,
  DeviceListSchema,
  DeviceTagParamsSchema,
  DeviceTagsResponseSchema,
  GroupMembersQuerySchema,
  GroupMembersSchema,
  IdParamsSchema,
  OkResponseSchema,
  PolicyReportQuerySchema,
  PolicyReportSchema,
} from '@palisade/protocol';
import { auditActorOf } from '../services/audit.js';
import { changeManualTag, offboardDevice } from '../services/fleet/device-admin.js';
import {
  deviceDetail,
  groupMembers,
  listDevices,
  policyReport,
} from '../services/fleet/device-queries.js';
import type { FleetService } from '../services/fleet/fleet-service.js';
import { actorOf, jsonBody, jsonResponse, type PalisadeApp, route } from './route.js';

const tags = ['devices'];
const params = IdParamsSchema;

const list = route('reader', {
  method: 'get',
  path: '/api/v1/devices',
  tags,
  summary: 'List devices: filter by platform, enrollment status, managed-by, tag, group, search',
  request: { query: DeviceListQuerySchema },
  responses: { 200: jsonResponse(DeviceListSchema, 'A page of devices') },
});
const detail = route('reader', {
  method: 'get',
  path: '/api/v1/devices/{id}',
  tags,
  summary: 'One device: facts, enrollment, identity, tags, groups, configuration, reports',
  request: { params },
  responses: { 200: jsonResponse(DeviceDetailSchema, 'The device') },
});
const addTag = route('security-manager', {
  method: 'post',
  path: '/api/v1/devices/{id}/tags',
  tags,
  summary: 'Add a manual tag (recomputes the device at once)',
  request: { params, body: jsonBody(AddDeviceTagRequestSchema) },
  responses: { 200: jsonResponse(DeviceTagsResponseSchema, "The device's tags") },
});
const removeTag = route('security-manager', {
  method: 'delete',
  path: '/api/v1/devices/{id}/tags/{tag}',
  tags,
  summary: 'Remove a manual tag (recomputes the device at once)',
  request: { params: DeviceTagParamsSchema },
  responses: { 200: jsonResponse(DeviceTagsResponseSchema, "The device's tags") },
});
const offboard = route('administrator', {
  method: 'post',
  path: '/api/v1/devices/{id}/offboard',
  tags,
  summary: 'Offboard a device: its credential stops working, it leaves every group',
  request: { params },
  responses: { 200: jsonResponse(OkResponseSchema, 'Offboarded') },
});
const members = route('reader', {
  method: 'get',
  path: '/api/v1/groups/{id}/members',
  tags: ['groups'],
  summary: 'Current members of a group (assigned or dynamic), by hostname',
  request: { params, query: GroupMembersQuerySchema },
  responses: { 200: jsonResponse(GroupMembersSchema, 'A page of members') },
});
const report = route('reader', {
  method: 'get',
  path: '/api/v1/policies/{id}/report',
  tags: ['policies'],
  summary: "A policy's status: per-setting counts and each device's status",
  request: { params, query: PolicyReportQuerySchema },
  responses: { 200: jsonResponse(PolicyReportSchema, 'The report') },
});

export function registerDeviceRoutes(app: PalisadeApp, fleet: FleetService): void {
  app.openapi(list, async (c) => {
    const actor = actorOf(c);
    return c.json(
      await listDevices(fleet.db, actor.tenantId, c.req.valid('query'), fleet.clock.now()),
      200,
    );
  });
  app.openapi(detail, async (c) =>
    c.json(await deviceDetail(fleet.db, actorOf(c).tenantId, c.req.valid('param').id), 200),
  );
  app.openapi(addTag, async (c) => {
    const actor = actorOf(c);
    const { id } = c.req.valid('param');
    const { tag } = c.req.valid('json');
    const result = await changeManualTag(fleet, actor.tenantId, id, tag, true, auditActorOf(actor));
    return c.json({ tags: result }, 200);
  });
  app.openapi(removeTag, async (c) => {
    const actor = actorOf(c);
    const { id, tag } = c.req.valid('param');
    const result = await changeManualTag(
      fleet,
      actor.tenantId,
      id,
      tag,
      false,
      auditActorOf(actor),
    );
    return c.json({ tags: result }, 200);
  });
  app.openapi(offboard, async (c) => {
    const actor = actorOf(c);
    await offboardDevice(fleet, actor.tenantId, c.req.valid('param').id, auditActorOf(actor));
    return c.json({ ok: true as const }, 200);
  });
  app.openapi(members, async (c) =>
    c.json(
      await groupMembers(
        fleet.db,
        actorOf(c).tenantId,
        c.req.valid('param').id,
        c.req.valid('query'),
      ),
      200,
    ),
  );
  app.openapi(report, async (c) =>
    c.json(
      await policyReport(
        fleet.db,
        actorOf(c).tenantId,
        c.req.valid('param').id,
        c.req.valid('query'),
      ),
      200,
    ),
  );
}
