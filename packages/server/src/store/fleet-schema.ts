import type { Generated } from 'kysely';

/**
 * The fleet's tables (migration 002): devices and everything the engine derives for them. Column
 * conventions: ids are text (UUIDs), times are ISO-8601 UTC text (they sort as text on both
 * engines), JSON is text, booleans are integers 0/1.
 */

export interface DevicesTable {
  id: string;
  tenant_id: string;
  /** The agent's stable machine identifier: (tenant_id, machine_id) is unique (idempotent enroll). */
  machine_id: string;
  hostname: string;
  /** Lower-cased hostname: the free-text search and the default sort read it. */
  hostname_lower: string;
  platform: string;
  /** The full DeviceFacts, JSON. */
  facts: string;
  /** SHA-256 of the device credential's secret (a 256-bit random secret needs no slow hash). */
  credential_hash: string;
  /** The agent's Ed25519 public key, SPKI DER base64. */
  public_key: string;
  onboarding_token_id: string | null;
  enrollment_code: number;
  enrollment_name: string;
  managed_by: string;
  /** 'synthetic' | 'existing'. */
  identity: string;
  directory_device_id: string;
  /** The revision of the device's effective configuration; only ever grows. */
  revision: number;
  /** Content hash of the effective configuration at `revision`. */
  config_hash: string;
  /** The worst per-setting status of the current revision (null before any configuration). */
  report_status: string | null;
  enrolled_at: string;
  last_check_in_at: string;
  last_report_at: string | null;
  /** The highest revision the device reported results for (migration 003). */
  reported_revision: number | null;
  /** Grows whenever what rules read about the device changes (migration 006; see there). */
  view_version: Generated<number>;
  /**
   * The number (`factsSeq`) of the agent's facts send that `facts` reflect, or null when unknown
   * (migration 011): 0 at enrollment; see agent-service.ts.
   */
  facts_seq: Generated<number | null>;
  offboarded_at: string | null;
}

export interface DeviceTagsTable {
  tenant_id: string;
  device_id: string;
  tag: string;
  /** 'manual' | 'device' | 'asset-rule'. */
  source: string;
  /** The asset rule's id for source 'asset-rule'; '' otherwise (part of the primary key). */
  rule_id: string;
}

/** Current membership of every group, assigned and dynamic: what policy resolution reads. */
/**
 * A device's current groups (assigned and dynamic), as the groups' ordinals: `,3,17,250,`
 * (comma-framed, so `like '%,17,%'` finds a group's members). No row: never in a group.
 * Migration 010.
 */
export interface DeviceGroupsTable {
  device_id: string;
  tenant_id: string;
  ordinals: string;
  /** Moves with every write (the row stays while the device lives; no group is ''). */
  version: Generated<number>;
}

/** The latest signed effective configuration of each device. */
export interface EffectiveConfigurationsTable {
  device_id: string;
  tenant_id: string;
  revision: number;
  hash: string;
  /** The exact signed ConfigurationDocument text. */
  payload: string;
  signature: string;
  issued_at: string;
}

export interface ReportsTable {
  tenant_id: string;
  device_id: string;
  /** Unique per device: a retried report is recognised and counted once. */
  report_id: string;
  revision: number;
  sync_request_id: string | null;
  /** SettingResult[], JSON. */
  results: string;
  received_at: string;
}

/**
 * The latest status of each setting on each device, one row per contributing policy (policy_id
 * '' when no policy names the setting), so per-policy and per-setting roll-ups are one grouped,
 * indexed count.
 */
export interface SettingStatusesTable {
  tenant_id: string;
  device_id: string;
  policy_id: string;
  setting_id: string;
  status: string;
  error: string | null;
  revision: number;
  updated_at: string;
}

export interface SyncRequestsTable {
  id: string;
  tenant_id: string;
  /** 'device' | 'group' | 'tenant'. */
  scope: string;
  target_id: string | null;
  requested_by: string | null;
  device_count: number;
  created_at: string;
}

export interface SyncRequestDevicesTable {
  sync_request_id: string;
  tenant_id: string;
  device_id: string;
  reported_at: string | null;
}

/** Recent check-ins of each device (bounded: the oldest are pruned). */
export interface CheckInsTable {
  id: string;
  tenant_id: string;
  device_id: string;
  at: string;
  /** The revision the agent said it held. */
  held_revision: number | null;
  /** The revision sent back, or null for "unchanged". */
  sent_revision: number | null;
  facts_changed: number;
}

/** SQLite only (migration 009): moves whenever a scan would see a tenant's devices change. */
export interface DeviceScanStampsTable {
  tenant_id: string;
  stamp: number;
}

export interface FleetTables {
  devices: DevicesTable;
  device_scan_stamps: DeviceScanStampsTable;
  device_tags: DeviceTagsTable;
  device_groups: DeviceGroupsTable;
  effective_configurations: EffectiveConfigurationsTable;
  reports: ReportsTable;
  setting_statuses: SettingStatusesTable;
  sync_requests: SyncRequestsTable;
  sync_request_devices: SyncRequestDevicesTable;
  check_ins: CheckInsTable;
}
