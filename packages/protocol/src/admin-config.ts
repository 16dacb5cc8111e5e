/**
 * Policies as code over the admin API (`/api/v1/config/…`): a whole set of Group, Policy,
 * AssetRule and TenantSettings documents (objects named, not identified by id) is planned against
 * the tenant, applied in one transaction, or exported. Re-exported by the package index; same
 * conventions as admin.ts.
 */
import { z } from 'zod';
import { ConfigurationChangeSchema } from './admin-fleet.js';

export const CONFIG_OBJECT_KINDS = ['TenantSettings', 'Group', 'AssetRule', 'Policy'] as const;
export type ConfigObjectKind = (typeof CONFIG_OBJECT_KINDS)[number];

export const CONFIG_ACTIONS = ['create', 'update', 'replace', 'delete'] as const;
export type ConfigAction = (typeof CONFIG_ACTIONS)[number];

export const ConfigPlanRequestSchema = z.object({
  /**
   * The documents as parsed from the files (YAML or JSON), in file order. A problem in one is
   * reported at `documents.<index>.<path inside the document>`.
   */
  documents: z.array(z.unknown()).max(5000),
  /** Delete the groups, policies and asset rules of the tenant that no document names. */
  prune: z.boolean().default(false),
  /** How many devices to list in the effect (all are counted). */
  limit: z.number().int().min(0).max(1000).default(50),
});
export type ConfigPlanRequest = z.input<typeof ConfigPlanRequestSchema>;

/** One field of an object that changes; a value absent on one side is left out. */
export const ConfigFieldChangeSchema = z.object({
  /** `description`, `rule`, `members`, `assignments.include`, `enforcementScope.linux`, … */
  field: z.string(),
  before: z.unknown().optional(),
  after: z.unknown().optional(),
});

export const ConfigSettingChangeSchema = z.object({
  settingId: z.string(),
  kind: z.enum(['added', 'removed', 'changed']),
  before: z.unknown().optional(),
  after: z.unknown().optional(),
});

export const ConfigObjectChangeSchema = z.object({
  kind: z.enum(CONFIG_OBJECT_KINDS),
  /** The object's name (`tenant` for the TenantSettings). */
  name: z.string(),
  /** `replace`: a policy whose platform or profile changes is deleted and created again. */
  action: z.enum(CONFIG_ACTIONS),
  /** Why a replace (or other note for the administrator). */
  note: z.string().optional(),
  fields: z.array(ConfigFieldChangeSchema),
  /** Policies: per setting, old → new. */
  settings: z.array(ConfigSettingChangeSchema),
  /**
   * The devices the object reaches before and after the change: a group's members, the devices an
   * asset rule tags, the devices a policy contributes settings (or conflicts) to. Null for the
   * tenant settings (their effect is in `effect.enrollmentChanged`).
   */
  devices: z.object({ before: z.number().int(), after: z.number().int() }).nullable(),
});
export type ConfigObjectChange = z.infer<typeof ConfigObjectChangeSchema>;

export const ConfigConflictSchema = z.object({
  deviceId: z.string(),
  hostname: z.string(),
  settingId: z.string(),
  /** The policies that disagree and the value each sets. */
  candidates: z.array(z.object({ policyName: z.string(), value: z.unknown() })),
});
export type ConfigConflict = z.infer<typeof ConfigConflictSchema>;

export const ConfigPlanSchema = z
  .object({
    /** In the order they are applied: tenant settings, groups, asset rules, policies, deletions. */
    changes: z.array(ConfigObjectChangeSchema),
    /** Objects of the tenant that no document names and that are kept (no prune). */
    unmanaged: z.array(z.object({ kind: z.enum(CONFIG_OBJECT_KINDS), name: z.string() })),
    /** What the changes do to the fleet, computed by the same recompute as the save. */
    effect: z.object({
      /** Devices whose effective configuration changes. */
      devicesChanged: z.number().int(),
      /** Devices whose enrollment status changes (tenant settings, tags). */
      enrollmentChanged: z.number().int(),
      devices: z.array(
        z.object({
          deviceId: z.string(),
          hostname: z.string(),
          enrollment: z.object({ before: z.string(), after: z.string() }).nullable(),
          changes: z.array(ConfigurationChangeSchema),
        }),
      ),
      conflictsAppearing: z.array(ConfigConflictSchema),
      conflictsResolved: z.array(ConfigConflictSchema),
    }),
    /** False for a plan; true once apply has committed the changes. */
    applied: z.boolean(),
  })
  .meta({ id: 'ConfigPlan' });
export type ConfigPlan = z.infer<typeof ConfigPlanSchema>;

export const ConfigExportSchema = z
  .object({
    /**
     * The tenant's objects as documents, normalised: sorted by kind then name, groups and devices
     * by name (hostname), no ids or timestamps, so exporting and planning shows no changes.
     */
    documents: z.array(z.record(z.string(), z.unknown())),
    /** Objects that could not be written faithfully (e.g. a name the document format refuses). */
    warnings: z.array(z.string()),
  })
  .meta({ id: 'ConfigExport' });
export type ConfigExport = z.infer<typeof ConfigExportSchema>;
