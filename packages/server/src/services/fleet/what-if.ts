/**
 * What-if: for a draft policy (new or edited, assignments included) and/or policies to delete,
 * which devices' effective configurations would change, setting by setting, and which conflicts
 * would appear or be resolved — computed with the same resolution as a save, saving nothing.
 * Only devices the change can reach are evaluated: members of the include groups of the draft and
 * of the current versions, and devices the changed policies contribute to now.
 */
import {
  diffEffectiveConfigurations,
  filterPropertiesOf,
  type JsonValue,
  type PolicyVersion,
  policyReachesDevice,
  validateSettings,
} from '@palisade/core';
import type { WhatIfRequestSchema, WhatIfResponse } from '@palisade/protocol';
import type { z } from 'zod';
import { ApiError } from '../../errors.js';
import { addDevicesOfPolicies, loadDeviceRecords } from './device-records.js';
import { chunks, type FleetDb } from './fleet-db.js';
import type { FleetService } from './fleet-service.js';
import { configurationFor, evaluateDevice, MANAGED_CODE } from './recompute.js';
import type { TenantState } from './tenant-state.js';

export type WhatIfInput = z.output<typeof WhatIfRequestSchema>;

/** The id a new (unsaved) policy has in a what-if. */
export const DRAFT_POLICY_ID = 'draft';
const MAX_CONFLICTS_LISTED = 1_000;

export async function whatIf(
  fleet: FleetService,
  tenantId: string,
  input: WhatIfInput,
): Promise<WhatIfResponse> {
  const state = await fleet.tenantState(tenantId);
  for (const id of input.deletePolicyIds) {
    if (!state.policies.some((p) => p.id === id)) {
      throw new ApiError('not_found', `body.deletePolicyIds: no policy ${id}.`);
    }
  }
  const draft = input.policy ? draftVersion(state, input.policy) : null;
  const replaced = new Set([...input.deletePolicyIds, ...(draft ? [draft.id] : [])]);
  const after = [...state.policies.filter((p) => !replaced.has(p.id)), ...(draft ? [draft] : [])];
  const touched = state.policies.filter((p) => replaced.has(p.id));
  const deviceIds = await devicesInScope(fleet.db, tenantId, [
    ...touched,
    ...(draft ? [draft] : []),
  ]);

  const response: WhatIfResponse = {
    devicesReached: 0,
    devicesChanged: 0,
    changes: [],
    conflictsAppearing: [],
    conflictsResolved: [],
  };
  for (const ids of chunks(deviceIds)) {
    for (const record of await loadDeviceRecords(fleet.db, tenantId, ids)) {
      const now = evaluateDevice(state, record);
      const next = configurationFor(state, now.view, now.decision, after);
      const reached =
        draft !== null &&
        now.decision.code === MANAGED_CODE &&
        policyReachesDevice(
          draft,
          {
            platform: record.facts.platform,
            groupIds: now.groupIds,
            withheldProfiles: now.decision.withheldProfiles,
          },
          (filter) => state.filterRule(filter)?.(filterPropertiesOf(now.view)) ?? false,
        );
      if (reached) response.devicesReached++;
      const changes = diffEffectiveConfigurations(now.configuration, next);
      if (changes.length === 0) continue;
      response.devicesChanged++;
      const hostname = record.row.hostname;
      if (response.changes.length < input.limit) {
        response.changes.push({ deviceId: record.row.id, hostname, changes: [...changes] });
      }
      for (const change of changes) {
        const entry = { deviceId: record.row.id, hostname, settingId: change.id };
        if (
          change.kind === 'conflict-added' &&
          response.conflictsAppearing.length < MAX_CONFLICTS_LISTED
        ) {
          response.conflictsAppearing.push({ ...entry, candidates: change.after });
        }
        if (
          change.kind === 'conflict-removed' &&
          response.conflictsResolved.length < MAX_CONFLICTS_LISTED
        ) {
          response.conflictsResolved.push({ ...entry, candidates: change.before });
        }
      }
    }
  }
  return response;
}

/** The draft as a policy version: an edit starts from the current version, a new one from nothing. */
function draftVersion(
  state: TenantState,
  policy: NonNullable<WhatIfInput['policy']>,
): PolicyVersion {
  const current = policy.id ? state.policies.find((p) => p.id === policy.id) : undefined;
  if (policy.id && !current)
    throw new ApiError('not_found', `body.policy.id: no policy ${policy.id}.`);
  const platform = policy.platform ?? current?.platform;
  const profile = policy.profile ?? current?.profile;
  if (!platform || !profile) {
    const missing = [!platform ? 'platform' : null, !profile ? 'profile' : null].filter(
      (field): field is string => field !== null,
    );
    throw new ApiError(
      'validation_failed',
      `body.policy.${missing[0]}: a new policy needs a platform and a profile`,
      missing.map((field) => ({
        path: `body.policy.${field}`,
        message: 'required for a new policy',
      })),
    );
  }
  const settings = (policy.settings ?? current?.settings ?? {}) as Record<string, JsonValue>;
  const problems = validateSettings(platform, profile, settings);
  if (problems.length > 0) {
    throw new ApiError(
      'invalid_settings',
      problems[0]?.message,
      problems.map((problem) => ({
        path: ['body', 'policy', 'settings', problem.settingId, ...(problem.path ?? [])].join('.'),
        message: problem.message,
      })),
    );
  }
  return {
    id: current?.id ?? DRAFT_POLICY_ID,
    name: policy.name ?? current?.name ?? 'draft policy',
    version: (current?.version ?? 0) + 1,
    platform,
    profile,
    settings,
    assignments: policy.assignments ??
      current?.assignments ?? { include: [], exclude: [], filter: null },
  };
}

async function devicesInScope(
  db: FleetDb,
  tenantId: string,
  policies: readonly PolicyVersion[],
): Promise<string[]> {
  const devices = new Set<string>();
  const groups = policies.flatMap((p) => p.assignments.include);
  const policyIds = policies.map((p) => p.id).filter((id) => id !== DRAFT_POLICY_ID);
  await addDevicesOfPolicies(db, tenantId, groups, policyIds, devices);
  return [...devices];
}
