export { MemoryPushHub } from './memory-push-hub.js';
export { chunkNotices, PostgresPushHub, type PostgresPushHubOptions } from './postgres-push-hub.js';
export type { DeviceListener, PushEvent, PushHub, TenantListener } from './push-hub.js';
