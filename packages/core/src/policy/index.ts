export {
  type ConfigurationChange,
  diffEffectiveConfigurations,
} from './diff.js';
export {
  baseSettingId,
  type Contribution,
  conflictSettingId,
  type MergedSetting,
  mergeSetting,
} from './merge.js';
export { policyReachesDevice, type ResolutionDevice, UNDELIVERABLE_PROFILES } from './reach.js';
export {
  effectiveConfigurationHash,
  effectiveConfigurationJson,
  type ResolutionInput,
  resolveEffectiveConfiguration,
} from './resolve.js';
