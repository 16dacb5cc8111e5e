/** The settings catalog: definitions, profiles, ASR rules, lookup, merge kinds, validation. */
export { ASR_MODES, ASR_RULES, type AsrMode, type AsrRule, getAsrRule } from './asr-rules.js';
export {
  closestMatches,
  getSetting,
  listSettings,
  mergeKindOf,
  SETTINGS,
  suggestSettingIds,
} from './catalog.js';
export { getProfile, PROFILE_DEFINITIONS, SECURITY_EXPERIENCE_REFUSAL } from './profiles.js';
export {
  checkFirewallRule,
  FIREWALL_RULE_FIELDS,
  INTERFACE_TYPES,
  isAddressToken,
  WINDOWS_ADDRESS_KEYWORDS,
} from './settings/firewall.js';
export type {
  ChoiceOption,
  FieldDefinition,
  FieldType,
  ItemRule,
  MergeKind,
  NativeMapping,
  ProfileDefinition,
  SettingDefinition,
  SettingKind,
  SettingProblem,
  SettingType,
} from './types.js';
export { describeLocation, showValue, validateSettings } from './validate.js';
