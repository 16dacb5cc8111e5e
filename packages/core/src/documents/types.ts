/**
 * Policies as code: the documents an administrator keeps in files (YAML or JSON) and that
 * `palisade policy validate`, `plan` and `apply` read. Each document is tagged by `kind`. These
 * are the validated, normalised forms; the file format is described in docs and in the tests.
 */
import type {
  EnforcementScope,
  JsonValue,
  Platform,
  PolicyAssignments,
  PolicyPlatform,
  Profile,
} from '../model.js';

export const DOCUMENT_KINDS = ['Group', 'Policy', 'AssetRule', 'TenantSettings'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

interface GroupBase {
  readonly kind: 'Group';
  readonly name: string;
  readonly description?: string;
}

/** A dynamic group: devices join and leave by a membership rule (device vocabulary). */
export interface DynamicGroupDocument extends GroupBase {
  readonly rule: string;
  readonly members?: undefined;
}

/** An assigned group: static members, by device id or hostname. */
export interface AssignedGroupDocument extends GroupBase {
  readonly members: readonly string[];
  readonly rule?: undefined;
}

export type GroupDocument = DynamicGroupDocument | AssignedGroupDocument;

/**
 * A policy: setting values for one platform and profile, assigned to groups by name.
 * `assignments` is normalised: exclude defaults to [] and filter to null.
 */
export interface PolicyDocument {
  readonly kind: 'Policy';
  readonly name: string;
  readonly description?: string;
  readonly platform: PolicyPlatform;
  readonly profile: Profile;
  readonly settings: Readonly<Record<string, JsonValue>>;
  /** Group names (not ids) in include and exclude. */
  readonly assignments: PolicyAssignments;
}

/** An asset rule: devices matching the rule (asset vocabulary) get the tag. */
export interface AssetRuleDocument {
  readonly kind: 'AssetRule';
  readonly name: string;
  readonly description?: string;
  readonly rule: string;
  readonly tag: string;
}

/**
 * The tenant's switches. Every field is optional: a document states only what it manages,
 * and what it leaves out stays as it is.
 */
export interface TenantSettingsDocument {
  readonly kind: 'TenantSettings';
  readonly securitySettingsManagement?: boolean;
  readonly enforcementScope?: Readonly<Partial<Record<Platform, EnforcementScope>>>;
  readonly configMgrAuthority?: boolean;
  readonly cloudConnector?: boolean;
  readonly domainControllers?: boolean;
  readonly checkInIntervalMinutes?: number;
}

export type PalisadeDocument =
  | GroupDocument
  | PolicyDocument
  | AssetRuleDocument
  | TenantSettingsDocument;

/** One thing wrong with a document, at a path inside it: ['settings', 'exclusions.paths', 2]. */
export interface DocumentProblem {
  readonly path: readonly (string | number)[];
  readonly message: string;
  /**
   * For rule syntax errors: the 1-based line and column inside the rule text, so an editor or
   * the CLI can point into a multi-line rule.
   */
  readonly rulePosition?: { readonly line: number; readonly column: number };
}
