/**
 * Tenant settings: the master switch, the enforcement scope per platform (off / all / tagged),
 * the Configuration Manager authority switch, cloud-connector devices, domain controllers and the
 * fallback check-in interval. A change re-decides enrollment for the tenant's devices in the same
 * transaction (fleet engine) and pushes the devices whose status moved.
 */
import {
  type TenantSettingsMessage,
  TenantSettingsSchema,
  UpdateTenantSettingsRequestSchema,
} from '@palisade/protocol';
import { commitChange } from '../context.js';
import { ApiError } from '../errors.js';
import { appendAudit, auditActorOf } from '../services/audit.js';
import { readTenantSettings } from '../services/tenants.js';
import { actorOf, jsonBody, jsonResponse, type RegisterRoutes, route } from './route.js';

const tags = ['tenant'];

const getSettings = route('reader', {
  method: 'get',
  path: '/api/v1/tenant/settings',
  tags,
  summary: "The tenant's security settings management switches and enforcement scope",
  responses: { 200: jsonResponse(TenantSettingsSchema, 'The settings') },
});
const updateSettings = route('administrator', {
  method: 'patch',
  path: '/api/v1/tenant/settings',
  tags,
  summary: 'Change some settings; enrollment is re-decided for every device',
  request: { body: jsonBody(UpdateTenantSettingsRequestSchema) },
  responses: { 200: jsonResponse(TenantSettingsSchema, 'The settings after the change') },
});

function withoutTenantId(
  settings: TenantSettingsMessage & { tenantId?: string },
): TenantSettingsMessage {
  const { tenantId: _tenantId, ...rest } = settings;
  return rest;
}

export const registerSettingsRoutes: RegisterRoutes = (app, context) => {
  app.openapi(getSettings, async (c) => {
    const { tenantId } = actorOf(c);
    const settings = await readTenantSettings(context.store.db, tenantId);
    if (!settings) throw new ApiError('not_found', 'The tenant no longer exists.');
    return c.json(withoutTenantId(settings), 200);
  });

  app.openapi(updateSettings, async (c) => {
    const actor = actorOf(c);
    const change = c.req.valid('json');
    const now = context.clock.now();
    const after = await commitChange(context, async (trx) => {
      // Lock the tenant row first: two changes of different settings at once both survive.
      await trx
        .updateTable('tenants')
        .set((eb) => ({ settings: eb.ref('settings') }))
        .where('id', '=', actor.tenantId)
        .execute();
      const current = await readTenantSettings(trx, actor.tenantId);
      if (!current) throw new ApiError('not_found', 'The tenant no longer exists.');
      const before = withoutTenantId(current);
      const next: TenantSettingsMessage = TenantSettingsSchema.parse({
        ...before,
        ...change,
        enforcementScope: { ...before.enforcementScope, ...change.enforcementScope },
      });
      await trx
        .updateTable('tenants')
        .set({ settings: JSON.stringify(next) })
        .where('id', '=', actor.tenantId)
        .execute();
      await appendAudit(trx, {
        tenantId: actor.tenantId,
        actor: auditActorOf(actor),
        action: 'tenant-settings.update',
        objectType: 'tenant-settings',
        objectId: actor.tenantId,
        before,
        after: next,
        at: now,
      });
      const push = await context.fleet.tenantSettingsChanged(trx, actor.tenantId);
      return { result: next, afterCommit: [push] };
    });
    return c.json(after, 200);
  });
};
