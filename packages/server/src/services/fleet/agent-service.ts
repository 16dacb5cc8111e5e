/**
 * The agent protocol's server side: enroll, check-in and report. The check-in is the hot path:
 * when nothing changed it costs one primary-key read (the credential check, which also yields the
 * revision) and at most one throttled write of "last seen".
 */
import { timingSafeEqual } from 'node:crypto';
import { canonicalJson, type DeviceFacts, type JsonValue } from '@palisade/core';
import {
  type CheckInRequest,
  type CheckInResponse,
  DeviceFactsSchema,
  type EnrollRequest,
  type EnrollResponse,
  MAX_REVISION,
  type ReportRequest,
  type ReportResponse,
} from '@palisade/protocol';
import { CompiledQuery } from 'kysely';
import { hashSecret, newSecret } from '../../auth/secrets.js';
import { ApiError } from '../../errors.js';
import type { CachedConfiguration } from './configuration-cache.js';
import { loadDeviceRecords } from './device-records.js';
import { type Enrolled, type EnrollUnit, writeEnrollments } from './enrollments.js';
import { type FleetDb, fleetDb } from './fleet-db.js';
import type { FleetService } from './fleet-service.js';
import { applyOutcome, evaluateDevice, signedOf } from './recompute.js';
import { loadTenantState, type TenantState } from './tenant-state.js';

/** "Last seen" is written at most this often on unchanged check-ins (the hot path stays a read). */
export const LAST_SEEN_RESOLUTION_MS = 60_000;
export { CHECK_IN_HISTORY } from './check-in-recorder.js';

/** What the credential check reads: the one indexed read of an unchanged check-in. */
export interface AuthenticatedDevice {
  readonly id: string;
  readonly tenantId: string;
  readonly revision: number;
  readonly lastCheckInAt: string;
}

/**
 * Checks `Authorization: Bearer <deviceId>.<secret>` against the stored hash. An offboarded
 * device's credential no longer works. On SQLite the device's row comes from the in-memory cache
 * (device-auth-cache.ts) when it holds it and the credential matches; otherwise it is read.
 */
export async function authenticateDevice(
  fleet: FleetService,
  authorization: string | undefined,
): Promise<AuthenticatedDevice> {
  const match = /^Bearer\s+([^.\s]+)\.(\S+)$/i.exec(authorization ?? '');
  if (!match?.[1] || !match[2]) {
    throw new ApiError(
      'device_unauthenticated',
      'Send the device credential from enroll as "Authorization: Bearer <deviceId>.<secret>".',
    );
  }
  const id = match[1];
  const presented = hashSecret(match[2]);
  const cached = fleet.auth.get(id);
  // A cached hash that does not match may be an older credential (a re-enrollment): read again.
  if (cached && sameHash(cached.credentialHash, presented)) {
    return {
      id,
      tenantId: cached.tenantId,
      revision: cached.revision,
      lastCheckInAt: cached.lastCheckInAt,
    };
  }
  const epoch = fleet.auth.epoch;
  const row = await readDeviceAuth(fleet.db, id);
  if (!row || !sameHash(row.credential_hash, presented)) {
    throw new ApiError(
      'device_unauthenticated',
      'The device credential is not valid (the device may have been offboarded): enroll again.',
    );
  }
  fleet.auth.put(
    id,
    {
      tenantId: row.tenant_id,
      credentialHash: row.credential_hash,
      revision: row.revision,
      lastCheckInAt: row.last_check_in_at,
    },
    epoch,
  );
  return {
    id: row.id,
    tenantId: row.tenant_id,
    revision: row.revision,
    lastCheckInAt: row.last_check_in_at,
  };
}

function sameHash(stored: string, presented: string): boolean {
  const a = Buffer.from(stored);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}

interface DeviceAuthRow {
  readonly id: string;
  readonly tenant_id: string;
  readonly credential_hash: string;
  readonly revision: number;
  readonly last_check_in_at: string;
}

/** The credential check's SQL, compiled once per database handle (it runs on every request). */
const deviceAuthSql = new WeakMap<FleetDb, string>();

async function readDeviceAuth(db: FleetDb, id: string): Promise<DeviceAuthRow | undefined> {
  let text = deviceAuthSql.get(db);
  if (text === undefined) {
    text = db
      .selectFrom('devices')
      .select(['id', 'tenant_id', 'credential_hash', 'revision', 'last_check_in_at'])
      .where('id', '=', '')
      .where('offboarded_at', 'is', null)
      .compile().sql;
    deviceAuthSql.set(db, text);
  }
  const result = await db.executeQuery<DeviceAuthRow>(CompiledQuery.raw(text, [id]));
  return result.rows[0];
}

/** The fallback check-in interval with ±10 % jitter, so a fleet does not check in in lockstep. */
export function nextCheckInSeconds(state: TenantState): number {
  const base = state.settings.checkInIntervalMinutes * 60;
  return Math.max(1, Math.round(base * (0.9 + Math.random() * 0.2)));
}

export async function enroll(fleet: FleetService, request: EnrollRequest): Promise<EnrollResponse> {
  const now = fleet.clock.now();
  const token = await fleet.db
    .selectFrom('onboarding_tokens')
    .select(['id', 'tenant_id', 'expires_at', 'revoked_at'])
    .where('token_hash', '=', hashSecret(request.token))
    .executeTakeFirst();
  if (!token) throw new ApiError('token_invalid', 'body.token: the onboarding token is not valid.');
  if (token.revoked_at !== null) {
    throw new ApiError(
      'token_revoked',
      `The onboarding token was revoked at ${token.revoked_at}: ask an administrator for a new one.`,
    );
  }
  if (token.expires_at <= now.toISOString()) {
    throw new ApiError(
      'token_expired',
      `The onboarding token expired at ${token.expires_at}: ask an administrator for a new one.`,
    );
  }
  const state = await fleet.tenantState(token.tenant_id);
  const secret = newSecret();
  const enrolled = await enrollWithRetry(fleet, { state, tokenId: token.id, request, secret, now });
  fleet.metrics.enrollments.inc({ status: enrolled.decision.name });
  await enrolled.afterCommit();
  return {
    deviceId: enrolled.deviceId,
    tenantId: state.tenantId,
    credential: `${enrolled.deviceId}.${secret}`,
    tenantPublicKey: state.publicKey,
    enrollment: { ...enrolled.decision, withheldProfiles: [...enrolled.decision.withheldProfiles] },
    nextCheckInSeconds: nextCheckInSeconds(state),
  };
}

/** Two agents of one machine enrolling at once race on (tenant, machine id): the loser retries. */
async function enrollWithRetry(fleet: FleetService, unit: EnrollUnit): Promise<Enrolled> {
  try {
    return await enrollOnce(fleet, unit);
  } catch (error) {
    const exists = await fleet.db
      .selectFrom('devices')
      .select('id')
      .where('tenant_id', '=', unit.state.tenantId)
      .where('machine_id', '=', unit.request.machineId)
      .executeTakeFirst();
    if (!exists) throw error;
    return enrollOnce(fleet, unit);
  }
}

/**
 * One enrollment in the store: on SQLite with the enrollments that arrive meanwhile (one
 * transaction per burst, `FleetService.enrollments`), on PostgreSQL in a transaction of its own.
 */
async function enrollOnce(fleet: FleetService, unit: EnrollUnit): Promise<Enrolled> {
  if (fleet.store.dialect === 'sqlite') return fleet.enrollments.push(unit);
  const [enrolled] = await writeEnrollments(fleet, [unit]);
  if (!enrolled) throw new Error('the enrollment was not written');
  return enrolled;
}

export async function checkIn(
  fleet: FleetService,
  device: AuthenticatedDevice,
  request: CheckInRequest,
): Promise<CheckInResponse> {
  const state = await fleet.tenantState(device.tenantId);
  const n = nextCheckInSeconds(state);
  const now = fleet.clock.now();
  const merged = await mergedFacts(fleet.db, device, request.facts);
  let revision = device.revision;
  // A facts change writes this check-in's history in its own transaction.
  let recorded = false;
  if (merged) {
    ({ revision, recorded } = await recordFactsChange(fleet, state, device, merged, request, now));
  }
  // (A revision at the very top cannot be passed: the agent keeps what it holds.)
  if (request.revision !== null && request.revision > revision && request.revision < MAX_REVISION) {
    revision = await catchUpRevision(fleet, device, request.revision, now);
  }
  const changed = request.revision !== revision;
  const seenLongAgo =
    now.getTime() - Date.parse(device.lastCheckInAt) >= LAST_SEEN_RESOLUTION_MS || merged !== null;
  if (!changed) {
    fleet.metrics.checkIns.inc({ result: 'unchanged' });
    if (seenLongAgo && !recorded) {
      await recordCheckIn(fleet, device, request, null, merged !== null, now, true);
    }
    return { s: 'u', n };
  }
  const configuration = await configurationOf(fleet, device.id, revision);
  if (!configuration) {
    // Enrollment always writes a configuration; a device without one has none to send yet.
    fleet.metrics.checkIns.inc({ result: 'unchanged' });
    return { s: 'u', n };
  }
  fleet.metrics.checkIns.inc({ result: 'changed' });
  if (!recorded) {
    await recordCheckIn(
      fleet,
      device,
      request,
      configuration.revision,
      merged !== null,
      now,
      seenLongAgo,
    );
  }
  return {
    s: 'c',
    n,
    configuration: { payload: configuration.payload, signature: configuration.signature },
  };
}

/**
 * The device's signed configuration: from the cache when it holds this revision, else read (and
 * kept). What is stored is sent even when it is not `revision` (a change committed meanwhile).
 */
async function configurationOf(
  fleet: FleetService,
  deviceId: string,
  revision: number,
): Promise<CachedConfiguration | undefined> {
  const cached = fleet.configurations.get(deviceId, revision);
  if (cached) return cached;
  const row = await fleet.db
    .selectFrom('effective_configurations')
    .select(['revision', 'payload', 'signature'])
    .where('device_id', '=', deviceId)
    .executeTakeFirst();
  if (row) fleet.configurations.put(deviceId, row);
  return row;
}

/**
 * The stored facts with the delta applied, or null when the delta changes nothing. Facts (which
 * may list installed software) are read only when the agent sent a delta.
 */
async function mergedFacts(
  db: FleetDb,
  device: AuthenticatedDevice,
  delta: CheckInRequest['facts'],
): Promise<DeviceFacts | null> {
  if (!delta || Object.keys(delta).length === 0) return null;
  const stored = await db
    .selectFrom('devices')
    .select('facts')
    .where('id', '=', device.id)
    .executeTakeFirstOrThrow();
  const before = JSON.parse(stored.facts) as DeviceFacts;
  const after = DeviceFactsSchema.parse({ ...before, ...delta }) as DeviceFacts;
  const same =
    canonicalJson(after as unknown as JsonValue) === canonicalJson(before as unknown as JsonValue);
  return same ? null : after;
}

/**
 * New facts: store them and recompute this device only, and record the check-in in the same
 * transaction (one commit, not two). Returns its revision afterwards.
 */
async function recordFactsChange(
  fleet: FleetService,
  state: TenantState,
  device: AuthenticatedDevice,
  facts: DeviceFacts,
  request: CheckInRequest,
  now: Date,
): Promise<{ revision: number; recorded: boolean }> {
  const { revision, recorded, afterCommit } = await fleet.store.transaction(async (trx) => {
    const db = fleetDb(trx);
    await db
      .updateTable('devices')
      .set((eb) => ({
        facts: JSON.stringify(facts),
        hostname: facts.hostname,
        hostname_lower: facts.hostname.toLowerCase(),
        platform: facts.platform,
        view_version: eb('view_version', '+', 1),
      }))
      .where('id', '=', device.id)
      .execute();
    const started = performance.now();
    const [record] = await loadDeviceRecords(db, device.tenantId, [device.id]);
    if (!record) {
      return { revision: device.revision, recorded: false, afterCommit: async () => {} };
    }
    // The UPDATE above holds the device's row lock; the tenant is read after it, as this
    // transaction sees it, so a policy change committed meanwhile is never computed around. On
    // SQLite this transaction runs alone and every admin change drops the cached tenant inside
    // its own transaction: a settled cached state is the committed one.
    const fresh =
      (fleet.locks ? undefined : fleet.tenants.peekSettled(state.tenantId)) ??
      (await loadTenantState(db, state.tenantId));
    const result = await applyOutcome(db, fresh, record, evaluateDevice(fresh, record), now);
    fleet.metrics.devicesRecomputed.inc({ cause: 'facts' });
    fleet.metrics.recomputeSeconds.observe(
      { cause: 'facts' },
      (performance.now() - started) / 1000,
    );
    await fleet.checkIns.writeWithin(db, {
      tenantId: device.tenantId,
      deviceId: device.id,
      at: now.toISOString(),
      heldRevision: request.revision,
      sentRevision: request.revision === result.revision ? null : result.revision,
      factsChanged: true,
      lastSeen: true,
    });
    // Other notify streams of this device (a second agent process) hear of the new revision.
    return {
      revision: result.revision,
      recorded: true,
      afterCommit: fleet.afterCommit(
        device.tenantId,
        result.bumped ? [device.id] : [],
        false,
        signedOf(device.id, result),
      ),
    };
  });
  await afterCommit();
  if (recorded) fleet.auth.touch(device.id, now.toISOString());
  return { revision, recorded };
}

/**
 * The agent holds a revision above the device's: the server lost what it once issued (its
 * database was restored from a backup, or a power loss took a commit that had not reached the
 * disk). The agent rightly refuses any configuration that is not newer than the one it holds, so
 * the device's revision is moved past the agent's and its current configuration signed again
 * under it. Only the device's own credential can ask for this, and only for itself.
 */
async function catchUpRevision(
  fleet: FleetService,
  device: AuthenticatedDevice,
  held: number,
  now: Date,
): Promise<number> {
  const { revision, afterCommit } = await fleet.store.transaction(async (trx) => {
    const db = fleetDb(trx);
    await db
      .updateTable('devices')
      .set({ revision: held })
      .where('id', '=', device.id)
      .where('revision', '<', held)
      .execute();
    const [record] = await loadDeviceRecords(db, device.tenantId, [device.id]);
    if (!record) return { revision: device.revision, afterCommit: async () => {} };
    const state = await loadTenantState(db, device.tenantId);
    const outcome = evaluateDevice(state, record);
    const result = await applyOutcome(db, state, record, outcome, now, { reissue: true });
    fleet.logger.warn(
      { deviceId: device.id, held, reissued: result.revision },
      'the agent held a revision this server never issued (restored database?); its configuration was signed again under a newer one',
    );
    return {
      revision: result.revision,
      afterCommit: fleet.afterCommit(
        device.tenantId,
        [device.id],
        false,
        signedOf(device.id, result),
      ),
    };
  });
  await afterCommit();
  return revision;
}

async function recordCheckIn(
  fleet: FleetService,
  device: AuthenticatedDevice,
  request: CheckInRequest,
  sentRevision: number | null,
  factsChanged: boolean,
  now: Date,
  lastSeen: boolean,
): Promise<void> {
  const at = now.toISOString();
  await fleet.checkIns.record({
    tenantId: device.tenantId,
    deviceId: device.id,
    at,
    heldRevision: request.revision,
    sentRevision,
    factsChanged,
    lastSeen,
  });
  // The cached row follows the stored one (the next check-in decides "seen long ago" from it).
  if (lastSeen) fleet.auth.touch(device.id, at);
}

export async function report(
  fleet: FleetService,
  device: AuthenticatedDevice,
  request: ReportRequest,
): Promise<ReportResponse> {
  const duplicate = await fleet.reports.write({
    tenantId: device.tenantId,
    deviceId: device.id,
    request,
    now: fleet.clock.now(),
  });
  fleet.metrics.reports.inc({ result: duplicate ? 'duplicate' : 'accepted' });
  return { accepted: true, duplicate };
}
