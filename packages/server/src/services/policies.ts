/**
 * Policies: validated by core's catalog, saved as immutable versions. Every save (create, edit,
 * assignment change, revert) writes a new version and moves the policy's current version to it;
 * the `policy_assignments` table mirrors the current version's groups for fast lookups.
 */
import { randomUUID } from 'node:crypto';
import {
  canonicalJson,
  getProfile,
  type JsonValue,
  type PolicyPlatform,
  type Profile,
  validateSettings,
} from '@palisade/core';
import type {
  Policy,
  PolicyAssignmentsMessage,
  PolicyDiff,
  PolicyVersionMessage,
} from '@palisade/protocol';
import type { Kysely } from 'kysely';
import { ApiError, type FieldProblem } from '../errors.js';
import type { Database, PolicyTable, PolicyVersionTable } from '../store/schema.js';
import { isUniqueViolation } from '../store/store.js';
import { checkRule } from './rules.js';

export interface PolicyContent {
  readonly name: string;
  readonly description: string;
  readonly settings: Readonly<Record<string, unknown>>;
  readonly assignments: PolicyAssignmentsMessage;
}

export const NO_ASSIGNMENTS: PolicyAssignmentsMessage = { include: [], exclude: [], filter: null };

/** Refuses a profile this channel cannot deliver (security-experience) or the platform lacks. */
export function checkProfile(platform: PolicyPlatform, profile: Profile): void {
  const definition = getProfile(profile);
  if (definition && !definition.deliverable) {
    const message = definition.refusal ?? `the ${profile} profile cannot be delivered`;
    throw new ApiError('profile_refused', `body.profile: ${message}`, [
      { path: 'body.profile', message },
    ]);
  }
  if (definition && !definition.platforms.includes(platform)) {
    const message = `the ${profile} profile has no ${platform} settings (it has ${definition.platforms.join(', ')})`;
    throw new ApiError('validation_failed', `body.profile: ${message}`, [
      { path: 'body.profile', message },
    ]);
  }
}

/** All of the catalog's problems with the settings at once, each naming its setting. */
export function checkSettings(
  platform: PolicyPlatform,
  profile: Profile,
  settings: Readonly<Record<string, unknown>>,
  path = 'body.settings',
): void {
  const problems = validateSettings(platform, profile, settings);
  if (problems.length === 0) return;
  const fields: FieldProblem[] = problems.map((problem) => ({
    path: [path, problem.settingId, ...(problem.path ?? []).map(String)].filter(Boolean).join('.'),
    message: problem.message,
  }));
  throw new ApiError(
    'invalid_settings',
    problems.length === 1
      ? (problems[0] as { message: string }).message
      : `${problems.length} settings are not valid: ${problems.map((p) => p.message).join('; ')}`,
    fields,
  );
}

/** Every group an assignment names exists in the tenant; the filter parses; no group twice. */
export async function checkAssignments(
  db: Kysely<Database>,
  tenantId: string,
  assignments: PolicyAssignmentsMessage,
  path = 'body.assignments',
): Promise<void> {
  const named = [...assignments.include, ...assignments.exclude];
  const existing = new Set<string>();
  if (named.length > 0) {
    const rows = await db
      .selectFrom('groups')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('id', 'in', [...new Set(named)])
      .execute();
    for (const row of rows) existing.add(row.id);
  }
  const fields: FieldProblem[] = [];
  for (const mode of ['include', 'exclude'] as const) {
    assignments[mode].forEach((groupId, index) => {
      if (!existing.has(groupId)) {
        fields.push({
          path: `${path}.${mode}.${index}`,
          message: `no group ${groupId} in this tenant`,
        });
      }
    });
  }
  assignments.exclude.forEach((groupId, index) => {
    if (assignments.include.includes(groupId)) {
      fields.push({
        path: `${path}.exclude.${index}`,
        message: `group ${groupId} is both included and excluded`,
      });
    }
  });
  if (fields.length > 0) {
    throw new ApiError('validation_failed', `${fields[0]?.path}: ${fields[0]?.message}`, fields);
  }
  if (assignments.filter) checkRule(assignments.filter.rule, 'filter', `${path}.filter.rule`);
}

export function nameTaken(name: string): ApiError {
  return new ApiError('name_taken', `body.name: a policy named "${name}" already exists.`, [
    { path: 'body.name', message: 'already taken' },
  ]);
}

export async function findPolicyRow(
  db: Kysely<Database>,
  tenantId: string,
  id: string,
): Promise<PolicyTable> {
  const row = await db
    .selectFrom('policies')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw new ApiError('not_found', `No policy ${id}.`);
  return row;
}

/**
 * Takes the write lock on a policy's row for the rest of the transaction (a no-op update: row
 * lock on PostgreSQL, the database write lock on SQLite). Throws not_found for an unknown id.
 */
export async function lockPolicy(
  trx: Kysely<Database>,
  tenantId: string,
  id: string,
): Promise<void> {
  const result = await trx
    .updateTable('policies')
    .set((eb) => ({ current_version: eb.ref('current_version') }))
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) throw new ApiError('not_found', `No policy ${id}.`);
}

export async function findVersionRow(
  db: Kysely<Database>,
  tenantId: string,
  policyId: string,
  version: number,
  path = 'path.version',
): Promise<PolicyVersionTable> {
  const row = await db
    .selectFrom('policy_versions')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('policy_id', '=', policyId)
    .where('version', '=', version)
    .executeTakeFirst();
  if (!row) {
    throw new ApiError('not_found', `${path}: policy ${policyId} has no version ${version}.`, [
      { path, message: `no version ${version}` },
    ]);
  }
  return row;
}

export function presentPolicy(row: PolicyTable, version: PolicyVersionTable): Policy {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    platform: row.platform as PolicyPlatform,
    profile: row.profile as Profile,
    version: row.current_version,
    settings: JSON.parse(version.settings) as Record<string, unknown>,
    assignments: JSON.parse(version.assignments) as PolicyAssignmentsMessage,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function presentVersion(row: PolicyVersionTable): PolicyVersionMessage {
  return {
    policyId: row.policy_id,
    version: row.version,
    name: row.name,
    description: row.description,
    change: row.change,
    createdAt: row.created_at,
    createdBy: row.created_by,
    settings: JSON.parse(row.settings) as Record<string, unknown>,
    assignments: JSON.parse(row.assignments) as PolicyAssignmentsMessage,
  };
}

export async function loadPolicy(
  db: Kysely<Database>,
  tenantId: string,
  id: string,
): Promise<Policy> {
  const row = await findPolicyRow(db, tenantId, id);
  return presentPolicy(row, await findVersionRow(db, tenantId, id, row.current_version));
}

/** Creates a policy at version 1. Content must already be checked. */
export async function insertPolicy(
  trx: Kysely<Database>,
  input: {
    readonly tenantId: string;
    readonly platform: PolicyPlatform;
    readonly profile: Profile;
    readonly content: PolicyContent;
    readonly by: string;
    readonly now: Date;
  },
): Promise<string> {
  const id = randomUUID();
  const now = input.now.toISOString();
  await trx
    .insertInto('policies')
    .values({
      id,
      tenant_id: input.tenantId,
      name: input.content.name,
      description: input.content.description,
      platform: input.platform,
      profile: input.profile,
      current_version: 0,
      filter_mode: null,
      filter_rule: null,
      created_at: now,
      updated_at: now,
    })
    .execute()
    .catch((error: unknown) => {
      throw isUniqueViolation(error) ? nameTaken(input.content.name) : error;
    });
  await saveVersion(trx, { ...input, policyId: id, change: 'created' });
  return id;
}

/**
 * Writes the next version of a policy with the given content, makes it current, and mirrors its
 * assignments. Returns the new version number.
 */
export async function saveVersion(
  trx: Kysely<Database>,
  input: {
    readonly tenantId: string;
    readonly policyId: string;
    readonly content: PolicyContent;
    readonly change: string;
    readonly by: string;
    readonly now: Date;
  },
): Promise<number> {
  const { tenantId, policyId, content } = input;
  const current = await trx
    .selectFrom('policies')
    .select('current_version')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', policyId)
    .executeTakeFirstOrThrow();
  const version = current.current_version + 1;
  const now = input.now.toISOString();
  await trx
    .insertInto('policy_versions')
    .values({
      tenant_id: tenantId,
      policy_id: policyId,
      version,
      name: content.name,
      description: content.description,
      settings: JSON.stringify(content.settings),
      assignments: JSON.stringify(content.assignments),
      created_at: now,
      created_by: input.by,
      change: input.change,
    })
    .execute();
  await trx
    .updateTable('policies')
    .set({
      name: content.name,
      description: content.description,
      current_version: version,
      filter_mode: content.assignments.filter?.mode ?? null,
      filter_rule: content.assignments.filter?.rule ?? null,
      updated_at: now,
    })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', policyId)
    .execute()
    .catch((error: unknown) => {
      throw isUniqueViolation(error) ? nameTaken(content.name) : error;
    });
  await trx.deleteFrom('policy_assignments').where('policy_id', '=', policyId).execute();
  const rows = [
    ...content.assignments.include.map((groupId) => ({ groupId, mode: 'include' })),
    ...content.assignments.exclude.map((groupId) => ({ groupId, mode: 'exclude' })),
  ];
  if (rows.length > 0) {
    await trx
      .insertInto('policy_assignments')
      .values(
        rows.map((row) => ({
          tenant_id: tenantId,
          policy_id: policyId,
          group_id: row.groupId,
          mode: row.mode,
        })),
      )
      .execute();
  }
  return version;
}

/** Per setting: added, removed or changed between two versions; plus the other fields. */
export function diffVersions(from: PolicyVersionTable, to: PolicyVersionTable): PolicyDiff {
  const before = JSON.parse(from.settings) as Record<string, JsonValue>;
  const after = JSON.parse(to.settings) as Record<string, JsonValue>;
  const ids = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const settings: PolicyDiff['settings'] = [];
  for (const settingId of ids) {
    const inBefore = Object.hasOwn(before, settingId);
    const inAfter = Object.hasOwn(after, settingId);
    if (inBefore && !inAfter)
      settings.push({ settingId, kind: 'removed', before: before[settingId] });
    else if (!inBefore && inAfter)
      settings.push({ settingId, kind: 'added', after: after[settingId] });
    else if (
      canonicalJson(before[settingId] as JsonValue) !== canonicalJson(after[settingId] as JsonValue)
    ) {
      settings.push({
        settingId,
        kind: 'changed',
        before: before[settingId],
        after: after[settingId],
      });
    }
  }
  const fields: PolicyDiff['fields'] = [];
  if (from.name !== to.name) fields.push({ field: 'name', before: from.name, after: to.name });
  if (from.description !== to.description) {
    fields.push({ field: 'description', before: from.description, after: to.description });
  }
  const assignmentsBefore = JSON.parse(from.assignments) as JsonValue;
  const assignmentsAfter = JSON.parse(to.assignments) as JsonValue;
  if (canonicalJson(assignmentsBefore) !== canonicalJson(assignmentsAfter)) {
    fields.push({ field: 'assignments', before: assignmentsBefore, after: assignmentsAfter });
  }
  return { policyId: from.policy_id, from: from.version, to: to.version, settings, fields };
}
