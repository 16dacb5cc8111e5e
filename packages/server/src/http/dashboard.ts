/** The dashboard: the fleet at a glance, from the roll-ups the reports keep current. */
import { DashboardQuerySchema, DashboardSchema } from '@palisade/protocol';
import { dashboard } from '../services/fleet/device-queries.js';
import type { FleetService } from '../services/fleet/fleet-service.js';
import { actorOf, jsonResponse, type PalisadeApp, route } from './route.js';

const get = route('reader', {
  method: 'get',
  path: '/api/v1/dashboard',
  tags: ['dashboard'],
  summary:
    'Devices by enrollment status × platform, policy and setting status counts, devices failing, devices not seen',
  request: { query: DashboardQuerySchema },
  responses: { 200: jsonResponse(DashboardSchema, 'The dashboard') },
});

export function registerDashboardRoutes(app: PalisadeApp, fleet: FleetService): void {
  app.openapi(get, async (c) => {
    const { tenantId } = actorOf(c);
    const state = await fleet.tenantState(tenantId);
    // Not seen: twice the fallback interval without a check-in, unless asked otherwise.
    const minutes =
      c.req.valid('query').notSeenForMinutes ?? state.settings.checkInIntervalMinutes * 2;
    return c.json(await dashboard(fleet.db, tenantId, minutes, fleet.clock.now()), 200);
  });
}
