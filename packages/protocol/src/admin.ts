/**
 * The admin API's messages (`/api/v1/…`): one zod schema per request and response. The server
 * validates with them and generates its OpenAPI document from them; the CLI and the portal import
 * their types. `docs/API.md` lists the routes.
 *
 * Conventions: ids are strings; times are ISO-8601 UTC strings; lists answer `{ items, total }`
 * and page with `limit` / `offset`; errors answer `{ error: { code, message, fields? } }`.
 */
import { PLATFORMS, POLICY_PLATFORMS, PROFILES } from '@palisade/core';
import { z } from 'zod';

export const ADMIN_API_PREFIX = '/api/v1';

// ---------------------------------------------------------------------------------------------
// Shared pieces

/** Administrator: everything. Security manager: policies, groups, assignments, asset rules, sync,
 * device tags. Reader: read only. */
export const ROLES = ['administrator', 'security-manager', 'reader'] as const;
export type Role = (typeof ROLES)[number];

const isoTime = z.string().meta({ description: 'ISO-8601 UTC time' });
const name = z.string().trim().min(1).max(200);
const description = z.string().max(2000);
const tagName = z
  .string()
  .trim()
  .min(1)
  .max(128)
  .regex(/^[^\s,]+$/, 'a tag has no spaces or commas');

export const IdParamsSchema = z.object({ id: z.string().min(1).max(64) });

export const PageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

export function listOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), total: z.number().int().nonnegative() });
}

export const FieldProblemSchema = z.object({
  path: z.string(),
  message: z.string(),
  line: z.number().int().optional(),
  column: z.number().int().optional(),
});

export const ErrorResponseSchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      fields: z.array(FieldProblemSchema).optional(),
    }),
  })
  .meta({ id: 'Error' });
export type ErrorResponse = z.infer<typeof ErrorResponseSchema>;

export const OkResponseSchema = z.object({ ok: z.literal(true) });

// ---------------------------------------------------------------------------------------------
// Health

export const HealthResponseSchema = z.object({
  status: z.enum(['ok', 'unavailable']),
  database: z.enum(['sqlite', 'postgres']),
  version: z.string(),
});

// ---------------------------------------------------------------------------------------------
// Auth and users

export const UserSchema = z
  .object({
    id: z.string(),
    username: z.string(),
    displayName: z.string(),
    role: z.enum(ROLES),
    createdAt: isoTime,
    updatedAt: isoTime,
  })
  .meta({ id: 'User' });
export type User = z.infer<typeof UserSchema>;

export const LoginRequestSchema = z.object({
  username: z.string().trim().min(1).max(100),
  password: z.string().min(1).max(1024),
  /** Tenant id or name; needed only when the username exists in several tenants. */
  tenant: z.string().trim().min(1).max(200).optional(),
});
export type LoginRequest = z.infer<typeof LoginRequestSchema>;

export const LoginResponseSchema = z.object({
  /** Send as `Authorization: Bearer <token>`. */
  token: z.string(),
  expiresAt: isoTime,
  user: UserSchema,
  tenant: z.object({ id: z.string(), name: z.string() }),
});
export type LoginResponse = z.infer<typeof LoginResponseSchema>;

export const MeResponseSchema = z.object({
  user: UserSchema,
  tenant: z.object({ id: z.string(), name: z.string() }),
  session: z.object({ expiresAt: isoTime }),
});
export type MeResponse = z.infer<typeof MeResponseSchema>;

const username = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9._@-]+$/, 'use letters, digits, dot, underscore, @ or hyphen');
const password = z.string().min(12, 'at least 12 characters').max(1024);

export const CreateUserRequestSchema = z.object({
  username,
  displayName: z.string().trim().max(200).optional(),
  role: z.enum(ROLES),
  password,
});
export type CreateUserRequest = z.infer<typeof CreateUserRequestSchema>;

export const UpdateUserRequestSchema = z
  .object({
    displayName: z.string().trim().max(200).optional(),
    role: z.enum(ROLES).optional(),
    password: password.optional(),
  })
  .strict();
export type UpdateUserRequest = z.infer<typeof UpdateUserRequestSchema>;

export const UserListSchema = listOf(UserSchema);

/** A signed-in user changes their own password; their other sessions end. */
export const ChangePasswordRequestSchema = z.object({
  currentPassword: z.string().min(1).max(1024),
  newPassword: password,
});
export type ChangePasswordRequest = z.infer<typeof ChangePasswordRequestSchema>;

// ---------------------------------------------------------------------------------------------
// Onboarding tokens

export const ONBOARDING_TOKEN_STATUSES = ['active', 'expired', 'revoked'] as const;

export const OnboardingTokenSchema = z
  .object({
    id: z.string(),
    description: z.string(),
    /** The token's first characters, to tell tokens apart; the full token is shown only once. */
    hint: z.string(),
    status: z.enum(ONBOARDING_TOKEN_STATUSES),
    createdBy: z.string().nullable(),
    createdAt: isoTime,
    expiresAt: isoTime,
    revokedAt: isoTime.nullable(),
  })
  .meta({ id: 'OnboardingToken' });
export type OnboardingToken = z.infer<typeof OnboardingTokenSchema>;

export const CreateOnboardingTokenRequestSchema = z.object({
  description: description.default(''),
  /** Lifetime in hours: 1 hour to 1 year; 7 days by default. */
  expiresInHours: z.number().int().min(1).max(8760).default(168),
});
export type CreateOnboardingTokenRequest = z.input<typeof CreateOnboardingTokenRequestSchema>;

export const OnboardingStepSchema = z.object({
  /** windows, macos or linux. */
  platform: z.enum(POLICY_PLATFORMS),
  title: z.string(),
  /** Where to run the command (e.g. an elevated PowerShell). */
  shell: z.string(),
  command: z.string(),
  notes: z.array(z.string()),
});
export const OnboardingInstructionsSchema = z
  .object({ serverUrl: z.string(), platforms: z.array(OnboardingStepSchema) })
  .meta({ id: 'OnboardingInstructions' });
export type OnboardingInstructions = z.infer<typeof OnboardingInstructionsSchema>;

export const CreateOnboardingTokenResponseSchema = z.object({
  onboardingToken: OnboardingTokenSchema,
  /** The token itself: shown once, never again. */
  token: z.string(),
  instructions: OnboardingInstructionsSchema,
});
export type CreateOnboardingTokenResponse = z.infer<typeof CreateOnboardingTokenResponseSchema>;

export const OnboardingTokenListSchema = listOf(OnboardingTokenSchema);

// ---------------------------------------------------------------------------------------------
// Tenant settings

export const EnforcementScopeSchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('off') }),
  z.object({ mode: z.literal('all') }),
  z.object({ mode: z.literal('tagged'), tag: tagName }),
]);

const scopeByPlatform = z.object(
  Object.fromEntries(PLATFORMS.map((platform) => [platform, EnforcementScopeSchema])) as Record<
    (typeof PLATFORMS)[number],
    typeof EnforcementScopeSchema
  >,
);

/** Mirrors core's TenantSettings without tenantId. */
export const TenantSettingsSchema = z
  .object({
    securitySettingsManagement: z.boolean(),
    enforcementScope: scopeByPlatform,
    configMgrAuthority: z.boolean(),
    cloudConnector: z.boolean(),
    domainControllers: z.boolean(),
    checkInIntervalMinutes: z.number().int().min(5).max(1440),
  })
  .meta({ id: 'TenantSettings' });
export type TenantSettingsMessage = z.infer<typeof TenantSettingsSchema>;

/**
 * Only the fields sent change; enforcementScope may name only some platforms, but only platforms
 * (a misspelt one is refused rather than ignored, which would look like a saved change).
 */
export const UpdateTenantSettingsRequestSchema = TenantSettingsSchema.extend({
  enforcementScope: scopeByPlatform.partial().strict(),
})
  .partial()
  .strict();
export type UpdateTenantSettingsRequest = z.infer<typeof UpdateTenantSettingsRequestSchema>;

// ---------------------------------------------------------------------------------------------
// Audit log

export const AuditEntrySchema = z
  .object({
    id: z.number().int(),
    at: isoTime,
    actor: z.object({
      type: z.enum(['user', 'system', 'device']),
      id: z.string().nullable(),
      name: z.string(),
    }),
    /** e.g. `policy.update`. */
    action: z.string(),
    objectType: z.string(),
    objectId: z.string().nullable(),
    before: z.unknown().nullable(),
    after: z.unknown().nullable(),
  })
  .meta({ id: 'AuditEntry' });
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

export const AuditQuerySchema = PageQuerySchema.extend({
  /** User id or username. */
  actor: z.string().max(100).optional(),
  /** Exact action (`policy.update`) or a prefix ending in a dot (`policy.`). */
  action: z.string().max(100).optional(),
  objectType: z.string().max(100).optional(),
  objectId: z.string().max(64).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
});
export type AuditQuery = z.input<typeof AuditQuerySchema>;

export const AuditListSchema = listOf(AuditEntrySchema);

// ---------------------------------------------------------------------------------------------
// Groups

export const GROUP_KINDS = ['assigned', 'dynamic'] as const;
const rule = z.string().min(1).max(3072);
const deviceIds = z.array(z.string().min(1).max(64)).max(10_000);

export const GroupSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    kind: z.enum(GROUP_KINDS),
    /** The membership rule of a dynamic group; null for an assigned group. */
    rule: z.string().nullable(),
    /** Assigned groups: the number of members. Dynamic groups: null (see the membership list). */
    staticMemberCount: z.number().int().nullable(),
    createdAt: isoTime,
    updatedAt: isoTime,
  })
  .meta({ id: 'Group' });
export type Group = z.infer<typeof GroupSchema>;

export const CreateGroupRequestSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('assigned'),
    name,
    description: description.default(''),
    members: deviceIds.default([]),
  }),
  z.object({ kind: z.literal('dynamic'), name, description: description.default(''), rule }),
]);
export type CreateGroupRequest = z.input<typeof CreateGroupRequestSchema>;

export const UpdateGroupRequestSchema = z
  .object({ name: name.optional(), description: description.optional(), rule: rule.optional() })
  .strict();
export type UpdateGroupRequest = z.infer<typeof UpdateGroupRequestSchema>;

/** Adds and removes members of an assigned group. */
export const UpdateGroupMembersRequestSchema = z.object({
  add: deviceIds.default([]),
  remove: deviceIds.default([]),
});
export type UpdateGroupMembersRequest = z.input<typeof UpdateGroupMembersRequestSchema>;

export const GroupListSchema = listOf(GroupSchema);
export const GroupListQuerySchema = PageQuerySchema.extend({
  kind: z.enum(GROUP_KINDS).optional(),
  search: z.string().max(200).optional(),
});

// ---------------------------------------------------------------------------------------------
// Policies

export const AssignmentFilterSchema = z.object({
  mode: z.enum(['include', 'exclude']),
  rule,
});

export const PolicyAssignmentsSchema = z
  .object({
    include: z.array(z.string().min(1).max(64)).max(500).default([]),
    exclude: z.array(z.string().min(1).max(64)).max(500).default([]),
    filter: AssignmentFilterSchema.nullable().default(null),
  })
  .meta({ id: 'PolicyAssignments' });
export type PolicyAssignmentsMessage = z.infer<typeof PolicyAssignmentsSchema>;

const settings = z.record(z.string().min(1).max(256), z.unknown());

export const PolicySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    platform: z.enum(POLICY_PLATFORMS),
    profile: z.enum(PROFILES),
    /** The version in force; every save adds one. */
    version: z.number().int().positive(),
    settings,
    assignments: PolicyAssignmentsSchema,
    createdAt: isoTime,
    updatedAt: isoTime,
  })
  .meta({ id: 'Policy' });
export type Policy = z.infer<typeof PolicySchema>;

export const PolicySummarySchema = PolicySchema.omit({ settings: true }).extend({
  settingCount: z.number().int(),
});
export type PolicySummary = z.infer<typeof PolicySummarySchema>;
export const PolicyListSchema = listOf(PolicySummarySchema);
export const PolicyListQuerySchema = PageQuerySchema.extend({
  platform: z.enum(POLICY_PLATFORMS).optional(),
  profile: z.enum(PROFILES).optional(),
  search: z.string().max(200).optional(),
});

export const CreatePolicyRequestSchema = z.object({
  name,
  description: description.default(''),
  platform: z.enum(POLICY_PLATFORMS),
  profile: z.enum(PROFILES),
  settings: settings.default({}),
  assignments: PolicyAssignmentsSchema.optional(),
});
export type CreatePolicyRequest = z.input<typeof CreatePolicyRequestSchema>;

/** Saves a new version: fields left out keep their current value. */
export const UpdatePolicyRequestSchema = z
  .object({
    name: name.optional(),
    description: description.optional(),
    settings: settings.optional(),
    assignments: PolicyAssignmentsSchema.optional(),
  })
  .strict();
export type UpdatePolicyRequest = z.input<typeof UpdatePolicyRequestSchema>;

export const PolicyVersionSummarySchema = z.object({
  version: z.number().int(),
  name: z.string(),
  /** created, updated, assignments, reverted to N. */
  change: z.string(),
  createdAt: isoTime,
  createdBy: z.string().nullable(),
});
export const PolicyVersionListSchema = listOf(PolicyVersionSummarySchema);

export const PolicyVersionSchema = PolicyVersionSummarySchema.extend({
  policyId: z.string(),
  description: z.string(),
  settings,
  assignments: PolicyAssignmentsSchema,
}).meta({ id: 'PolicyVersion' });
export type PolicyVersionMessage = z.infer<typeof PolicyVersionSchema>;

export const PolicyVersionParamsSchema = z.object({
  id: z.string().min(1).max(64),
  version: z.coerce.number().int().positive(),
});

export const PolicyDiffQuerySchema = z.object({
  from: z.coerce.number().int().positive(),
  to: z.coerce.number().int().positive(),
});

export const SettingDiffSchema = z.object({
  settingId: z.string(),
  kind: z.enum(['added', 'removed', 'changed']),
  before: z.unknown().optional(),
  after: z.unknown().optional(),
});
export const PolicyDiffSchema = z
  .object({
    policyId: z.string(),
    from: z.number().int(),
    to: z.number().int(),
    settings: z.array(SettingDiffSchema),
    /** Other fields that differ (name, description, assignments), with before and after. */
    fields: z.array(z.object({ field: z.string(), before: z.unknown(), after: z.unknown() })),
  })
  .meta({ id: 'PolicyDiff' });
export type PolicyDiff = z.infer<typeof PolicyDiffSchema>;

export const RevertPolicyRequestSchema = z.object({ version: z.number().int().positive() });

// ---------------------------------------------------------------------------------------------
// Asset rules

export const AssetRuleSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    /** A condition in the asset vocabulary (name, domain, platform, onboardingStatus, tags, …). */
    rule: z.string(),
    /** The action: add this tag to every matching device. */
    tag: z.string(),
    enabled: z.boolean(),
    createdAt: isoTime,
    updatedAt: isoTime,
  })
  .meta({ id: 'AssetRule' });
export type AssetRule = z.infer<typeof AssetRuleSchema>;

export const CreateAssetRuleRequestSchema = z.object({
  name,
  description: description.default(''),
  rule,
  tag: tagName,
  enabled: z.boolean().default(true),
});
export type CreateAssetRuleRequest = z.input<typeof CreateAssetRuleRequestSchema>;

export const UpdateAssetRuleRequestSchema = z
  .object({
    name: name.optional(),
    description: description.optional(),
    rule: rule.optional(),
    tag: tagName.optional(),
    enabled: z.boolean().optional(),
  })
  .strict();
export type UpdateAssetRuleRequest = z.infer<typeof UpdateAssetRuleRequestSchema>;

export const AssetRuleListSchema = listOf(AssetRuleSchema);

// ---------------------------------------------------------------------------------------------
// Reference data for editors (read-only): the settings catalog, rule vocabularies, statuses

/** One catalog entry; `type` is core's SettingType (tagged by `kind`). */
export const CatalogSettingSchema = z
  .object({
    id: z.string(),
    displayName: z.string(),
    help: z.string(),
    profile: z.enum(PROFILES),
    platforms: z.array(z.enum(POLICY_PLATFORMS)),
    type: z.looseObject({ kind: z.string() }),
    default: z.unknown(),
    platformDefaults: z.record(z.string(), z.unknown()).optional(),
    native: z.record(z.string(), z.unknown()),
    merge: z.string().optional(),
    refusal: z.string().optional(),
  })
  .meta({ id: 'CatalogSetting' });
export type CatalogSetting = z.infer<typeof CatalogSettingSchema>;
export const CatalogSettingListSchema = listOf(CatalogSettingSchema);
export const CatalogQuerySchema = z.object({
  platform: z.enum(POLICY_PLATFORMS).optional(),
  profile: z.enum(PROFILES).optional(),
});

export const CatalogProfileSchema = z.object({
  id: z.enum(PROFILES),
  displayName: z.string(),
  help: z.string(),
  platforms: z.array(z.enum(POLICY_PLATFORMS)),
  deliverable: z.boolean(),
  refusal: z.string().optional(),
});
export const CatalogProfileListSchema = listOf(CatalogProfileSchema);

export const RULE_SCHEMAS = ['device', 'asset', 'filter'] as const;

export const RulePropertySchema = z.object({
  name: z.string(),
  type: z.string(),
  multiValued: z.boolean(),
  description: z.string(),
  operators: z.array(z.string()).optional(),
  values: z.array(z.string()).optional(),
});
/** The property vocabulary of each rule kind: device (groups), asset (asset rules), filter. */
export const RulePropertiesResponseSchema = z.object({
  device: z.array(RulePropertySchema),
  asset: z.array(RulePropertySchema),
  filter: z.array(RulePropertySchema),
});

export const CheckRuleRequestSchema = z.object({
  rule: z.string().max(3072),
  schema: z.enum(RULE_SCHEMAS).default('device'),
});
export type CheckRuleRequest = z.input<typeof CheckRuleRequestSchema>;
const CheckRuleDiagnosticSchema = z.object({
  message: z.string(),
  offset: z.number().int(),
  length: z.number().int(),
  line: z.number().int(),
  column: z.number().int(),
});
export const CheckRuleResponseSchema = z.object({
  valid: z.boolean(),
  /** The rule in canonical form when valid. */
  normalized: z.string().nullable(),
  diagnostics: z.array(CheckRuleDiagnosticSchema),
});
export type CheckRuleResponse = z.infer<typeof CheckRuleResponseSchema>;

export const EnrollmentStatusSchema = z.object({
  code: z.number().int(),
  name: z.string(),
  meaning: z.string(),
  fix: z.string().nullable(),
  managedBy: z.string(),
});
export const EnrollmentStatusListSchema = listOf(EnrollmentStatusSchema);
