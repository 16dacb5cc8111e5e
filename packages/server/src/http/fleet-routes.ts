/**
 * The fleet engine's routes (D2): devices, dashboard, sync, group / asset-rule previews, what-if,
 * and the agent protocol under /agent/v1. createApp calls this once, after the admin routes.
 */
import type { RegisterRoutes } from './route.js';

export const registerFleetRoutes: RegisterRoutes = () => {};
