export {
  countStatuses,
  type DeviceRollup,
  type DeviceSettingStatus,
  type PolicyDeviceStatus,
  type PolicyRollup,
  type PolicyRollupDevice,
  type PolicySettingRollup,
  rollUpDevice,
  rollUpPolicy,
  STATUS_SEVERITY,
  type StatusCounts,
  worstStatus,
} from './rollup.js';
