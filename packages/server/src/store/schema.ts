/**
 * The database schema as Kysely sees it: one interface per table. Portable across SQLite and
 * PostgreSQL, so: ids are text (UUIDs), times are ISO-8601 UTC text (`Date#toISOString`, which
 * sorts as time does), booleans are integers 0/1, and JSON documents are text.
 *
 * D1 (platform + admin API) owns the tables of 001-admin; D2 (fleet engine) adds its own below.
 */
import type { Generated } from 'kysely';
import type { FleetTables } from './fleet-schema.js';

/** ISO-8601 UTC time as produced by `Date#toISOString()`. */
export type IsoTime = string;
/** 0 or 1. */
export type Flag = number;

export interface TenantTable {
  id: string;
  name: string;
  /** Ed25519 key pair that signs effective configurations (SPKI / PKCS#8 DER, base64). */
  public_key: string;
  private_key: string;
  /** TenantSettings without tenantId, JSON. */
  settings: string;
  created_at: IsoTime;
}

export interface UserTable {
  id: string;
  tenant_id: string;
  /** Unique per tenant, case-insensitive (stored lower-case). */
  username: string;
  display_name: string;
  role: string;
  /** argon2id encoded hash. */
  password_hash: string;
  created_at: IsoTime;
  updated_at: IsoTime;
}

export interface SessionTable {
  id: string;
  tenant_id: string;
  user_id: string;
  /** sha256 (hex) of the bearer token; the token itself is never stored. */
  token_hash: string;
  created_at: IsoTime;
  expires_at: IsoTime;
  last_used_at: IsoTime;
}

export interface OnboardingTokenTable {
  id: string;
  tenant_id: string;
  description: string;
  /** sha256 (hex) of the token; the token is shown once, at creation. */
  token_hash: string;
  /** The token's first characters, so an administrator can tell tokens apart. */
  token_hint: string;
  created_by: string | null;
  created_at: IsoTime;
  expires_at: IsoTime;
  revoked_at: IsoTime | null;
}

export interface GroupTable {
  id: string;
  tenant_id: string;
  name: string;
  description: string;
  /** 'assigned' (static members) or 'dynamic' (membership rule). */
  kind: string;
  /** The membership rule of a dynamic group; null for assigned groups. */
  rule: string | null;
  /** Unique across tenants, never reused; what `device_groups` lists (migration 010). */
  ordinal: Generated<number>;
  created_at: IsoTime;
  updated_at: IsoTime;
}

/** Members of assigned groups (every current membership lives in D2's device_groups). */
export interface GroupStaticMemberTable {
  tenant_id: string;
  group_id: string;
  device_id: string;
  added_at: IsoTime;
}

export interface PolicyTable {
  id: string;
  tenant_id: string;
  name: string;
  description: string;
  /** PolicyPlatform: windows | macos | linux. */
  platform: string;
  profile: string;
  /** The version now in force (the highest). */
  current_version: number;
  /** Assignment filter of the current version, or null. */
  filter_mode: string | null;
  filter_rule: string | null;
  created_at: IsoTime;
  updated_at: IsoTime;
}

/** Immutable: one row per save. Settings and assignments are snapshots of that save. */
export interface PolicyVersionTable {
  tenant_id: string;
  policy_id: string;
  version: number;
  name: string;
  description: string;
  /** Setting id → value, JSON. */
  settings: string;
  /** PolicyAssignments, JSON. */
  assignments: string;
  created_at: IsoTime;
  created_by: string | null;
  /** What the save was: created, updated, assignments, reverted to N. */
  change: string;
}

/** The current version's group assignments, for "which policies reach this group" lookups. */
export interface PolicyAssignmentTable {
  tenant_id: string;
  policy_id: string;
  group_id: string;
  /** 'include' or 'exclude'. */
  mode: string;
}

export interface AssetRuleTable {
  id: string;
  tenant_id: string;
  name: string;
  description: string;
  /** A rule in the 'asset' property vocabulary. */
  rule: string;
  /** The action: the tag added to every matching device. */
  tag: string;
  enabled: Flag;
  created_at: IsoTime;
  updated_at: IsoTime;
}

/** Append-only: rows are inserted, never updated or deleted. */
export interface AuditLogTable {
  seq: Generated<number>;
  tenant_id: string;
  at: IsoTime;
  /** 'user' | 'system' | 'device'. */
  actor_type: string;
  actor_id: string | null;
  actor_name: string;
  /** e.g. 'policy.update', 'user.create'. */
  action: string;
  object_type: string;
  object_id: string | null;
  /** JSON of the object before and after the change; null for create / delete. */
  before: string | null;
  after: string | null;
}

/** The fleet tables (D2, migration 002) are declared in fleet-schema.ts. */
export interface Database extends FleetTables {
  tenants: TenantTable;
  users: UserTable;
  sessions: SessionTable;
  onboarding_tokens: OnboardingTokenTable;
  groups: GroupTable;
  group_static_members: GroupStaticMemberTable;
  policies: PolicyTable;
  policy_versions: PolicyVersionTable;
  policy_assignments: PolicyAssignmentTable;
  asset_rules: AssetRuleTable;
  audit_log: AuditLogTable;
  // D2 (fleet engine) tables below this line.
}
