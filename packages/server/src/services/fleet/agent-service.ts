/**
 * The agent protocol's server side: enroll, check-in and report. The check-in is the hot path:
 * when nothing changed it costs one primary-key read (the credential check, which also yields the
 * revision and the number of the facts held) and at most one throttled write of "last seen".
 *
 * Facts changes and their durability. An agent that numbers its facts sends (`factsSeq`, see the
 * protocol's CheckInRequestSchema) has its facts change committed without waiting for the disk
 * (`Store.relaxedTransaction`: no WAL fsync on SQLite, `synchronous_commit = off` on PostgreSQL):
 * the answer is what the agent waits for, and the fsync was most of it. Such a commit survives the
 * process being killed; a power loss or an OS crash may forget it (with every commit after it: the
 * log is replayed in order, so the next durable commit, e.g. the report the agent sends next,
 * makes it durable too). Nothing is lost silently, because the row then holds the number of an
 * earlier send while the agent holds a later one:
 * - the agent's next check-in carries its number, which is not the stored one: the answer asks
 *   for all of its facts (`f: 1`), and the agent sends them at once (`factsFull`);
 * - a delta based on facts the server does not hold is merged but its number is not stored (null:
 *   unknown), and the answer asks for all facts likewise;
 * - the forgotten commit may have moved the device's revision, and the agent may hold that
 *   configuration. A revision above the device's is caught up (`catchUpRevision`); but a later
 *   change may already have issued the same revision number with another configuration, which the
 *   agent would take for the one it holds. So all facts sent after such a gap (the agent had
 *   numbered sends the server does not hold) sign the configuration again under a new revision.
 * An agent that sends no number (an older one) keeps durable facts changes, and its writes store
 * the number as unknown.
 */
import { timingSafeEqual } from 'node:crypto';
import { type DeviceFacts, type JsonValue, sameJson } from '@palisade/core';
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
import { CompiledQuery, type RawBuilder, sql } from 'kysely';
import { hashSecret, newSecret } from '../../auth/secrets.js';
import { ApiError } from '../../errors.js';
import { inOrder, PreparedStatement } from '../../store/prepared.js';
import type { CachedConfiguration } from './configuration-cache.js';
import { type DeviceRow, deviceRecordOf, loadDeviceRecords } from './device-records.js';
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
  /** `devices.facts_seq`: the number of the agent's facts send the server holds (null: unknown). */
  readonly factsSeq: number | null;
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
      factsSeq: cached.factsSeq,
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
      factsSeq: row.facts_seq,
    },
    epoch,
  );
  return {
    id: row.id,
    tenantId: row.tenant_id,
    revision: row.revision,
    lastCheckInAt: row.last_check_in_at,
    factsSeq: row.facts_seq,
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
  readonly facts_seq: number | null;
}

/** The credential check's SQL, compiled once per database handle (it runs on every request). */
const deviceAuthSql = new WeakMap<FleetDb, string>();

async function readDeviceAuth(db: FleetDb, id: string): Promise<DeviceAuthRow | undefined> {
  let text = deviceAuthSql.get(db);
  if (text === undefined) {
    text = db
      .selectFrom('devices')
      .select(['id', 'tenant_id', 'credential_hash', 'revision', 'last_check_in_at', 'facts_seq'])
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
  if (request.facts === undefined) return answerCheckIn(fleet, device, request);
  // Carrying facts: how long until they are stored and the device is current (a metric).
  const started = performance.now();
  const answer = await answerCheckIn(fleet, device, request);
  fleet.metrics.factsCheckInSeconds.observe((performance.now() - started) / 1000);
  return answer;
}

async function answerCheckIn(
  fleet: FleetService,
  device: AuthenticatedDevice,
  request: CheckInRequest,
): Promise<CheckInResponse> {
  const state = await fleet.tenantState(device.tenantId);
  const n = nextCheckInSeconds(state);
  const now = fleet.clock.now();
  let facts = NO_FACTS;
  if (request.facts !== undefined) {
    facts = await receiveFacts(fleet, state, device, request, now);
  } else if (request.factsSeq !== undefined && request.factsSeq !== device.factsSeq) {
    // The agent names a facts send whose facts the server does not hold: nothing is written; all
    // of its facts, asked for now, replace what is stored.
    askForFacts(fleet, device, request.factsSeq, device.factsSeq, 'number');
    facts = ASK_FOR_FACTS;
  }
  // A facts change writes this check-in's history in its own transaction.
  const recorded = facts.recorded;
  let revision = facts.revision ?? device.revision;
  // (A revision at the very top cannot be passed: the agent keeps what it holds.)
  if (request.revision !== null && request.revision > revision && request.revision < MAX_REVISION) {
    revision = await catchUpRevision(fleet, device, request.revision, now);
  }
  const changed = request.revision !== revision;
  const seenLongAgo =
    now.getTime() - Date.parse(device.lastCheckInAt) >= LAST_SEEN_RESOLUTION_MS || facts.changed;
  const f = facts.askAll ? ({ f: 1 } as const) : undefined;
  if (!changed) {
    fleet.metrics.checkIns.inc({ result: 'unchanged' });
    if (seenLongAgo && !recorded) {
      await recordCheckIn(fleet, device, request, null, facts.changed, now, true);
    }
    return f ? { s: 'u', n, ...f } : { s: 'u', n };
  }
  const configuration = await configurationOf(fleet, device.id, revision);
  if (!configuration) {
    // Enrollment always writes a configuration; a device without one has none to send yet.
    fleet.metrics.checkIns.inc({ result: 'unchanged' });
    return f ? { s: 'u', n, ...f } : { s: 'u', n };
  }
  fleet.metrics.checkIns.inc({ result: 'changed' });
  if (!recorded) {
    await recordCheckIn(
      fleet,
      device,
      request,
      configuration.revision,
      facts.changed,
      now,
      seenLongAgo,
    );
  }
  return {
    s: 'c',
    n,
    configuration: { payload: configuration.payload, signature: configuration.signature },
    ...f,
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

/** What a check-in's facts did. */
interface FactsOutcome {
  /** The stored facts changed (the device was recomputed). */
  readonly changed: boolean;
  /** The device's revision after the facts were written; undefined when none were. */
  readonly revision: number | undefined;
  /** The check-in was recorded with the facts, in their transaction. */
  readonly recorded: boolean;
  /** The answer asks the agent for all of its facts (`f: 1`). */
  readonly askAll: boolean;
}

const NO_FACTS: FactsOutcome = {
  changed: false,
  revision: undefined,
  recorded: false,
  askAll: false,
};
const ASK_FOR_FACTS: FactsOutcome = { ...NO_FACTS, askAll: true };

/**
 * The facts a check-in carries: a delta merged into the stored facts, or all of them (`factsFull`)
 * replacing them; stored with the agent's number when the server held the delta's base (module
 * comment). Facts (which may list installed software) are read only when the agent sends some.
 */
async function receiveFacts(
  fleet: FleetService,
  state: TenantState,
  device: AuthenticatedDevice,
  request: CheckInRequest,
  now: Date,
): Promise<FactsOutcome> {
  const sent = request.facts ?? {};
  const seq = request.factsSeq;
  // An agent that does not number its sends (an older one): as before, and the number unknown.
  if (seq === undefined && Object.keys(sent).length === 0) return NO_FACTS;
  const stored = await readFacts(fleet.db, device.id);
  const before = JSON.parse(stored.facts) as DeviceFacts;
  // (The protocol's schema checked that `factsFull` facts are complete.)
  const after = (
    request.factsFull === true ? sent : DeviceFactsSchema.parse({ ...before, ...sent })
  ) as DeviceFacts;
  const changed = !sameFacts(before, after);
  if (seq === undefined) {
    if (!changed) return NO_FACTS;
    const write = { facts: after, stored, changed, seqRead: stored.facts_seq, seq: null };
    const written = await recordFactsChange(fleet, state, device, request, now, {
      ...write,
      reissue: false,
      durable: true,
    });
    fleet.auth.factsStored(device.id, written.seq);
    return { changed, revision: written.revision, recorded: written.recorded, askAll: false };
  }
  // The server holds the facts this delta is based on (or the agent sent all of them).
  const based = request.factsFull === true || stored.facts_seq === seq - 1;
  // All facts after a gap: the agent's numbered sends from 1 on are not all held (module comment).
  const reissue = request.factsFull === true && seq >= 2 && stored.facts_seq !== seq - 1;
  const write = {
    facts: after,
    stored,
    changed,
    seqRead: stored.facts_seq,
    seq: based ? seq : null,
  };
  let outcome: FactsOutcome = NO_FACTS;
  let storedSeq = stored.facts_seq;
  if (changed || reissue) {
    const written = await recordFactsChange(fleet, state, device, request, now, {
      ...write,
      reissue,
      durable: false,
    });
    storedSeq = written.seq;
    outcome = { changed, revision: written.revision, recorded: written.recorded, askAll: false };
  } else if (write.seq !== stored.facts_seq) {
    // Nothing changed but the number: stored all the same, or the next check-in would differ.
    storedSeq = await storeFactsSeq(fleet, device.id, write.seqRead, write.seq);
  }
  fleet.auth.factsStored(device.id, storedSeq);
  if (reissue) {
    fleet.logger.info(
      { deviceId: device.id, factsSeq: seq, held: stored.facts_seq, revision: outcome.revision },
      'all facts after a gap in the facts sends held (a facts change the server may have forgotten): the configuration was signed again under a newer revision',
    );
  }
  // Not stored as sent (the base was not held, or another write moved the number meanwhile).
  if (storedSeq !== seq) {
    askForFacts(fleet, device, seq, stored.facts_seq, 'base');
    return { ...outcome, askAll: true };
  }
  return outcome;
}

function sameFacts(a: DeviceFacts, b: DeviceFacts): boolean {
  return sameJson(a as unknown as JsonValue, b as unknown as JsonValue);
}

/** A device's stored facts, their number, and the columns made from them. */
interface StoredFacts {
  readonly facts: string;
  readonly facts_seq: number | null;
  readonly hostname: string;
  readonly platform: string;
}

const READ_FACTS = new PreparedStatement((db, parameter) =>
  db
    .selectFrom('devices')
    .select(['facts', 'facts_seq', 'hostname', 'platform'])
    .where('id', '=', parameter(0)),
);

async function readFacts(db: FleetDb, deviceId: string): Promise<StoredFacts> {
  const { rows } = await READ_FACTS.execute<StoredFacts>(db, 0, [deviceId]);
  const row = rows[0];
  // The device authenticated this request: its row is gone only if it was deleted meanwhile.
  if (!row) throw new Error(`device ${deviceId} has no row to read its facts from`);
  return row;
}

/** The answer will ask the agent for all of its facts (`f: 1`). */
function askForFacts(
  fleet: FleetService,
  device: AuthenticatedDevice,
  sent: number,
  held: number | null,
  reason: 'number' | 'base',
): void {
  fleet.metrics.factsRequested.inc({ reason });
  fleet.logger.debug(
    { deviceId: device.id, factsSeq: sent, held, reason },
    'asked the agent for all of its facts: the server does not hold its latest ones',
  );
}

/**
 * `devices.facts_seq` after a write: `next`, unless the stored number is no longer the one read
 * with the facts (another write of this device's facts came between: two check-ins at once, on
 * PostgreSQL from two processes); then unknown, and the agent is asked for all of its facts.
 */
function factsSeqAfter(read: number | null, next: number | null): RawBuilder<number | null> {
  if (next === null) return sql<null>`null`;
  const same = sql`facts_seq is not distinct from cast(${read} as integer)`;
  return sql<number | null>`case when ${same} then cast(${next} as integer) end`;
}

/**
 * A facts change's write of the device row (`recordFactsChange`). Shape: the parts it sets, `h`
 * (host name), `p` (platform), `v` (view version), `s` (a facts number to store, else null);
 * parameters: the facts, then the host name and its lower case (h), the platform (p), the number
 * read and the one to store (s), the device id.
 */
const UPDATE_FACTS = new PreparedStatement<string>((db, parameter, parts) => {
  const p = inOrder(parameter);
  return db
    .updateTable('devices')
    .set((eb) => ({
      facts: p(),
      ...(parts.includes('h') ? { hostname: p(), hostname_lower: p() } : {}),
      ...(parts.includes('p') ? { platform: p() } : {}),
      facts_seq: parts.includes('s') ? factsSeqAfter(p(), p()) : factsSeqAfter(null, null),
      ...(parts.includes('v') ? { view_version: eb('view_version', '+', 1) } : {}),
    }))
    .where('id', '=', p())
    .returningAll();
});

/** Only the facts' number moves: one relaxed write (see the module comment). */
async function storeFactsSeq(
  fleet: FleetService,
  deviceId: string,
  read: number | null,
  next: number | null,
): Promise<number | null> {
  const row = await fleet.store.relaxedTransaction((trx) =>
    fleetDb(trx)
      .updateTable('devices')
      .set({ facts_seq: factsSeqAfter(read, next) })
      .where('id', '=', deviceId)
      .returning('facts_seq')
      .executeTakeFirst(),
  );
  return row?.facts_seq ?? null;
}

interface FactsWrite {
  readonly facts: DeviceFacts;
  /** The device's columns as read with the stored facts (the ones indexes hold). */
  readonly stored: StoredFacts;
  /** They differ from the stored ones (false: a reissue only). */
  readonly changed: boolean;
  /** The number read with the stored facts, and the one to store. */
  readonly seqRead: number | null;
  readonly seq: number | null;
  /** Sign the configuration again under a new revision, even if it did not change. */
  readonly reissue: boolean;
  /** Wait for the disk: agents that do not number their facts sends (module comment). */
  readonly durable: boolean;
}

/**
 * New facts: store them and recompute this device only, and record the check-in in the same
 * transaction (one commit, not two). Returns its revision afterwards and the number stored.
 */
async function recordFactsChange(
  fleet: FleetService,
  state: TenantState,
  device: AuthenticatedDevice,
  request: CheckInRequest,
  now: Date,
  write: FactsWrite,
): Promise<{ revision: number; recorded: boolean; seq: number | null }> {
  const { facts } = write;
  const work = async (trx: FleetDb) => {
    const db = fleetDb(trx);
    // Only the columns that move: each one set is rewritten in every index that holds it
    // (the host name is in three), even to the same value — pages the commit writes.
    const { stored } = write;
    let parts = '';
    const parameters: unknown[] = [JSON.stringify(facts)];
    if (facts.hostname !== stored.hostname) {
      parts += 'h';
      parameters.push(facts.hostname, facts.hostname.toLowerCase());
    }
    if (facts.platform !== stored.platform) {
      parts += 'p';
      parameters.push(facts.platform);
    }
    if (write.seq !== null) {
      parts += 's';
      parameters.push(write.seqRead, write.seq);
    }
    if (write.changed) parts += 'v';
    parameters.push(device.id);
    const { rows } = await UPDATE_FACTS.execute<DeviceRow>(db, parts, parameters);
    const row = rows[0];
    const seq = row?.facts_seq ?? null;
    const started = performance.now();
    // The UPDATE above holds the device's row lock; the tenant is read after it, as this
    // transaction sees it, so a policy change committed meanwhile is never computed around. On
    // SQLite this transaction runs alone and every admin change drops the cached tenant inside
    // its own transaction: a settled cached state is the committed one.
    const fresh =
      (fleet.locks ? undefined : fleet.tenants.peekSettled(state.tenantId)) ??
      (await loadTenantState(db, state.tenantId));
    // The row as updated is the record's (not read again), its groups' ordinals turned into ids
    // from that state, without reading `groups`.
    const record =
      row && row.offboarded_at === null ? await deviceRecordOf(db, row, facts, fresh) : undefined;
    if (!record) {
      return { revision: device.revision, recorded: false, seq, afterCommit: async () => {} };
    }
    const result = await applyOutcome(db, fresh, record, evaluateDevice(fresh, record), now, {
      reissue: write.reissue,
    });
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
      factsChanged: write.changed,
      lastSeen: true,
    });
    // Other notify streams of this device (a second agent process) hear of the new revision.
    return {
      revision: result.revision,
      recorded: true,
      seq,
      afterCommit: fleet.afterCommit(
        device.tenantId,
        result.bumped ? [device.id] : [],
        false,
        signedOf(device.id, result),
      ),
    };
  };
  // Relaxed for agents that number their facts sends: why that is safe is the module comment.
  const { revision, recorded, seq, afterCommit } = write.durable
    ? await fleet.store.transaction(work)
    : await fleet.store.relaxedTransaction(work);
  await afterCommit();
  if (recorded) fleet.auth.touch(device.id, now.toISOString());
  return { revision, recorded, seq };
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
