import { mergeKindOf as catalogMergeKindOf, getSetting, type MergeKind } from '../catalog/index.js';
import { contentHash } from '../hash/canonical-json.js';
import type {
  AssignmentFilter,
  EffectiveConfiguration,
  EffectiveSetting,
  JsonValue,
  PolicyVersion,
  SettingConflict,
  SettingSource,
} from '../model.js';
import { type Contribution, compareText, mergeSetting } from './merge.js';
import { policyReachesDevice, type ResolutionDevice } from './reach.js';

export interface ResolutionInput {
  readonly device: ResolutionDevice;
  /** The current version of every policy of the tenant (one version per policy id). */
  readonly policies: readonly PolicyVersion[];
  /** Evaluates an assignment filter's rule against the device; see policyReachesDevice. */
  readonly matchesFilter?: (filter: AssignmentFilter) => boolean;
  /** How a setting's values combine; the catalog's mergeKindOf when absent. */
  readonly mergeKindOf?: (settingId: string) => MergeKind;
  /** The item key of a keyed-union setting; the catalog's structured-list itemKey when absent. */
  readonly itemKeyOf?: (settingId: string) => string | undefined;
}

/**
 * Computes what one device must enforce: every setting of every policy that reaches it (see
 * policyReachesDevice), merged by the setting's merge kind (see mergeSetting), with the policies
 * and versions each value came from, and the conflicts — settings (or keys, or items) that two
 * policies set differently, which are not applied.
 *
 * A setting a policy holds as `null` is "not configured" and contributes nothing.
 *
 * Deterministic: settings and conflicts sorted by id, sources by policy id and version, list items
 * by value, so the same policies and groups in any order give the same bytes and the same hash
 * (SHA-256 of the canonical JSON of `{ settings, conflicts }`, see effectiveConfigurationHash).
 *
 * Throws when one policy id appears twice: the caller must pass one version per policy.
 *
 * @example
 * resolveEffectiveConfiguration({ device: { platform: 'linux', groupIds: ['g1'] }, policies })
 * // → { settings: [{ id: 'antivirus.realTimeProtection', value: true, sources: [...] }], conflicts: [], hash: '…' }
 */
export function resolveEffectiveConfiguration(input: ResolutionInput): EffectiveConfiguration {
  assertOneVersionPerPolicy(input.policies);
  const kindOf = input.mergeKindOf ?? catalogMergeKindOf;
  const itemKeyOf = input.itemKeyOf ?? catalogItemKeyOf;
  const contributions = new Map<string, Contribution[]>();
  for (const policy of input.policies) {
    if (!policyReachesDevice(policy, input.device, input.matchesFilter)) continue;
    const source: SettingSource = {
      policyId: policy.id,
      policyName: policy.name,
      version: policy.version,
    };
    for (const [id, value] of Object.entries(policy.settings)) {
      if (value === null || value === undefined) continue;
      const list = contributions.get(id);
      if (list) list.push({ source, value });
      else contributions.set(id, [{ source, value }]);
    }
  }
  const settings: EffectiveSetting[] = [];
  const conflicts: SettingConflict[] = [];
  for (const id of [...contributions.keys()].sort(compareText)) {
    const merged = mergeSetting(id, kindOf(id), contributions.get(id) ?? [], itemKeyOf(id));
    if (merged.setting) settings.push(merged.setting);
    conflicts.push(...merged.conflicts);
  }
  conflicts.sort((a, b) => compareText(a.id, b.id));
  return { settings, conflicts, hash: effectiveConfigurationHash(settings, conflicts) };
}

/**
 * The content hash of an effective configuration (the protocol's ETag): SHA-256 hex of the
 * canonical JSON of `{ "conflicts": [...], "settings": [...] }`, each setting as
 * `{ id, items?, sources, value }` and each conflict as `{ candidates, id }`.
 *
 * @example effectiveConfigurationHash([], []) === resolveEffectiveConfiguration({ device, policies: [] }).hash // true
 */
export function effectiveConfigurationHash(
  settings: readonly EffectiveSetting[],
  conflicts: readonly SettingConflict[],
): string {
  return contentHash(effectiveConfigurationJson({ settings, conflicts }));
}

/**
 * The JSON form of an effective configuration without its hash (what the hash covers).
 *
 * @example effectiveConfigurationJson({ settings: [], conflicts: [] }) // { settings: [], conflicts: [] }
 */
export function effectiveConfigurationJson(
  configuration: Pick<EffectiveConfiguration, 'settings' | 'conflicts'>,
): JsonValue {
  return {
    settings: configuration.settings.map((setting) => ({
      id: setting.id,
      value: setting.value,
      sources: setting.sources.map(sourceJson),
      ...(setting.items
        ? {
            items: setting.items.map((item) => ({
              value: item.value,
              sources: item.sources.map(sourceJson),
            })),
          }
        : {}),
    })),
    conflicts: configuration.conflicts.map((conflict) => ({
      id: conflict.id,
      candidates: conflict.candidates.map((candidate) => ({
        ...sourceJson(candidate),
        value: candidate.value,
      })),
    })),
  };
}

function sourceJson(source: SettingSource): { [key: string]: JsonValue } {
  return { policyId: source.policyId, policyName: source.policyName, version: source.version };
}

function catalogItemKeyOf(settingId: string): string | undefined {
  const type = getSetting(settingId)?.type;
  return type?.kind === 'structured-list' ? type.itemKey : undefined;
}

function assertOneVersionPerPolicy(policies: readonly PolicyVersion[]): void {
  const seen = new Map<string, number>();
  for (const policy of policies) {
    const earlier = seen.get(policy.id);
    if (earlier !== undefined) {
      throw new Error(
        `resolveEffectiveConfiguration: policy ${policy.id} appears twice (versions ${earlier} and ` +
          `${policy.version}); pass one version per policy`,
      );
    }
    seen.set(policy.id, policy.version);
  }
}
