/**
 * The fleet engine's routes (D2): the agent protocol under /agent/v1, and devices, sync,
 * dashboard, previews, what-if, group members and policy reports under /api/v1. createApp calls
 * this once, after the admin routes.
 */
import { FleetService } from '../services/fleet/fleet-service.js';
import { registerAgentRoutes } from './agent.js';
import { registerDashboardRoutes } from './dashboard.js';
import { registerDeviceRoutes } from './devices.js';
import { registerPreviewRoutes } from './previews.js';
import type { RegisterRoutes } from './route.js';
import { registerSyncRoutes } from './sync.js';

export const registerFleetRoutes: RegisterRoutes = (app, context) => {
  const fleet = context.fleet;
  if (!(fleet instanceof FleetService)) {
    throw new Error('the fleet routes need the FleetService engine in the app context');
  }
  registerPreviewRoutes(app, fleet);
  registerDeviceRoutes(app, fleet);
  registerSyncRoutes(app, fleet);
  registerDashboardRoutes(app, fleet);
  registerAgentRoutes(app, fleet);
};
