/**
 * Policies as code: `POST /api/v1/config/plan` and `/apply` take a whole set of documents, check
 * them all (every problem at once, at `documents.<index>.<path>`), and compute the changes per
 * object and per setting. Apply writes them in ONE transaction with an audit entry per object and
 * one for the apply, and the fleet engine's recompute: all or nothing. Plan runs exactly the same
 * writes and recompute in a transaction that is rolled back, so the effect it shows (devices
 * reached, configurations changed, conflicts) is the one apply produces. Export answers the
 * tenant's objects as normalised documents.
 */
import {
  ConfigExportSchema,
  type ConfigPlan,
  ConfigPlanRequestSchema,
  ConfigPlanSchema,
} from '@palisade/protocol';
import type { Kysely } from 'kysely';
import type { z } from 'zod';
import { roleAllows, type UserActor } from '../../authz/roles.js';
import type { AfterCommit, AppContext } from '../../context.js';
import { ApiError } from '../../errors.js';
import { appendAudit, auditActorOf } from '../../services/audit.js';
import type { Database } from '../../store/schema.js';
import { actorOf, jsonBody, jsonResponse, type RegisterRoutes, route } from '../route.js';
import { computeChanges, type PlannedChange } from './changes.js';
import { loadCurrentState } from './current.js';
import { readDocuments, resolveDesiredState } from './desired.js';
import {
  compareSnapshot,
  describeEffect,
  type FleetSnapshot,
  readConfigurations,
  takeSnapshot,
} from './effect.js';
import { exportDocuments } from './export.js';
import { writeChanges } from './write.js';

const tags = ['config'];

const planRoute = route('reader', {
  method: 'post',
  path: '/api/v1/config/plan',
  tags,
  summary:
    'Plan a set of documents: changes per object and setting, and their effect on the fleet (saves nothing)',
  request: { body: jsonBody(ConfigPlanRequestSchema) },
  responses: { 200: jsonResponse(ConfigPlanSchema, 'The plan') },
});
const applyRoute = route('security-manager', {
  method: 'post',
  path: '/api/v1/config/apply',
  tags,
  summary: 'Apply a set of documents in one transaction (all or nothing); --prune deletes the rest',
  request: { body: jsonBody(ConfigPlanRequestSchema) },
  responses: { 200: jsonResponse(ConfigPlanSchema, 'What was applied') },
});
const exportRoute = route('reader', {
  method: 'get',
  path: '/api/v1/config/export',
  tags,
  summary: "The tenant's groups, policies, asset rules and settings as normalised documents",
  responses: { 200: jsonResponse(ConfigExportSchema, 'The documents') },
});

type PlanInput = z.output<typeof ConfigPlanRequestSchema>;

/** Thrown inside the plan's transaction to roll it back once the effect is measured. */
class PlanRollback extends Error {}

interface Measured {
  readonly plan: Omit<ConfigPlan, 'effect' | 'applied'>;
  readonly before: FleetSnapshot;
  readonly after: FleetSnapshot;
  readonly changed: readonly string[];
  readonly afterConfigs: Awaited<ReturnType<typeof readConfigurations>>;
  readonly pushes: readonly AfterCommit[];
}

async function measure(
  context: AppContext,
  actor: UserActor,
  input: PlanInput,
  commit: boolean,
): Promise<Measured> {
  const documents = readDocuments(input.documents);
  const tenantId = actor.tenantId;
  let measured: Measured | undefined;
  try {
    await context.store.transaction(async (trx) => {
      const current = await loadCurrentState(trx, tenantId);
      const desired = resolveDesiredState(documents, current, input.prune);
      const set = computeChanges(current, desired, input.prune);
      const settingsChange = set.changes.some((c) => c.kind === 'TenantSettings');
      if (commit && settingsChange && !roleAllows(actor.role, 'administrator')) {
        throw new ApiError(
          'forbidden',
          `Changing the tenant settings needs the administrator role; you are ${actor.role}.`,
        );
      }
      const before = await takeSnapshot(trx, context.store.dialect, tenantId);
      const written =
        set.changes.length > 0
          ? await writeChanges(context, trx, actor, current, set.changes)
          : { pushes: [], ids: new Map() };
      const compared = await compareSnapshot(trx, context.store.dialect, tenantId, before);
      const { after, changed } = compared;
      const afterConfigs = await readConfigurations(trx, tenantId, changed);
      const changes = withReach(set.changes, written.ids, compared.before, after);
      if (commit && changes.length > 0) await auditApply(context, trx, actor, input, changes);
      measured = {
        plan: { changes, unmanaged: set.unmanaged },
        before: compared.before,
        after,
        changed,
        afterConfigs,
        pushes: written.pushes,
      };
      if (!commit) throw new PlanRollback('plan: roll back');
    });
  } catch (error) {
    if (!(error instanceof PlanRollback)) throw error;
  }
  if (!measured) throw new ApiError('internal');
  return measured;
}

/** Each change as the plan shows it, with the devices its object reaches before → after. */
function withReach(
  changes: readonly PlannedChange[],
  ids: ReadonlyMap<PlannedChange, string>,
  before: FleetSnapshot,
  after: FleetSnapshot,
): ConfigPlan['changes'] {
  return changes.map((change) => {
    if (change.kind === 'TenantSettings') return { ...change.view, devices: null };
    const beforeId = change.current?.id ?? null;
    const afterId = ids.get(change) ?? null;
    const devices = {
      before: beforeId ? (before.reach.get(beforeId) ?? 0) : 0,
      after: afterId ? (after.reach.get(afterId) ?? 0) : 0,
    };
    return { ...change.view, devices };
  });
}

/** One entry for the apply as a whole, besides the entry of every object it changed. */
async function auditApply(
  context: AppContext,
  trx: Kysely<Database>,
  actor: UserActor,
  input: PlanInput,
  changes: ConfigPlan['changes'],
): Promise<void> {
  await appendAudit(trx, {
    tenantId: actor.tenantId,
    actor: auditActorOf(actor),
    action: 'config.apply',
    objectType: 'config',
    objectId: null,
    before: null,
    after: {
      prune: input.prune,
      changes: changes.map((c) => ({ kind: c.kind, name: c.name, action: c.action })),
    },
    at: context.clock.now(),
  });
}

export const registerConfigRoutes: RegisterRoutes = (app, context) => {
  app.openapi(planRoute, async (c) => {
    const actor = actorOf(c);
    const input = c.req.valid('json');
    const measured = await measure(context, actor, input, false);
    // The transaction is rolled back: the configurations read now are the ones before.
    const beforeConfigs = await readConfigurations(
      context.store.db,
      actor.tenantId,
      measured.changed,
    );
    const effect = describeEffect({ ...measured, beforeConfigs, limit: input.limit });
    return c.json({ ...measured.plan, effect, applied: false }, 200);
  });

  app.openapi(applyRoute, async (c) => {
    const actor = actorOf(c);
    const input = c.req.valid('json');
    const measured = await measure(context, actor, input, true);
    for (const send of measured.pushes) {
      try {
        await send();
      } catch (error) {
        context.logger.error({ err: error }, 'sending pushes after a committed apply failed');
      }
    }
    // The configurations before are overwritten by now: apply reports which devices moved
    // (the plan shows the per-setting detail).
    const effect = countsOnly(measured, input.limit);
    return c.json({ ...measured.plan, effect, applied: true }, 200);
  });

  app.openapi(exportRoute, async (c) => {
    const actor = actorOf(c);
    const current = await loadCurrentState(context.store.db, actor.tenantId);
    return c.json(exportDocuments(current), 200);
  });
};

/** After a commit: which devices were re-issued a configuration, without per-setting detail. */
function countsOnly(measured: Measured, limit: number): ConfigPlan['effect'] {
  let devicesChanged = 0;
  let enrollmentChanged = 0;
  const devices: ConfigPlan['effect']['devices'] = [];
  for (const deviceId of measured.changed) {
    const then = measured.before.devices.get(deviceId);
    const now = measured.after.devices.get(deviceId);
    if (!now) continue;
    if (then?.hash !== now.hash) devicesChanged++;
    const moved = then !== undefined && then.enrollment !== now.enrollment;
    if (moved) enrollmentChanged++;
    if (devices.length < limit) {
      devices.push({
        deviceId,
        hostname: now.hostname,
        enrollment: moved ? { before: then.enrollment, after: now.enrollment } : null,
        changes: [],
      });
    }
  }
  return {
    devicesChanged,
    enrollmentChanged,
    devices,
    conflictsAppearing: [],
    conflictsResolved: [],
  };
}
