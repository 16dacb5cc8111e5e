/**
 * Validation of a policy's setting values against the catalog. Every problem is returned at
 * once (never the first only), each as a sentence an administrator understands, led by the
 * setting id and the place inside its value:
 * "antivirus.cloudBlockLevel: 7 is not one of default, moderate, high, high-plus, zero-tolerance".
 */
import {
  assertNever,
  POLICY_PLATFORMS,
  type PolicyPlatform,
  PROFILES,
  type Profile,
} from '../model.js';
import { getAsrRule } from './asr-rules.js';
import { getSetting, suggestSettingIds } from './catalog.js';
import { PROFILE_DEFINITIONS } from './profiles.js';
import { checkFirewallRule } from './settings/firewall.js';
import type {
  ChoiceOption,
  FieldDefinition,
  SettingDefinition,
  SettingProblem,
  SettingType,
} from './types.js';

type Path = readonly (string | number)[];

/** Where a value sits and how to report a problem about it. */
interface Context {
  readonly settingId: string;
  readonly platform: PolicyPlatform;
  readonly path: Path;
  readonly report: (problem: SettingProblem) => void;
}

/** A value as the administrator wrote it, shortened: 7, "extreme", [..], {..}. */
export function showValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (value !== null && typeof value === 'object') return 'an object';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** `firewall.rules[0].localPorts[1]`: the setting id followed by the path inside its value. */
export function describeLocation(settingId: string, path: Path): string {
  return path.reduce<string>(
    (text, step) => (typeof step === 'number' ? `${text}[${step}]` : `${text}.${step}`),
    settingId,
  );
}

function problem(context: Context, sentence: string, path: Path = context.path): void {
  const where = describeLocation(context.settingId, path);
  context.report(
    path.length === 0
      ? { settingId: context.settingId, message: `${where}: ${sentence}` }
      : { settingId: context.settingId, message: `${where}: ${sentence}`, path },
  );
}

function within(context: Context, ...steps: (string | number)[]): Context {
  return { ...context, path: [...context.path, ...steps] };
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function platformName(platform: PolicyPlatform): string {
  return platform === 'macos' ? 'macOS' : platform === 'linux' ? 'Linux' : 'Windows';
}

function listPlatforms(platforms: readonly PolicyPlatform[]): string {
  return platforms.map(platformName).join(', ');
}

function available(options: readonly ChoiceOption[], platform: PolicyPlatform): ChoiceOption[] {
  return options.filter((option) => !option.platforms || option.platforms.includes(platform));
}

function checkChoice(options: readonly ChoiceOption[], value: unknown, context: Context): void {
  const offered = available(options, context.platform);
  const names = offered.map((option) => option.value).join(', ');
  if (typeof value === 'string' && offered.some((option) => option.value === value)) return;
  const elsewhere = options.find((option) => option.value === value);
  if (elsewhere?.platforms) {
    problem(
      context,
      `${value} is not available on ${platformName(context.platform)} ` +
        `(only on ${listPlatforms(elsewhere.platforms)}); choose one of ${names}`,
    );
    return;
  }
  problem(context, `${showValue(value)} is not one of ${names}`);
}

function checkInteger(
  type: Extract<SettingType, { kind: 'integer' }>,
  value: unknown,
  context: Context,
): void {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    problem(context, `must be a whole number, not ${showValue(value)}`);
    return;
  }
  const low = type.min ?? Number.MIN_SAFE_INTEGER;
  const high = type.max ?? Number.MAX_SAFE_INTEGER;
  if (value < low || value > high) {
    const unit = type.unit ? ` ${type.unit}` : '';
    const range =
      type.min !== undefined && type.max !== undefined
        ? `from ${type.min} to ${type.max}${unit}`
        : type.min !== undefined
          ? `at least ${type.min}${unit}`
          : `at most ${high}${unit}`;
    problem(context, `${value} is out of range: it must be ${range}`);
  }
}

function checkString(
  type: Extract<SettingType, { kind: 'string' }>,
  value: unknown,
  context: Context,
): void {
  if (typeof value !== 'string') {
    problem(context, `must be text, not ${showValue(value)}`);
    return;
  }
  if (value.length === 0) {
    problem(context, 'must not be empty');
    return;
  }
  if (type.maxLength !== undefined && value.length > type.maxLength) {
    problem(context, `is ${value.length} characters long; at most ${type.maxLength} are allowed`);
    return;
  }
  if (type.pattern !== undefined && !new RegExp(type.pattern, 'u').test(value)) {
    problem(context, `${showValue(value)} is not ${type.description ?? 'in the expected form'}`);
  }
}

/**
 * Whether a list setting's value is a list at all; a list longer than the setting allows is still
 * a list (its items are checked too, so every problem shows at once) but the length is a problem.
 */
function isList(
  type: { readonly maxItems?: number | undefined },
  value: unknown,
  context: Context,
): value is unknown[] {
  if (!Array.isArray(value)) {
    problem(context, `must be a list, not ${showValue(value)}`);
    return false;
  }
  if (type.maxItems !== undefined && value.length > type.maxItems) {
    problem(context, `has ${value.length} items; at most ${type.maxItems} are allowed`);
  }
  return true;
}

function checkStringList(
  type: Extract<SettingType, { kind: 'string-list' }>,
  value: unknown,
  context: Context,
): void {
  if (!isList(type, value, context)) return;
  const description = type.itemDescription ?? 'a valid item';
  const platformRule = type.itemRules?.[context.platform];
  const seen = new Set<string>();
  value.forEach((item: unknown, index) => {
    const at = within(context, index);
    if (typeof item !== 'string' || item.length === 0) {
      problem(at, `must be ${description}, not ${item === '' ? 'empty text' : showValue(item)}`);
      return;
    }
    if (type.maxItemLength !== undefined && item.length > type.maxItemLength) {
      problem(at, `is ${item.length} characters long; at most ${type.maxItemLength} are allowed`);
    } else if (type.itemPattern !== undefined && !new RegExp(type.itemPattern, 'u').test(item)) {
      problem(at, `${showValue(item)} is not ${description}`);
    } else if (platformRule && !new RegExp(platformRule.pattern, 'u').test(item)) {
      problem(
        at,
        `${showValue(item)} is not ${platformRule.description} (${platformName(context.platform)})`,
      );
    }
    if (seen.has(item)) problem(at, `${showValue(item)} is listed twice`);
    seen.add(item);
  });
}

function checkMap(
  type: Extract<SettingType, { kind: 'map' }>,
  value: unknown,
  context: Context,
): void {
  if (!isRecord(value)) {
    problem(context, `must be a map of key: value, not ${showValue(value)}`);
    return;
  }
  for (const [key, entry] of Object.entries(value)) {
    const at = within(context, key);
    if (!type.keys.some((option) => option.value === key)) {
      const sameButCase = type.keys.find((option) => option.value === key.toLowerCase());
      // Short key sets are listed; long ones (the 19 ASR GUIDs) are pointed to.
      const known =
        type.keys.length <= 8
          ? `one of ${type.keys.map((k) => k.value).join(', ')}`
          : `see palisade catalog show ${context.settingId}`;
      problem(
        at,
        sameButCase
          ? `write the key in lower case: ${sameButCase.value}`
          : `${key} is not a known key (${known})`,
      );
      continue;
    }
    checkChoice(type.values, entry, at);
  }
}

function checkFields(
  fields: readonly FieldDefinition[],
  item: Readonly<Record<string, unknown>>,
  context: Context,
): void {
  const known = new Set(fields.map((field) => field.key));
  for (const key of Object.keys(item)) {
    if (known.has(key)) continue;
    const close = fields.find((f) => f.key.toLowerCase() === key.toLowerCase());
    const hint = close ? `; did you mean ${close.key}?` : ` (fields: ${[...known].join(', ')})`;
    problem(within(context, key), `is not a field${hint}`);
  }
  for (const field of fields) {
    const value = item[field.key];
    const at = within(context, field.key);
    if (value === undefined || value === null) {
      if (field.required) problem(at, `is required (${field.help})`);
      continue;
    }
    if (field.platforms && !field.platforms.includes(context.platform)) {
      problem(
        at,
        `is a ${listPlatforms(field.platforms)} field; ${platformName(context.platform)} policies cannot use it`,
      );
      continue;
    }
    checkValue(field.type, value, at);
  }
}

function checkStructuredList(
  type: Extract<SettingType, { kind: 'structured-list' }>,
  value: unknown,
  context: Context,
): void {
  if (!isList(type, value, context)) return;
  const names = new Map<string, number>();
  value.forEach((item: unknown, index) => {
    const at = within(context, index);
    if (!isRecord(item)) {
      problem(at, `must be an object with fields, not ${showValue(item)}`);
      return;
    }
    checkFields(type.fields, item, at);
    const key = item[type.itemKey];
    if (typeof key === 'string') {
      // Names compare without case: Windows Firewall treats rule names that way.
      const first = names.get(key.toLowerCase());
      if (first !== undefined) {
        problem(
          within(at, type.itemKey),
          `${showValue(key)} is already the ${type.itemKey} of item ${first}; ${type.itemKey}s must be unique`,
        );
      } else {
        names.set(key.toLowerCase(), index);
      }
    }
  });
}

function checkValue(type: SettingType, value: unknown, context: Context): void {
  switch (type.kind) {
    case 'boolean':
      if (typeof value !== 'boolean') {
        problem(context, `must be true or false, not ${showValue(value)}`);
      }
      break;
    case 'choice':
      checkChoice(type.options, value, context);
      break;
    case 'integer':
      checkInteger(type, value, context);
      break;
    case 'string':
      checkString(type, value, context);
      break;
    case 'string-list':
      checkStringList(type, value, context);
      break;
    case 'map':
      checkMap(type, value, context);
      break;
    case 'structured-list':
      checkStructuredList(type, value, context);
      break;
    default:
      assertNever(type, 'setting type');
  }
}

/** Checks of one setting that its type cannot express (vendor rules across keys or fields). */
const SETTING_CHECKS: Readonly<Record<string, (value: unknown, context: Context) => void>> = {
  'asr.rules': (value, context) => {
    if (!isRecord(value)) return;
    for (const [guid, mode] of Object.entries(value)) {
      const rule = getAsrRule(guid);
      if (rule && mode === 'warn' && !rule.warnSupported) {
        problem(
          within(context, guid),
          `warn is not supported by "${rule.name}"; choose off, block or audit`,
        );
      }
    }
  },
  'firewall.rules': (value, context) => {
    if (!Array.isArray(value)) return;
    value.forEach((rule: unknown, index) => {
      if (!isRecord(rule)) return;
      checkFirewallRule(rule, context.platform, (path, sentence) =>
        problem(context, sentence, [...context.path, index, ...path]),
      );
    });
  },
};

/** Problems of placing this setting in a policy of that platform and profile, if any. */
function placementProblem(
  setting: SettingDefinition,
  platform: PolicyPlatform,
  profile: Profile,
): string | null {
  if (setting.profile !== profile) {
    return `belongs to the ${setting.profile} profile, not ${profile}; move it to a policy of that profile`;
  }
  if (!setting.platforms.includes(platform)) {
    return `is a ${listPlatforms(setting.platforms)} setting; ${platformName(platform)} policies cannot use it`;
  }
  return setting.refusal ?? null;
}

function profileProblems(platform: PolicyPlatform, profile: Profile): SettingProblem[] {
  const definition = PROFILE_DEFINITIONS.find((p) => p.id === profile);
  if (!definition) return [];
  if (!definition.deliverable) {
    return [{ settingId: profile, message: definition.refusal ?? `${profile} is not deliverable` }];
  }
  if (!definition.platforms.includes(platform)) {
    return [
      {
        settingId: profile,
        message: `the ${profile} profile exists for ${listPlatforms(definition.platforms)} only, not ${platformName(platform)}`,
      },
    ];
  }
  return [];
}

/**
 * Every problem with a policy's setting values for a platform and profile: a profile this
 * channel refuses (security-experience) or that the platform lacks, unknown ids (with
 * suggestions), settings of another profile or platform, refused settings, and values that do
 * not fit the setting's type. Profile-level problems carry the profile id as `settingId`.
 * Empty when the settings are valid.
 * @example validateSettings('windows', 'antivirus', { 'antivirus.cloudBlockLevel': 7 })
 * // [{ settingId: 'antivirus.cloudBlockLevel',
 * //    message: 'antivirus.cloudBlockLevel: 7 is not one of default, moderate, high, high-plus, zero-tolerance' }]
 */
export function validateSettings(
  platform: PolicyPlatform,
  profile: Profile,
  values: Readonly<Record<string, unknown>>,
): readonly SettingProblem[] {
  const problems: SettingProblem[] = [];
  if (!POLICY_PLATFORMS.includes(platform)) {
    problems.push({
      settingId: '',
      message: `${showValue(platform)} is not a platform; use one of ${POLICY_PLATFORMS.join(', ')}`,
    });
    return problems;
  }
  if (!PROFILES.includes(profile)) {
    problems.push({
      settingId: '',
      message: `${showValue(profile)} is not a profile; use one of ${PROFILES.join(', ')}`,
    });
    return problems;
  }
  problems.push(...profileProblems(platform, profile));
  const report = (p: SettingProblem) => problems.push(p);
  for (const [id, value] of Object.entries(values)) {
    const setting = getSetting(id);
    if (!setting) {
      const close = suggestSettingIds(id);
      const hint = close.length > 0 ? `; did you mean ${close.join(' or ')}?` : '';
      problems.push({ settingId: id, message: `${id}: there is no such setting${hint}` });
      continue;
    }
    const context: Context = { settingId: id, platform, path: [], report };
    const placement = placementProblem(setting, platform, profile);
    if (placement) {
      problem(context, placement);
      continue;
    }
    if (value === null || value === undefined) {
      problem(context, 'has no value; remove it to leave the setting not configured');
      continue;
    }
    checkValue(setting.type, value, context);
    SETTING_CHECKS[id]?.(value, context);
  }
  return problems;
}
