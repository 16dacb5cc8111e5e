/**
 * The tenant's objects as policies-as-code sees them: groups (with their static members),
 * policies (current version), asset rules and tenant settings, plus the names of the live devices
 * so that members can be written and read by hostname. Read inside the plan / apply transaction.
 */
import type { JsonValue, PolicyPlatform, Profile } from '@palisade/core';
import type { PolicyAssignmentsMessage, TenantSettingsMessage } from '@palisade/protocol';
import type { Kysely } from 'kysely';
import { ApiError } from '../../errors.js';
import { readTenantSettings } from '../../services/tenants.js';
import type { Database } from '../../store/schema.js';

export interface CurrentGroup {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly kind: 'assigned' | 'dynamic';
  readonly rule: string | null;
  /** Device ids of an assigned group's live members, sorted. */
  readonly members: readonly string[];
}

export interface CurrentPolicy {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly platform: PolicyPlatform;
  readonly profile: Profile;
  readonly version: number;
  readonly settings: Readonly<Record<string, JsonValue>>;
  /** Group ids, as stored. */
  readonly assignments: PolicyAssignmentsMessage;
}

export interface CurrentAssetRule {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly rule: string;
  readonly tag: string;
  readonly enabled: boolean;
}

/** Live devices by id and by lower-cased hostname (a hostname may be shared). */
export interface DeviceNames {
  readonly hostnameOf: ReadonlyMap<string, string>;
  readonly idsByHostname: ReadonlyMap<string, readonly string[]>;
}

export interface CurrentState {
  readonly groups: readonly CurrentGroup[];
  readonly policies: readonly CurrentPolicy[];
  readonly assetRules: readonly CurrentAssetRule[];
  readonly settings: TenantSettingsMessage;
  readonly devices: DeviceNames;
}

export async function loadCurrentState(
  db: Kysely<Database>,
  tenantId: string,
): Promise<CurrentState> {
  const [groups, policies, assetRules, settings, devices] = await Promise.all([
    loadGroups(db, tenantId),
    loadPolicies(db, tenantId),
    db.selectFrom('asset_rules').selectAll().where('tenant_id', '=', tenantId).execute(),
    readTenantSettings(db, tenantId),
    loadDeviceNames(db, tenantId),
  ]);
  if (!settings) throw new ApiError('not_found', 'The tenant no longer exists.');
  const { tenantId: _tenantId, ...tenantSettings } = settings as TenantSettingsMessage & {
    tenantId?: string;
  };
  return {
    groups,
    policies,
    assetRules: assetRules
      .map((row) => ({
        id: row.id,
        name: row.name,
        description: row.description,
        rule: row.rule,
        tag: row.tag,
        enabled: row.enabled === 1,
      }))
      .sort(byName),
    settings: tenantSettings,
    devices,
  };
}

async function loadGroups(db: Kysely<Database>, tenantId: string): Promise<CurrentGroup[]> {
  const [rows, members] = await Promise.all([
    db.selectFrom('groups').selectAll().where('tenant_id', '=', tenantId).execute(),
    db
      .selectFrom('group_static_members')
      .innerJoin('devices', 'devices.id', 'group_static_members.device_id')
      .select(['group_static_members.group_id', 'group_static_members.device_id'])
      .where('group_static_members.tenant_id', '=', tenantId)
      .where('devices.offboarded_at', 'is', null)
      .execute(),
  ]);
  const byGroup = new Map<string, string[]>();
  for (const member of members) {
    const list = byGroup.get(member.group_id) ?? [];
    list.push(member.device_id);
    byGroup.set(member.group_id, list);
  }
  return rows
    .map((row) => ({
      id: row.id,
      name: row.name,
      description: row.description,
      kind: row.kind === 'dynamic' ? ('dynamic' as const) : ('assigned' as const),
      rule: row.rule,
      members: (byGroup.get(row.id) ?? []).sort(),
    }))
    .sort(byName);
}

async function loadPolicies(db: Kysely<Database>, tenantId: string): Promise<CurrentPolicy[]> {
  const rows = await db
    .selectFrom('policies as p')
    .innerJoin('policy_versions as v', (join) =>
      join.onRef('v.policy_id', '=', 'p.id').onRef('v.version', '=', 'p.current_version'),
    )
    .select([
      'p.id',
      'p.name',
      'p.description',
      'p.platform',
      'p.profile',
      'p.current_version',
      'v.settings',
      'v.assignments',
    ])
    .where('p.tenant_id', '=', tenantId)
    .execute();
  return rows
    .map((row) => ({
      id: row.id,
      name: row.name,
      description: row.description,
      platform: row.platform as PolicyPlatform,
      profile: row.profile as Profile,
      version: row.current_version,
      settings: JSON.parse(row.settings) as Record<string, JsonValue>,
      assignments: JSON.parse(row.assignments) as PolicyAssignmentsMessage,
    }))
    .sort(byName);
}

async function loadDeviceNames(db: Kysely<Database>, tenantId: string): Promise<DeviceNames> {
  const rows = await db
    .selectFrom('devices')
    .select(['id', 'hostname'])
    .where('tenant_id', '=', tenantId)
    .where('offboarded_at', 'is', null)
    .execute();
  const hostnameOf = new Map<string, string>();
  const idsByHostname = new Map<string, string[]>();
  for (const row of rows) {
    hostnameOf.set(row.id, row.hostname);
    const key = row.hostname.toLowerCase();
    idsByHostname.set(key, [...(idsByHostname.get(key) ?? []), row.id]);
  }
  return { hostnameOf, idsByHostname };
}

/**
 * How a member is written in a document: its hostname when no other live device shares it,
 * otherwise its device id (which always resolves).
 */
export function memberName(devices: DeviceNames, deviceId: string): string {
  const hostname = devices.hostnameOf.get(deviceId);
  if (hostname === undefined) return deviceId;
  return devices.idsByHostname.get(hostname.toLowerCase())?.length === 1 ? hostname : deviceId;
}

/** Sorts by name with a fixed, locale-independent order (export files must be stable). */
export function byName<T extends { readonly name: string }>(a: T, b: T): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
