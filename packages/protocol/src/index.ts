export * from './admin.js';
export * from './admin-config.js';
export * from './admin-fleet.js';
export * from './agent.js';
export * from './signing.js';
