/**
 * Small builders that keep the catalog's data readable: the native encodings that recur across
 * Defender's Policy CSP, mdatp_managed.json and the macOS preference domain.
 */
import type { JsonValue } from '../model.js';
import type { ChoiceOption, NativeMapping, SettingType } from './types.js';

export const BOOLEAN: SettingType = { kind: 'boolean' };

/** A choice from [value, label] pairs. */
export function choice(...options: readonly (readonly [string, string])[]): SettingType {
  return { kind: 'choice', options: options.map(([value, label]) => ({ value, label })) };
}

/** Options for a choice or map, from [value, label] pairs. */
export function options(...pairs: readonly (readonly [string, string])[]): ChoiceOption[] {
  return pairs.map(([value, label]) => ({ value, label }));
}

export function integer(min: number, max: number, unit?: string): SettingType {
  return unit === undefined ? { kind: 'integer', min, max } : { kind: 'integer', min, max, unit };
}

function mapping(
  name: string,
  values: Readonly<Record<string, JsonValue>>,
  note?: string,
): NativeMapping {
  return note === undefined ? { name, values } : { name, values, note };
}

/** A Policy CSP switch: 1 allows/turns on, 0 turns off. `powershell` names the Set-MpPreference twin. */
export function cspSwitch(name: string, powershell?: string): NativeMapping {
  return mapping(
    name,
    { true: 1, false: 0 },
    powershell === undefined ? undefined : `Set-MpPreference -${powershell}`,
  );
}

/** A Policy CSP switch whose name says the opposite of the setting (DisableX: 0 means on). */
export function cspInvertedSwitch(name: string, powershell?: string): NativeMapping {
  return mapping(
    name,
    { true: 0, false: 1 },
    powershell === undefined ? undefined : `Set-MpPreference -${powershell}`,
  );
}

/** A Policy CSP value passed through as the integer itself. */
export function cspInteger(name: string, powershell?: string): NativeMapping {
  return powershell === undefined ? { name } : { name, note: `Set-MpPreference -${powershell}` };
}

/** A Policy CSP enumeration: the catalog's choice value → the CSP integer. */
export function cspChoice(
  name: string,
  values: Readonly<Record<string, number>>,
  note?: string,
): NativeMapping {
  return mapping(name, values, note);
}

/** A Defender (Linux / macOS) key holding "enabled" / "disabled". */
export function enabledDisabled(key: string, note?: string): NativeMapping {
  return mapping(key, { true: 'enabled', false: 'disabled' }, note);
}

/** A Defender (Linux / macOS) key holding "disabled" / "enabled" with the opposite meaning. */
export function disabledEnabled(key: string, note?: string): NativeMapping {
  return mapping(key, { true: 'disabled', false: 'enabled' }, note);
}

/** A Defender (Linux / macOS) key holding a JSON / plist boolean. */
export function plainBoolean(key: string, note?: string): NativeMapping {
  return mapping(key, { true: true, false: false }, note);
}

/** A Defender (Linux / macOS) key holding the value itself (numbers, strings, lists). */
export function plainKey(key: string, note?: string): NativeMapping {
  return note === undefined ? { name: key } : { name: key, note };
}

/** A Defender (Linux / macOS) enumeration: the catalog's choice value → the native string. */
export function keyChoice(
  key: string,
  values: Readonly<Record<string, string>>,
  note?: string,
): NativeMapping {
  return mapping(key, values, note);
}

/** A clamd.conf directive taking yes / no. */
export function clamdYesNo(directive: string, note?: string): NativeMapping {
  return mapping(directive, { true: 'yes', false: 'no' }, note);
}
