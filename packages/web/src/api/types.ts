/**
 * The REST API's messages, as the server's schemas define them (`@palisade/protocol`). Type-only:
 * the portal carries no copy of the schemas, and the bundle never imports protocol's runtime.
 */
export type {
  AssetRule,
  AuditEntry,
  CreateAssetRuleRequest,
  CreateGroupRequest,
  CreateOnboardingTokenRequest,
  CreateOnboardingTokenResponse,
  CreatePolicyRequest,
  CreateUserRequest,
  Dashboard,
  DeviceDetail,
  DeviceList,
  DeviceListQuery,
  DeviceSummary,
  Group,
  LoginResponse,
  MeResponse,
  OnboardingInstructions,
  OnboardingToken,
  Policy,
  PolicyAssignmentsMessage,
  PolicyDiff,
  PolicyReport,
  PolicySummary,
  PolicyVersionMessage,
  Role,
  RulePreviewRequest,
  RulePreviewResponse,
  SyncProgress,
  SyncResponse,
  TenantSettingsMessage,
  UpdateAssetRuleRequest,
  UpdateGroupRequest,
  UpdatePolicyRequest,
  UpdateTenantSettingsRequest,
  UpdateUserRequest,
  User,
  WhatIfRequest,
  WhatIfResponse,
} from '@palisade/protocol';

/** Every list answers `{ items, total }` and pages with `limit` / `offset`. */
export interface ListOf<T> {
  readonly items: readonly T[];
  readonly total: number;
}
