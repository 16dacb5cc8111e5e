/**
 * The admin API's fleet messages (`/api/v1/devices`, `/sync`, `/dashboard`, previews, what-if,
 * policy reports, group members): one zod schema per request and response. Re-exported by
 * admin.ts; same conventions (ids are strings, times ISO-8601 UTC, lists `{ items, total }`).
 */
import {
  MANAGED_BY,
  PLATFORMS,
  POLICY_PLATFORMS,
  PROFILES,
  REPORT_STATUSES,
  TAG_SOURCES,
} from '@palisade/core';
import { z } from 'zod';
import { DeviceFactsSchema, EffectiveConfigurationSchema } from './agent.js';

const isoTime = z.string().meta({ description: 'ISO-8601 UTC time' });
const id = z.string().min(1).max(64);
const ruleText = z.string().min(1).max(3072);
const tagName = z
  .string()
  .trim()
  .min(1)
  .max(128)
  .regex(/^[^\s,]+$/, 'a tag has no spaces or commas');
const limit = z.coerce.number().int().min(1).max(500).default(50);
const offset = z.coerce.number().int().min(0).default(0);

/** Per status, how many: succeeded, failed, conflict, not-applicable, pending, drifted. */
export const StatusCountsSchema = z.object(
  Object.fromEntries(REPORT_STATUSES.map((status) => [status, z.number().int()])) as Record<
    (typeof REPORT_STATUSES)[number],
    z.ZodNumber
  >,
);

// ---------------------------------------------------------------------------------------------
// Devices

export const DEVICE_SORT_KEYS = [
  'hostname',
  'lastCheckInAt',
  'platform',
  'enrollmentStatus',
] as const;

export const DeviceSummarySchema = z
  .object({
    id: z.string(),
    hostname: z.string(),
    platform: z.enum(PLATFORMS),
    osVersion: z.string(),
    enrollment: z.object({ code: z.number().int(), name: z.string() }),
    managedBy: z.enum(MANAGED_BY),
    /** The revision of the device's effective configuration. */
    revision: z.number().int(),
    /** The worst per-setting status of the current revision; null when it has no settings. */
    reportStatus: z.enum(REPORT_STATUSES).nullable(),
    tags: z.array(z.string()),
    enrolledAt: isoTime,
    lastCheckInAt: isoTime,
    lastReportAt: isoTime.nullable(),
  })
  .meta({ id: 'DeviceSummary' });
export type DeviceSummary = z.infer<typeof DeviceSummarySchema>;

export const DeviceListQuerySchema = z.object({
  limit,
  offset,
  platform: z.enum(PLATFORMS).optional(),
  /** An enrollment status code (`1`) or name (`managed`). */
  enrollmentStatus: z.string().min(1).max(64).optional(),
  managedBy: z.enum(MANAGED_BY).optional(),
  reportStatus: z.enum(REPORT_STATUSES).optional(),
  tag: tagName.optional(),
  /** A group id: devices currently in the group. */
  group: id.optional(),
  /** Free text: hostname contains it (case-insensitive). */
  search: z.string().min(1).max(200).optional(),
  /** Devices whose last check-in is older than this many minutes. */
  notSeenForMinutes: z.coerce.number().int().positive().optional(),
  sort: z.enum(DEVICE_SORT_KEYS).default('hostname'),
  order: z.enum(['asc', 'desc']).default('asc'),
  /**
   * Keyset paging: the `nextCursor` of the previous page (then `offset` is ignored). Stays fast
   * deep into 100,000 devices, where a large offset would not.
   */
  cursor: z.string().max(512).optional(),
});
export type DeviceListQuery = z.input<typeof DeviceListQuerySchema>;

export const DeviceListSchema = z.object({
  items: z.array(DeviceSummarySchema),
  total: z.number().int().nonnegative(),
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: z.string().nullable(),
});
export type DeviceList = z.infer<typeof DeviceListSchema>;

export const DeviceTagSchema = z.object({
  tag: z.string(),
  source: z.enum(TAG_SOURCES),
  /** The asset rule that added the tag (source asset-rule). */
  ruleId: z.string().optional(),
  ruleName: z.string().optional(),
});

export const DeviceSettingReportSchema = z.object({
  settingId: z.string(),
  status: z.enum(REPORT_STATUSES),
  error: z.string().nullable(),
  policyIds: z.array(z.string()),
});

export const CheckInEntrySchema = z.object({
  at: isoTime,
  heldRevision: z.number().int().nullable(),
  /** The revision sent back; null when the answer was "unchanged". */
  sentRevision: z.number().int().nullable(),
  factsChanged: z.boolean(),
});

export const DeviceDetailSchema = DeviceSummarySchema.extend({
  machineId: z.string(),
  facts: DeviceFactsSchema,
  enrollment: z.object({
    code: z.number().int(),
    name: z.string(),
    meaning: z.string(),
    fix: z.string().nullable(),
  }),
  identity: z.object({
    kind: z.enum(['synthetic', 'existing']),
    directoryDeviceId: z.string(),
  }),
  tagSources: z.array(DeviceTagSchema),
  groups: z.array(z.object({ id: z.string(), name: z.string(), kind: z.string() })),
  /** The device as rules see it (`device.*` properties of dynamic groups). */
  ruleProperties: z.record(z.string(), z.unknown()),
  configuration: z
    .object({
      revision: z.number().int(),
      issuedAt: isoTime,
      effective: EffectiveConfigurationSchema,
    })
    .nullable(),
  settingReports: z.array(DeviceSettingReportSchema),
  lastReport: z
    .object({ reportId: z.string(), revision: z.number().int(), receivedAt: isoTime })
    .nullable(),
  checkIns: z.array(CheckInEntrySchema),
  offboardedAt: isoTime.nullable(),
}).meta({ id: 'DeviceDetail' });
export type DeviceDetail = z.infer<typeof DeviceDetailSchema>;

export const AddDeviceTagRequestSchema = z.object({ tag: tagName });
export const DeviceTagParamsSchema = z.object({ id, tag: tagName });
export const DeviceTagsResponseSchema = z.object({ tags: z.array(DeviceTagSchema) });

// ---------------------------------------------------------------------------------------------
// Sync now

export const SyncRequestSchema = z.discriminatedUnion('scope', [
  z.object({ scope: z.literal('device'), id }),
  z.object({ scope: z.literal('group'), id }),
  z.object({ scope: z.literal('tenant') }),
]);
export type SyncRequest = z.infer<typeof SyncRequestSchema>;

export const SyncResponseSchema = z.object({
  syncRequestId: z.string(),
  /** Devices asked to sync (offboarded devices are not). */
  deviceCount: z.number().int(),
});
export type SyncResponse = z.infer<typeof SyncResponseSchema>;

export const SyncProgressSchema = z
  .object({
    id: z.string(),
    scope: z.enum(['device', 'group', 'tenant']),
    targetId: z.string().nullable(),
    createdAt: isoTime,
    deviceCount: z.number().int(),
    /** Devices that reported back for this sync request. */
    reported: z.number().int(),
    pending: z.number().int(),
  })
  .meta({ id: 'SyncProgress' });
export type SyncProgress = z.infer<typeof SyncProgressSchema>;

// ---------------------------------------------------------------------------------------------
// Dashboard

export const DashboardQuerySchema = z.object({
  /** "Not seen" means no check-in for this many minutes (default: twice the fallback interval). */
  notSeenForMinutes: z.coerce.number().int().positive().optional(),
});

export const DashboardSchema = z
  .object({
    devices: z.number().int(),
    /** Devices by enrollment status and platform. */
    enrollment: z.array(
      z.object({
        code: z.number().int(),
        name: z.string(),
        meaning: z.string(),
        platform: z.enum(PLATFORMS),
        devices: z.number().int(),
      }),
    ),
    /** Devices by their worst per-setting status (null: nothing to report). */
    deviceStatus: StatusCountsSchema.extend({ none: z.number().int() }),
    /** Setting statuses over all devices and policies. */
    settingStatus: StatusCountsSchema,
    policies: z.array(
      z.object({
        policyId: z.string(),
        name: z.string(),
        platform: z.enum(POLICY_PLATFORMS),
        profile: z.enum(PROFILES),
        /** Devices the policy contributes to. */
        devices: z.number().int(),
        counts: StatusCountsSchema,
      }),
    ),
    settings: z.array(z.object({ settingId: z.string(), counts: StatusCountsSchema })),
    failingDevices: z.array(DeviceSummarySchema),
    failingDeviceCount: z.number().int(),
    notSeen: z.object({
      minutes: z.number().int(),
      count: z.number().int(),
      devices: z.array(DeviceSummarySchema),
    }),
  })
  .meta({ id: 'Dashboard' });
export type Dashboard = z.infer<typeof DashboardSchema>;

// ---------------------------------------------------------------------------------------------
// Previews (group rules, asset rules): evaluate a draft rule against every device, save nothing

export const RulePreviewRequestSchema = z.object({
  rule: ruleText,
  limit: z.number().int().min(1).max(500).default(50),
  offset: z.number().int().min(0).default(0),
});
export type RulePreviewRequest = z.input<typeof RulePreviewRequestSchema>;

export const RuleDiagnosticSchema = z.object({
  message: z.string(),
  line: z.number().int(),
  column: z.number().int(),
  offset: z.number().int(),
  length: z.number().int(),
});

/** A rule that parses: how many devices match and the first page; otherwise its diagnostics. */
export const RulePreviewResponseSchema = z.discriminatedUnion('valid', [
  z.object({
    valid: z.literal(true),
    count: z.number().int(),
    devices: z.array(DeviceSummarySchema),
  }),
  z.object({ valid: z.literal(false), diagnostics: z.array(RuleDiagnosticSchema) }),
]);
export type RulePreviewResponse = z.infer<typeof RulePreviewResponseSchema>;

// ---------------------------------------------------------------------------------------------
// What-if: a draft policy (new or edited, with assignments) and/or deletions, before saving

export const WhatIfRequestSchema = z
  .object({
    policy: z
      .object({
        /** The policy being edited; absent for a new policy. */
        id: id.optional(),
        name: z.string().trim().min(1).max(200).optional(),
        platform: z.enum(POLICY_PLATFORMS).optional(),
        profile: z.enum(PROFILES).optional(),
        settings: z.record(z.string().min(1).max(256), z.unknown()).optional(),
        assignments: z
          .object({
            include: z.array(id).max(500).default([]),
            exclude: z.array(id).max(500).default([]),
            filter: z
              .object({ mode: z.enum(['include', 'exclude']), rule: ruleText })
              .nullable()
              .default(null),
          })
          .optional(),
      })
      .optional(),
    deletePolicyIds: z.array(id).max(100).default([]),
    /** How many changed devices to list (all are counted). */
    limit: z.number().int().min(1).max(1000).default(100),
  })
  .refine((value) => value.policy !== undefined || value.deletePolicyIds.length > 0, {
    message: 'give a draft policy, policy ids to delete, or both',
    path: ['policy'],
  });
export type WhatIfRequest = z.input<typeof WhatIfRequestSchema>;

export const ConfigurationChangeSchema = z.object({
  id: z.string(),
  kind: z.enum(['added', 'removed', 'changed', 'conflict-added', 'conflict-removed']),
  before: z.unknown().optional(),
  after: z.unknown().optional(),
});

export const WhatIfConflictSchema = z.object({
  deviceId: z.string(),
  hostname: z.string(),
  settingId: z.string(),
  /** The candidate values and the policies behind them. */
  candidates: z.unknown(),
});

export const WhatIfResponseSchema = z
  .object({
    /** Devices the draft policy would reach (0 when only deleting). */
    devicesReached: z.number().int(),
    /** Devices whose effective configuration would change. */
    devicesChanged: z.number().int(),
    changes: z.array(
      z.object({
        deviceId: z.string(),
        hostname: z.string(),
        changes: z.array(ConfigurationChangeSchema),
      }),
    ),
    conflictsAppearing: z.array(WhatIfConflictSchema),
    conflictsResolved: z.array(WhatIfConflictSchema),
  })
  .meta({ id: 'WhatIf' });
export type WhatIfResponse = z.infer<typeof WhatIfResponseSchema>;

// ---------------------------------------------------------------------------------------------
// Per-policy report, group members

export const PolicyReportQuerySchema = z.object({
  limit,
  offset,
  status: z.enum(REPORT_STATUSES).optional(),
});

export const PolicyReportSchema = z
  .object({
    policyId: z.string(),
    name: z.string(),
    version: z.number().int(),
    /** Devices the policy contributes settings (or conflicts) to. */
    devices: z.number().int(),
    counts: StatusCountsSchema,
    settings: z.array(z.object({ settingId: z.string(), counts: StatusCountsSchema })),
    deviceStatuses: z.object({
      items: z.array(
        z.object({
          deviceId: z.string(),
          hostname: z.string(),
          platform: z.enum(PLATFORMS),
          /** The worst status of this policy's settings on the device. */
          status: z.enum(REPORT_STATUSES),
          settings: z.array(
            z.object({
              settingId: z.string(),
              status: z.enum(REPORT_STATUSES),
              error: z.string().nullable(),
            }),
          ),
        }),
      ),
      total: z.number().int(),
    }),
  })
  .meta({ id: 'PolicyReport' });
export type PolicyReport = z.infer<typeof PolicyReportSchema>;

export const GroupMembersQuerySchema = z.object({ limit, offset });
export const GroupMembersSchema = z.object({
  items: z.array(DeviceSummarySchema),
  total: z.number().int().nonnegative(),
});
