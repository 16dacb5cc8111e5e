/**
 * The driver contract. A driver enforces the settings of an effective configuration on one native
 * target (a file, a ruleset, a PowerShell session) and reads the target back to report the true
 * state of each setting.
 *
 * Every driver is built the same way, from a codec (pure: setting → native fragment, native config
 * → fragment, fragments → whole native config; golden-tested) and an I/O half (read, write
 * atomically keeping the previous version, activate, restore). `applyThroughCodec` holds the part
 * every driver shares: drift detection, the all-or-nothing write and the per-setting results.
 */
import type { EffectiveSetting, EnforcementTarget, JsonValue, SettingResult } from '@palisade/core';
import type { CommandRunner } from './commands.js';

/** The native fragments the agent last applied for one target: setting id → fragment. */
export type AppliedFragments = Readonly<Record<string, JsonValue>>;

export interface DriverContext {
  /** Prefix for every native path the driver touches ('/' on a real machine). */
  readonly root: string;
  /** Runs external commands (nft, clamdscan, powershell). */
  readonly run: CommandRunner;
  /** Writes one line to the agent's log. */
  readonly log: (message: string) => void;
}

export interface ApplyContext extends DriverContext {
  /** What the agent applied on this target at the last apply (for drift detection). */
  readonly lastApplied: AppliedFragments;
}

export interface DriverApplyResult {
  /** One result per setting the driver expresses. */
  readonly results: readonly SettingResult[];
  /** The fragments now in force, to store for the next drift check. */
  readonly applied: AppliedFragments;
}

export interface Driver {
  readonly target: EnforcementTarget;
  /** Whether the native target is installed under `root`. */
  detect(root: string): boolean;
  /** Whether the driver can express this setting at all (otherwise it never sees it). */
  expresses(settingId: string): boolean;
  apply(settings: readonly EffectiveSetting[], context: ApplyContext): Promise<DriverApplyResult>;
  /** The native configuration as it is on the machine now (JSON form, for reports and bundles). */
  readBack(context: DriverContext): Promise<JsonValue>;
}

/** A setting value the target cannot represent (e.g. a firewall rule by program on nftables). */
export class NotExpressibleError extends Error {}

/**
 * The pure half of a driver. `N` is the native configuration in memory (a JSON object, the lines
 * of clamd.conf, an nft ruleset description…).
 */
export interface NativeCodec<N> {
  expresses(settingId: string): boolean;
  /** The native fragment for one setting; throws NotExpressibleError when it cannot be written. */
  fragment(setting: EffectiveSetting): JsonValue;
  /** The fragment found in a native configuration, or undefined when the target does not set it. */
  observe(config: N, settingId: string): JsonValue | undefined;
  /**
   * The native configuration that holds exactly these fragments for the settings Palisade manages,
   * keeping what Palisade does not own from `current`. `previouslyManaged` lists the setting ids
   * applied last time, so a setting dropped from the configuration is removed from the target.
   */
  render(
    fragments: ReadonlyMap<string, JsonValue>,
    current: N,
    previouslyManaged: readonly string[],
  ): N;
  /**
   * Settings whose native place another setting of the same configuration takes over on this
   * target (Defender's passive mode replaces the enforcement level real-time protection sets):
   * setting id → why. They are reported not-applicable and not written.
   */
  overridden?(fragments: ReadonlyMap<string, JsonValue>): ReadonlyMap<string, string>;
}

/** The I/O half of a driver. */
export interface NativeTarget<N> {
  read(context: DriverContext): Promise<N>;
  /**
   * Writes and activates the configuration atomically, keeping the previous version. On any error
   * the target is left at its previous version and the error (with the native message) is thrown.
   */
  write(config: N, context: DriverContext): Promise<void>;
}

/** Canonical JSON: object keys sorted, so equal values have equal text. */
export function canonicalJson(value: JsonValue | undefined): string {
  if (value === undefined) return 'undefined';
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const record = value as Readonly<Record<string, JsonValue>>;
    return Object.fromEntries(
      Object.keys(record)
        .sort()
        .map((key) => [key, sortKeys(record[key] as JsonValue)]),
    );
  }
  return value;
}

export function sameFragment(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The shared apply: compare what is on the machine with what was applied last (drift), render
 * and write the whole target once (never half a configuration), read it back and judge each
 * setting by what the target really holds.
 */
export async function applyThroughCodec<N>(
  target: EnforcementTarget,
  codec: NativeCodec<N>,
  io: NativeTarget<N>,
  settings: readonly EffectiveSetting[],
  context: ApplyContext,
): Promise<DriverApplyResult> {
  const settledEarly: SettingResult[] = [];
  const fragments = new Map<string, JsonValue>();
  // A value the target cannot express fails that setting only; its previous fragment (if any)
  // stays on the target, so the setting is left at its previous version, not removed.
  const kept = new Map<string, JsonValue>();
  for (const setting of settings) {
    if (!codec.expresses(setting.id)) continue;
    try {
      fragments.set(setting.id, codec.fragment(setting));
    } catch (error) {
      settledEarly.push({ id: setting.id, status: 'failed', target, error: errorMessage(error) });
      const previous = context.lastApplied[setting.id];
      if (previous !== undefined) kept.set(setting.id, previous);
    }
  }
  for (const [id, reason] of codec.overridden?.(fragments) ?? []) {
    fragments.delete(id);
    settledEarly.push({ id, status: 'not-applicable', target, error: reason });
  }
  let before: N;
  try {
    before = await io.read(context);
  } catch (error) {
    return failAll(
      target,
      fragments,
      settledEarly,
      `cannot read ${target}: ${errorMessage(error)}`,
      context,
    );
  }
  const drifted = new Map<string, JsonValue | null>();
  for (const [id, applied] of Object.entries(context.lastApplied)) {
    // A null fragment wrote nothing, so nothing on the target can drift from it.
    if (applied === null) continue;
    const observed = codec.observe(before, id);
    if (fragments.has(id) && !sameFragment(observed, applied)) drifted.set(id, observed ?? null);
  }
  const managedBefore = Object.keys(context.lastApplied);
  const written = new Map([...kept, ...fragments]);
  let after: N;
  try {
    await io.write(codec.render(written, before, managedBefore), context);
    after = await io.read(context);
  } catch (error) {
    return failAll(target, fragments, settledEarly, errorMessage(error), context);
  }
  const results: SettingResult[] = [...settledEarly];
  const applied: Record<string, JsonValue> = Object.fromEntries(kept);
  for (const [id, wanted] of fragments) {
    const observed = wanted === null ? null : codec.observe(after, id);
    if (!sameFragment(observed, wanted)) {
      results.push({
        id,
        status: 'failed',
        target,
        error: `read back after writing shows ${canonicalJson(observed)}, not ${canonicalJson(wanted)}`,
        observed: observed ?? null,
      });
      continue;
    }
    applied[id] = wanted;
    if (drifted.has(id)) {
      context.log(`${target}: ${id} drifted (found ${canonicalJson(drifted.get(id))}); re-applied`);
      results.push({ id, status: 'drifted', target, observed: drifted.get(id) ?? null });
    } else {
      results.push({ id, status: 'succeeded', target });
    }
  }
  return { results, applied };
}

function failAll(
  target: EnforcementTarget,
  fragments: ReadonlyMap<string, JsonValue>,
  settledEarly: readonly SettingResult[],
  error: string,
  context: ApplyContext,
): DriverApplyResult {
  context.log(`${target}: apply failed, target left at its previous version: ${error}`);
  const results: SettingResult[] = [...settledEarly];
  for (const id of fragments.keys()) results.push({ id, status: 'failed', target, error });
  // Nothing changed on the target: what was applied before is still what is in force.
  return { results, applied: context.lastApplied };
}
