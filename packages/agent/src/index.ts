export { DeviceAgent } from './checkin/device-agent.js';
export type { Driver } from './drivers/driver.js';
export { allDrivers, selectDrivers } from './drivers/registry.js';
export { AgentState, DEFAULT_STATE_DIR } from './state/agent-state.js';
