/**
 * The shape of the settings catalog: what a setting is, what values it takes, and how each
 * enforcement target (driver) expresses it natively.
 */
import type { EnforcementTarget, JsonValue, PolicyPlatform, Profile } from '../model.js';

/** One allowed value of a choice (or of a map's values). */
export interface ChoiceOption {
  readonly value: string;
  readonly label: string;
  /** Only these policy platforms accept the option; absent means every platform of the setting. */
  readonly platforms?: readonly PolicyPlatform[];
}

/** A per-platform rule for the items of a string list (a Linux path is not a Windows path). */
export interface ItemRule {
  readonly pattern: string;
  /** What a valid item looks like, for the administrator: "an absolute path such as /srv/data/". */
  readonly description: string;
}

/** The type of a setting's value. Policies hold JSON: booleans, strings, numbers, lists, objects. */
export type SettingType =
  | { readonly kind: 'boolean' }
  | { readonly kind: 'choice'; readonly options: readonly ChoiceOption[] }
  | {
      readonly kind: 'integer';
      readonly min?: number;
      readonly max?: number;
      readonly unit?: string;
    }
  | {
      readonly kind: 'string';
      readonly pattern?: string;
      readonly maxLength?: number;
      /** What a valid value looks like, for messages. */
      readonly description?: string;
    }
  | {
      readonly kind: 'string-list';
      readonly itemPattern?: string;
      readonly maxItems?: number;
      readonly itemDescription?: string;
      /** Stricter item rules on some platforms, checked after itemPattern. */
      readonly itemRules?: Readonly<Partial<Record<PolicyPlatform, ItemRule>>>;
      /** Maximum length of one item (characters). */
      readonly maxItemLength?: number;
    }
  | {
      readonly kind: 'map';
      readonly keys: readonly ChoiceOption[];
      readonly values: readonly ChoiceOption[];
    }
  | {
      readonly kind: 'structured-list';
      /** The field that identifies an item (unique within a list; lists merge by it). */
      readonly itemKey: string;
      readonly fields: readonly FieldDefinition[];
      readonly maxItems?: number;
    };

export type SettingKind = SettingType['kind'];

/** The types a field of a structured list item may have (no nesting of lists of objects). */
export type FieldType = Extract<
  SettingType,
  { kind: 'boolean' | 'choice' | 'integer' | 'string' | 'string-list' }
>;

/** One field of a structured list item, e.g. a firewall rule's `direction`. */
export interface FieldDefinition {
  readonly key: string;
  readonly label: string;
  readonly help: string;
  readonly type: FieldType;
  readonly required: boolean;
  /** The value a driver uses when the field is absent. */
  readonly default?: JsonValue;
  /** Only these platforms understand the field; setting it elsewhere is a problem. */
  readonly platforms?: readonly PolicyPlatform[];
  /** The field's native name per target (e.g. the Firewall CSP node, the nftables expression). */
  readonly native?: Readonly<Partial<Record<EnforcementTarget, string>>>;
}

/**
 * How one enforcement target expresses a setting. `values` translates the catalog's value (as its
 * JSON text for scalars: "true", "false", "block", "7") into the native value.
 */
export interface NativeMapping {
  readonly name: string;
  readonly values?: Readonly<Record<string, JsonValue>>;
  readonly note?: string;
}

/** How two policies' values of one setting combine on a device (policy resolution uses it). */
export type MergeKind = 'single' | 'union' | 'per-key' | 'keyed-union';

/** One entry of the settings catalog. */
export interface SettingDefinition {
  /** Stable id, `<area>.<name>`: what policies, reports and drivers use. Never renamed. */
  readonly id: string;
  readonly displayName: string;
  readonly help: string;
  readonly profile: Profile;
  readonly platforms: readonly PolicyPlatform[];
  readonly type: SettingType;
  /** The value a device has when no policy sets it (the vendor's documented default), or null. */
  readonly default: JsonValue | null;
  /** Where the vendor's default differs by platform (e.g. Linux Defender starts passive). */
  readonly platformDefaults?: Readonly<Partial<Record<PolicyPlatform, JsonValue>>>;
  readonly native: Readonly<Partial<Record<EnforcementTarget, NativeMapping>>>;
  /** Overrides the merge kind implied by the type (an ordered list does not union). */
  readonly merge?: MergeKind;
  /** When present, policies may not set this setting; the text says why. */
  readonly refusal?: string;
}

/** A profile (template of related settings) and whether this channel delivers it. */
export interface ProfileDefinition {
  readonly id: Profile;
  readonly displayName: string;
  readonly help: string;
  readonly platforms: readonly PolicyPlatform[];
  readonly deliverable: boolean;
  /** Why a policy of this profile is refused, when not deliverable. */
  readonly refusal?: string;
}

/** One thing wrong with a policy's settings. `message` is a whole sentence, id included. */
export interface SettingProblem {
  readonly settingId: string;
  readonly message: string;
  /** Where inside the setting's value (list index, map key, field), when not the whole value. */
  readonly path?: readonly (string | number)[];
}
