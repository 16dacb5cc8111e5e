/**
 * What the drivers need from the settings catalog (core's `getSetting`): each setting's native
 * mapping per enforcement target. Drivers know the structural settings (exclusion lists, threat
 * type settings, ASR rules, firewall rules) themselves; for plain key settings they follow the
 * catalog's native name and value translations, so a setting added to the catalog reaches the
 * machine without a driver change.
 */
import { type EnforcementTarget, getSetting, type JsonValue } from '@palisade/core';

export interface NativeMappingView {
  readonly name: string;
  readonly values?: Readonly<Record<string, JsonValue>>;
}

export type NativeMappingLookup = (
  settingId: string,
  target: EnforcementTarget,
) => NativeMappingView | undefined;

/** A lookup over a catalog's definitions (core's `getSetting`). */
export function nativeMappingsOf(
  getSetting: (
    id: string,
  ) =>
    | { readonly native: Readonly<Partial<Record<EnforcementTarget, NativeMappingView>>> }
    | undefined,
): NativeMappingLookup {
  return (settingId, target) => getSetting(settingId)?.native[target];
}

export const noCatalog: NativeMappingLookup = () => undefined;

/** The settings catalog of core: what the agent uses. */
export const catalogNativeMapping: NativeMappingLookup = nativeMappingsOf(getSetting);

/** The native value for a setting value, through the mapping's value translations. */
export function translateValue(
  mapping: NativeMappingView | undefined,
  value: JsonValue,
): JsonValue {
  const translated = mapping?.values?.[String(value)];
  return translated === undefined ? value : translated;
}
