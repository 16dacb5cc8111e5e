/**
 * The agent protocol: the messages between `palisade-agent` (or the fleet simulator) and the
 * server. One schema per message; both sides validate with the same schema.
 *
 * Routes (all JSON, under the server's base URL):
 * - `POST /agent/v1/enroll`    EnrollRequest → EnrollResponse (no auth; the onboarding token is in the body)
 * - `POST /agent/v1/check-in`  CheckInRequest → CheckInResponse
 * - `GET  /agent/v1/notify`    server-sent events: `revision` (NotifyRevisionEvent) and `sync`
 *                              (NotifySyncEvent); a `: ping` comment every 25 s keeps it open;
 *                              over an upgraded connection when asked (NOTIFY_UPGRADE); with
 *                              `deliver=configuration`, `configuration` events (the signed
 *                              configuration itself) instead of `revision`
 * - `POST /agent/v1/report`    ReportRequest → ReportResponse
 *
 * Authenticated calls carry `Authorization: Bearer <deviceId>.<secret>` (DEVICE_AUTH_SCHEME), the
 * credential returned by enroll. The server keeps only a hash of the secret.
 */
import {
  ENFORCEMENT_TARGETS,
  IDENTITY_ACTIONS,
  MANAGED_BY,
  PLATFORMS,
  PROFILES,
  REPORT_STATUSES,
} from '@palisade/core';
import { z } from 'zod';

export const AGENT_API_PREFIX = '/agent/v1';

/**
 * The highest revision a device can have (the databases keep revisions as 32-bit integers). An
 * agent that says it holds more is refused at the edge, as any other malformed input.
 */
export const MAX_REVISION = 2_147_483_647;

/** A revision as the agent sends it. */
const heldRevision = z.number().int().nonnegative().max(MAX_REVISION);

/**
 * The upgrade an agent asks for on `GET /agent/v1/notify` (`Connection: Upgrade`,
 * `Upgrade: palisade-notify`): the server answers `101 Switching Protocols`, and the connection
 * then carries the same server-sent-events text, unframed (no chunked encoding), until either end
 * closes it; the agent sends nothing more. The server keeps far less per upgraded connection than
 * per held HTTP response. A server or proxy that does not upgrade answers the plain event stream
 * (`200`, `text/event-stream`), which the agent reads as before.
 */
export const NOTIFY_UPGRADE = 'palisade-notify';

const hostname = z.string().min(1).max(253);
const tag = z.string().min(1).max(128);

export const DirectoryJoinSchema = z.object({
  tenantId: z.string().min(1).max(128),
  deviceId: z.string().min(1).max(128),
});

/** Facts as the agent reports them; mirrors core's DeviceFacts. */
export const DeviceFactsSchema = z.object({
  hostname,
  domain: z.string().max(253).nullable(),
  platform: z.enum(PLATFORMS),
  osVersion: z.string().min(1).max(64),
  osName: z.string().max(256).optional(),
  distro: z.string().max(64).optional(),
  kernel: z.string().max(256).optional(),
  architecture: z.string().max(32).optional(),
  agentVersion: z.string().min(1).max(64),
  isDomainController: z.boolean(),
  isServerCore: z.boolean(),
  powershellLanguageMode: z.enum(['FullLanguage', 'ConstrainedLanguage']).nullable(),
  nonPersistentVdi: z.boolean(),
  directoryJoin: DirectoryJoinSchema.nullable(),
  mdmManaged: z.boolean(),
  configMgrManaged: z.boolean(),
  cloudConnector: z.boolean().optional(),
  internetFacing: z.boolean().optional(),
  tags: z.array(tag).max(100),
  installedSoftware: z.array(z.string().min(1).max(512)).max(10_000).optional(),
  installedTargets: z.array(z.enum(ENFORCEMENT_TARGETS)).max(10).optional(),
});
export type DeviceFactsMessage = z.infer<typeof DeviceFactsSchema>;

export const EnrollmentDecisionSchema = z.object({
  code: z.number().int(),
  name: z.string(),
  managedBy: z.enum(MANAGED_BY),
  identity: z.enum(IDENTITY_ACTIONS),
  meaning: z.string(),
  fix: z.string().nullable(),
  withheldProfiles: z.array(z.enum(PROFILES)),
});

export const EnrollRequestSchema = z.object({
  /** The onboarding token the administrator created. */
  token: z.string().min(8).max(512),
  /**
   * A stable identifier of the machine (e.g. /etc/machine-id), so re-enrolling the same machine
   * returns the same device.
   */
  machineId: z.string().min(8).max(256),
  /** The agent's Ed25519 public key, SPKI DER, base64. */
  publicKey: z.string().min(40).max(200),
  facts: DeviceFactsSchema,
});
export type EnrollRequest = z.infer<typeof EnrollRequestSchema>;

export const EnrollResponseSchema = z.object({
  deviceId: z.string(),
  tenantId: z.string(),
  /** `<deviceId>.<secret>`: send as `Authorization: Bearer …`. Shown once. */
  credential: z.string(),
  /** The tenant's Ed25519 public key (SPKI DER, base64): the agent pins it. */
  tenantPublicKey: z.string(),
  enrollment: EnrollmentDecisionSchema,
  /** Seconds until the next fallback check-in. */
  nextCheckInSeconds: z.number().int().positive(),
});
export type EnrollResponse = z.infer<typeof EnrollResponseSchema>;

/** The highest facts number (`factsSeq`) an agent may send (the databases keep 32-bit integers). */
export const MAX_FACTS_SEQ = 2_147_483_647;

/**
 * Check-in. Facts travel as a delta against the facts the agent sent last; `factsSeq` numbers
 * those sends, so that the server can tell when it does not hold the base of a delta (a facts
 * change it acknowledged but forgot: a power loss took a commit that had not reached the disk)
 * and ask for all of them (`f: 1` in the answer):
 *
 * - the facts the agent sent at enroll are number 0; each check-in that carries facts carries the
 *   next number, and one without facts repeats the current number;
 * - `factsFull: true`: `facts` are all of them (a complete DeviceFacts, not a delta) and replace
 *   what the server holds; the agent sends them so when asked (`f: 1`) or when it does not know
 *   its number (state kept by an older agent);
 * - an agent that sends no `factsSeq` (an older one) is answered as before: its facts changes are
 *   committed durably and it is never asked for all of its facts.
 */
export const CheckInRequestSchema = z
  .object({
    /** The revision the agent holds, or null when it holds none. */
    revision: heldRevision.nullable(),
    /** Facts that changed since the last check-in (a partial object), or omitted. */
    facts: DeviceFactsSchema.partial().optional(),
    /** Answers a sync request (from a notice), so the server can tie the next report to it. */
    syncRequestId: z.string().max(64).optional(),
    /** The number of the agent's latest facts send (this one, when it carries facts). */
    factsSeq: z.number().int().nonnegative().max(MAX_FACTS_SEQ).optional(),
    /** `facts` are all of the facts (replace, do not merge); needs `factsSeq`. */
    factsFull: z.literal(true).optional(),
  })
  .superRefine((request, context) => {
    if (request.factsFull !== true) return;
    if (request.factsSeq === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['factsSeq'],
        message: 'factsFull needs factsSeq, the number of this facts send',
      });
    }
    if (request.facts === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['facts'],
        message: 'factsFull: true says facts holds every fact, but no facts were sent',
      });
      return;
    }
    // A complete set: each fact a delta may leave out is required here.
    const complete = DeviceFactsSchema.safeParse(request.facts);
    if (complete.success) return;
    for (const issue of complete.error.issues) {
      context.addIssue({
        code: 'custom',
        path: ['facts', ...issue.path],
        message: `${issue.message} (factsFull: true sends every fact)`,
      });
    }
  });
export type CheckInRequest = z.infer<typeof CheckInRequestSchema>;

/**
 * `f: 1` in a check-in's answer (unchanged or changed): the server does not hold the agent's
 * latest facts; the agent checks in again at once with all of them (`factsFull: true`).
 */
const AllFactsWanted = z.literal(1).optional();

/** The unchanged answer is kept tiny on purpose: it is the hot path. */
export const CheckInUnchangedSchema = z.object({
  s: z.literal('u'),
  /** Seconds until the next fallback check-in. */
  n: z.number().int().positive(),
  f: AllFactsWanted,
});

const SettingSourceSchema = z.object({
  policyId: z.string(),
  policyName: z.string(),
  version: z.number().int(),
});
const JsonValueSchema: z.ZodType<unknown> = z.unknown();

export const EffectiveConfigurationSchema = z.object({
  settings: z.array(
    z.object({
      id: z.string(),
      value: JsonValueSchema,
      sources: z.array(SettingSourceSchema),
      items: z
        .array(z.object({ value: JsonValueSchema, sources: z.array(SettingSourceSchema) }))
        .optional(),
    }),
  ),
  conflicts: z.array(
    z.object({
      id: z.string(),
      candidates: z.array(SettingSourceSchema.extend({ value: JsonValueSchema })),
    }),
  ),
  hash: z.string(),
});

/** The document the tenant signs: what one device must enforce at one revision. */
export const ConfigurationDocumentSchema = z.object({
  deviceId: z.string(),
  tenantId: z.string(),
  revision: z.number().int().nonnegative(),
  /** ISO-8601 time the server issued this revision. */
  issuedAt: z.string(),
  enrollment: EnrollmentDecisionSchema,
  configuration: EffectiveConfigurationSchema,
});
export type ConfigurationDocument = z.infer<typeof ConfigurationDocumentSchema>;

/**
 * A signed configuration: `payload` is the exact UTF-8 JSON text of a ConfigurationDocument and
 * `signature` the tenant's Ed25519 signature over those bytes (base64). The agent verifies the
 * signature over the bytes it received, then parses the payload.
 */
export const SignedConfigurationSchema = z.object({
  payload: z.string(),
  signature: z.string(),
});
export type SignedConfiguration = z.infer<typeof SignedConfigurationSchema>;

export const CheckInChangedSchema = z.object({
  s: z.literal('c'),
  n: z.number().int().positive(),
  configuration: SignedConfigurationSchema,
  f: AllFactsWanted,
});

export const CheckInResponseSchema = z.discriminatedUnion('s', [
  CheckInUnchangedSchema,
  CheckInChangedSchema,
]);
export type CheckInResponse = z.infer<typeof CheckInResponseSchema>;

export const SettingResultSchema = z.object({
  id: z.string().min(1).max(256),
  status: z.enum(REPORT_STATUSES),
  error: z.string().max(4096).optional(),
  target: z.enum(ENFORCEMENT_TARGETS).optional(),
  observed: JsonValueSchema.optional(),
});

export const ReportRequestSchema = z.object({
  /** Unique per report (a UUID): retries of one report are counted once. */
  reportId: z.string().min(8).max(64),
  revision: heldRevision,
  /** Set when the report answers a sync request. */
  syncRequestId: z.string().max(64).optional(),
  results: z.array(SettingResultSchema).max(5_000),
});
export type ReportRequest = z.infer<typeof ReportRequestSchema>;

export const ReportResponseSchema = z.object({
  accepted: z.literal(true),
  duplicate: z.boolean(),
});
export type ReportResponse = z.infer<typeof ReportResponseSchema>;

/**
 * `GET /agent/v1/notify?deliver=configuration` (with or without `revision=N`): the stream carries
 * each new configuration itself (`configuration` events) instead of a `revision` notice, so an
 * agent applies and reports a change without a check-in to fetch it: one request per agent per
 * change instead of two. Facts still travel with check-ins (fallback interval, facts changes).
 */
export const NOTIFY_DELIVER_CONFIGURATION = 'configuration';

/**
 * The query of `GET /agent/v1/notify` ('' when empty): the revision held, when there is one, and
 * `deliver=configuration` when asked for.
 *
 * @example notifyQuery(7, true) // '?revision=7&deliver=configuration'
 */
export function notifyQuery(heldRevision: number | null, deliver: boolean): string {
  const params = [
    ...(heldRevision === null ? [] : [`revision=${heldRevision}`]),
    ...(deliver ? [`deliver=${NOTIFY_DELIVER_CONFIGURATION}`] : []),
  ];
  return params.length === 0 ? '' : `?${params.join('&')}`;
}

/**
 * SSE event `configuration`: the device's new signed configuration, exactly as a check-in would
 * answer it (verify it as such: a revision below the one held is refused), then apply and report.
 */
export const NotifyConfigurationEventSchema = SignedConfigurationSchema;

/** SSE event `revision`: the device's configuration moved; check in. */
export const NotifyRevisionEventSchema = z.object({ revision: z.number().int().nonnegative() });
/** SSE event `sync`: an administrator asked for a sync now; check in and report. */
export const NotifySyncEventSchema = z.object({ syncRequestId: z.string() });

export const DEVICE_AUTH_SCHEME = 'Bearer';
