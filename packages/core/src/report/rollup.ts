import {
  type EffectiveConfiguration,
  type EnforcementTarget,
  type JsonValue,
  REPORT_STATUSES,
  type ReportStatus,
  type SettingResult,
  type SettingSource,
} from '../model.js';
import { baseSettingId, compareText } from '../policy/merge.js';

/**
 * Report statuses from worst to best, for roll-ups where the worst wins:
 * - failed: the driver could not apply the setting;
 * - conflict: two policies disagree, so the setting is not applied at all;
 * - drifted: it was applied, but something outside Palisade changed it since;
 * - pending: no result yet for the current configuration;
 * - succeeded: applied and read back;
 * - not-applicable: the device has nothing that can enforce it — not a problem, so it ranks below
 *   succeeded: a device whose settings all succeeded except some not-applicable ones succeeded.
 */
export const STATUS_SEVERITY: readonly ReportStatus[] = [
  'failed',
  'conflict',
  'drifted',
  'pending',
  'succeeded',
  'not-applicable',
];

/** How many settings (or devices) are in each status. */
export type StatusCounts = Readonly<Record<ReportStatus, number>>;

/**
 * The worst of some statuses, or null when there are none.
 *
 * @example worstStatus(['succeeded', 'drifted', 'pending']) // 'drifted'
 */
export function worstStatus(statuses: Iterable<ReportStatus>): ReportStatus | null {
  let worst: number | null = null;
  for (const status of statuses) {
    const rank = STATUS_SEVERITY.indexOf(status);
    if (worst === null || rank < worst) worst = rank;
  }
  return worst === null ? null : (STATUS_SEVERITY[worst] ?? null);
}

/**
 * Counts of every status, zero included, so every consumer sees the same keys.
 *
 * @example countStatuses(['failed', 'failed']).failed // 2
 */
export function countStatuses(statuses: Iterable<ReportStatus>): StatusCounts {
  const counts = Object.fromEntries(REPORT_STATUSES.map((status) => [status, 0])) as Record<
    ReportStatus,
    number
  >;
  for (const status of statuses) counts[status] += 1;
  return counts;
}

/** The status of one setting (or one conflict) on one device. */
export interface DeviceSettingStatus {
  /** A setting id, or a conflict id such as `asr.rules[<guid>]`. */
  readonly id: string;
  readonly status: ReportStatus;
  /** The native error of a failed result. */
  readonly error?: string;
  /** The driver whose result this is. */
  readonly target?: EnforcementTarget;
  /** For drifted: the value found on the machine. */
  readonly observed?: JsonValue;
  /** The policies behind the setting (for a conflict: every candidate policy). */
  readonly sources: readonly SettingSource[];
}

/** One device's report: the status of each setting of its configuration and the worst of them. */
export interface DeviceRollup {
  /** The worst status of all settings; null when the configuration is empty. */
  readonly status: ReportStatus | null;
  readonly counts: StatusCounts;
  /** Sorted by id. */
  readonly settings: readonly DeviceSettingStatus[];
}

/**
 * Rolls a device's results up against the configuration it must enforce. Every setting of the
 * configuration gets a status: its result's status, `pending` when there is none yet, and when
 * several drivers report one setting (ClamAV and Defender both enforce Linux exclusions) the worst
 * of them. Every conflict is `conflict` (the agent is never sent a conflicting setting). Results
 * for settings that are not in the configuration (an older revision's) are ignored; pass the
 * results of the device's current configuration.
 *
 * @example rollUpDevice([{ id: 'a', status: 'succeeded' }], config).status // 'pending' if config also has 'b'
 */
export function rollUpDevice(
  results: readonly SettingResult[],
  configuration: EffectiveConfiguration,
): DeviceRollup {
  const worstResult = new Map<string, SettingResult>();
  for (const result of results) {
    const current = worstResult.get(result.id);
    if (current === undefined || severityRank(result.status) < severityRank(current.status)) {
      worstResult.set(result.id, result);
    }
  }
  const settings: DeviceSettingStatus[] = [];
  for (const setting of configuration.settings) {
    const result = worstResult.get(setting.id);
    settings.push(
      result
        ? withResult(setting.id, result, setting.sources)
        : { id: setting.id, status: 'pending', sources: setting.sources },
    );
  }
  for (const conflict of configuration.conflicts) {
    settings.push({
      id: conflict.id,
      status: 'conflict',
      sources: conflict.candidates.map(({ policyId, policyName, version }) => ({
        policyId,
        policyName,
        version,
      })),
    });
  }
  settings.sort((a, b) => compareText(a.id, b.id));
  const statuses = settings.map((s) => s.status);
  return { status: worstStatus(statuses), counts: countStatuses(statuses), settings };
}

function withResult(
  id: string,
  result: SettingResult,
  sources: readonly SettingSource[],
): DeviceSettingStatus {
  return {
    id,
    status: result.status,
    ...(result.error !== undefined ? { error: result.error } : {}),
    ...(result.target !== undefined ? { target: result.target } : {}),
    ...(result.observed !== undefined ? { observed: result.observed } : {}),
    sources,
  };
}

function severityRank(status: ReportStatus): number {
  return STATUS_SEVERITY.indexOf(status);
}

/** One device reached by a policy, as the server has it: its configuration and its last results. */
export interface PolicyRollupDevice {
  readonly deviceId: string;
  readonly configuration: EffectiveConfiguration;
  /** The device's last results for that configuration. */
  readonly results: readonly SettingResult[];
}

/** One of the policy's settings across the devices it reaches. */
export interface PolicySettingRollup {
  /** The policy's setting id (a per-key or per-item conflict counts under its setting). */
  readonly id: string;
  readonly status: ReportStatus | null;
  /** Devices in each status for this setting. */
  readonly counts: StatusCounts;
}

/** The policy's status on one device: the worst of the policy's settings there. */
export interface PolicyDeviceStatus {
  readonly deviceId: string;
  /** Null when none of the policy's settings is on the device (e.g. every value is null). */
  readonly status: ReportStatus | null;
}

/** A policy's report: per setting and per device, and the worst of all. */
export interface PolicyRollup {
  readonly policyId: string;
  readonly status: ReportStatus | null;
  /** Devices in each status (their PolicyDeviceStatus), devices without a status left out. */
  readonly counts: StatusCounts;
  /** Sorted by id. */
  readonly settings: readonly PolicySettingRollup[];
  /** Sorted by device id. */
  readonly devices: readonly PolicyDeviceStatus[];
}

/**
 * Rolls a policy up across the devices it reaches. On each device, the policy's settings are the
 * configuration's settings and conflicts that name the policy as a source or candidate; a setting
 * several policies feed (a merged exclusion list) counts for each of them. A conflict on one key or
 * item (`asr.rules[<guid>]`) counts under its setting (`asr.rules`), so a device is counted once per
 * setting, in the worst status of that setting's rows.
 *
 * @example rollUpPolicy('p1', [{ deviceId: 'd1', configuration, results }]).counts.succeeded // 1
 */
export function rollUpPolicy(
  policyId: string,
  devices: readonly PolicyRollupDevice[],
): PolicyRollup {
  const perSetting = new Map<string, ReportStatus[]>();
  const perDevice: PolicyDeviceStatus[] = [];
  for (const device of devices) {
    const rows = rollUpDevice(device.results, device.configuration).settings.filter((row) =>
      row.sources.some((source) => source.policyId === policyId),
    );
    const bySetting = new Map<string, ReportStatus[]>();
    for (const row of rows) pushTo(bySetting, baseSettingId(row.id), row.status);
    for (const [id, statuses] of bySetting) {
      const worst = worstStatus(statuses);
      if (worst !== null) pushTo(perSetting, id, worst);
    }
    perDevice.push({ deviceId: device.deviceId, status: worstStatus(rows.map((r) => r.status)) });
  }
  perDevice.sort((a, b) => compareText(a.deviceId, b.deviceId));
  const settings = [...perSetting.entries()]
    .sort(([a], [b]) => compareText(a, b))
    .map(([id, statuses]) => ({
      id,
      status: worstStatus(statuses),
      counts: countStatuses(statuses),
    }));
  const deviceStatuses = perDevice.flatMap((d) => (d.status === null ? [] : [d.status]));
  return {
    policyId,
    status: worstStatus(deviceStatuses),
    counts: countStatuses(deviceStatuses),
    settings,
    devices: perDevice,
  };
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
