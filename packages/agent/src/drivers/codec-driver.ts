/**
 * The shape every driver shares: a codec (settings ↔ native fragments) and a native target (read,
 * write atomically, activate), joined by `applyThroughCodec`. A driver adds what is its own: how
 * it detects its target, and how its read-back looks in a support bundle.
 */
import type { EffectiveSetting, EnforcementTarget, JsonValue } from '@palisade/core';
import {
  type ApplyContext,
  applyThroughCodec,
  type Driver,
  type DriverApplyResult,
  type DriverContext,
  type NativeCodec,
  type NativeTarget,
} from './driver.js';

export abstract class CodecDriver<N> implements Driver {
  abstract readonly target: EnforcementTarget;

  protected constructor(
    protected readonly codec: NativeCodec<N>,
    protected readonly native: NativeTarget<N>,
  ) {}

  abstract detect(root: string): boolean;

  expresses(settingId: string): boolean {
    return this.codec.expresses(settingId);
  }

  apply(settings: readonly EffectiveSetting[], context: ApplyContext): Promise<DriverApplyResult> {
    return applyThroughCodec(this.target, this.codec, this.native, settings, context);
  }

  /** The native configuration as the target reads it; drivers with more to show override this. */
  async readBack(context: DriverContext): Promise<JsonValue> {
    return (await this.native.read(context)) as unknown as JsonValue;
  }
}
