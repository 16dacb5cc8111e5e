/**
 * The settings catalog: every setting Palisade manages, looked up by id, listed by platform and
 * profile. The data lives in settings/<profile>.ts, transcribed from the vendor reference facts;
 * core does no I/O, so nothing is read at run time.
 */
import { assertNever, type PolicyPlatform, type Profile } from '../model.js';
import { ANTIVIRUS_SETTINGS } from './settings/antivirus.js';
import { ASR_SETTINGS } from './settings/attack-surface-reduction.js';
import { EDR_SETTINGS } from './settings/edr.js';
import { EXCLUSION_SETTINGS } from './settings/exclusions.js';
import { FIREWALL_SETTINGS } from './settings/firewall.js';
import { SECURITY_EXPERIENCE_SETTINGS } from './settings/security-experience.js';
import type { MergeKind, SettingDefinition } from './types.js';

/** Every setting, sorted by id. */
export const SETTINGS: readonly SettingDefinition[] = [
  ...ANTIVIRUS_SETTINGS,
  ...EXCLUSION_SETTINGS,
  ...EDR_SETTINGS,
  ...ASR_SETTINGS,
  ...FIREWALL_SETTINGS,
  ...SECURITY_EXPERIENCE_SETTINGS,
].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

const BY_ID: ReadonlyMap<string, SettingDefinition> = new Map(SETTINGS.map((s) => [s.id, s]));

/**
 * The setting with this id, or undefined.
 * @example getSetting('antivirus.realTimeProtection')?.type // { kind: 'boolean' }
 */
export function getSetting(id: string): SettingDefinition | undefined {
  return BY_ID.get(id);
}

/**
 * The settings that apply to a platform and / or belong to a profile, sorted by id.
 * @example listSettings({ platform: 'linux', profile: 'antivirus-exclusions' })
 */
export function listSettings(
  filter: { platform?: PolicyPlatform; profile?: Profile } = {},
): readonly SettingDefinition[] {
  return SETTINGS.filter(
    (setting) =>
      (filter.platform === undefined || setting.platforms.includes(filter.platform)) &&
      (filter.profile === undefined || setting.profile === filter.profile),
  );
}

/**
 * How two policies' values of one setting combine on a device: scalars conflict when they differ
 * ('single'), string lists union, maps merge key by key, structured lists union by their item key.
 * An unknown id is 'single', the safe choice (differences are reported as conflicts).
 * @example mergeKindOf('exclusions.paths') // 'union'
 */
export function mergeKindOf(settingId: string): MergeKind {
  const setting = BY_ID.get(settingId);
  if (!setting) return 'single';
  if (setting.merge) return setting.merge;
  const kind = setting.type.kind;
  switch (kind) {
    case 'boolean':
    case 'choice':
    case 'integer':
    case 'string':
      return 'single';
    case 'string-list':
      return 'union';
    case 'map':
      return 'per-key';
    case 'structured-list':
      return 'keyed-union';
    default:
      return assertNever(kind, 'setting kind');
  }
}

/** Edit distance between two strings (insertions, deletions, substitutions). */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * Close matches for a mistyped word among candidates, best first (at most `limit`): a candidate
 * that differs only in case, contains the word's last segment, or is a few edits away.
 * @example closestMatches('antivirus.realtimeProtection', ids) // ['antivirus.realTimeProtection']
 */
export function closestMatches(
  word: string,
  candidates: readonly string[],
  limit = 3,
): readonly string[] {
  const lower = word.toLowerCase();
  const tail = lower.slice(lower.lastIndexOf('.') + 1);
  const scored = candidates
    .map((candidate) => {
      const c = candidate.toLowerCase();
      const distance = editDistance(lower, c);
      const cTail = c.slice(c.lastIndexOf('.') + 1);
      const related = tail.length >= 4 && (cTail.includes(tail) || tail.includes(cTail));
      const score = c === lower ? 0 : related ? Math.min(distance, 2) : distance;
      return { candidate, score };
    })
    .filter(({ score }) => score <= Math.max(2, Math.floor(word.length / 8)))
    .sort((a, b) => a.score - b.score || (a.candidate < b.candidate ? -1 : 1));
  // A candidate that differs only in case is the answer; nothing else is worth listing.
  const exact = scored.filter(({ score }) => score === 0);
  return (exact.length > 0 ? exact : scored).slice(0, limit).map(({ candidate }) => candidate);
}

/** Setting ids close to a mistyped one, best first. */
export function suggestSettingIds(id: string, limit = 3): readonly string[] {
  return closestMatches(
    id,
    SETTINGS.map((s) => s.id),
    limit,
  );
}
