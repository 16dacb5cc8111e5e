/**
 * One apply of an effective configuration on this machine: every setting goes to the drivers that
 * can express it; a conflict is reported as such and not applied; a setting no driver here can
 * express is reported `not-applicable`, never dropped. Each driver writes its whole target once.
 */
import type {
  EffectiveConfiguration,
  EnforcementTarget,
  JsonValue,
  SettingResult,
} from '@palisade/core';
import {
  type AppliedFragments,
  type Driver,
  type DriverContext,
  errorMessage,
} from '../drivers/driver.js';

/** Per target, what the agent applied last (stored in the state directory). */
export type AppliedState = Readonly<Partial<Record<EnforcementTarget, AppliedFragments>>>;

export interface ApplyOutcome {
  readonly results: readonly SettingResult[];
  readonly applied: AppliedState;
}

type Configuration = Pick<EffectiveConfiguration, 'settings' | 'conflicts'> & {
  readonly settings: EffectiveConfiguration['settings'];
};

export async function applyConfiguration(
  configuration: Configuration,
  drivers: readonly Driver[],
  context: DriverContext,
  lastApplied: AppliedState,
): Promise<ApplyOutcome> {
  const results: SettingResult[] = configuration.conflicts.map((conflict) => ({
    id: conflict.id,
    status: 'conflict' as const,
    error: `policies disagree: ${conflict.candidates
      .map(
        (candidate) =>
          `${candidate.policyName} (v${candidate.version}) sets ${JSON.stringify(candidate.value)}`,
      )
      .join('; ')}`,
  }));
  for (const setting of configuration.settings) {
    if (!drivers.some((driver) => driver.expresses(setting.id))) {
      const here = drivers.map((driver) => driver.target).join(', ') || 'none';
      results.push({
        id: setting.id,
        status: 'not-applicable',
        error: `no driver on this machine expresses ${setting.id} (drivers: ${here})`,
      });
    }
  }
  const applied: Partial<Record<EnforcementTarget, AppliedFragments>> = { ...lastApplied };
  for (const driver of drivers) {
    const settings = configuration.settings.filter((setting) => driver.expresses(setting.id));
    const previous = lastApplied[driver.target] ?? {};
    if (settings.length === 0 && Object.keys(previous).length === 0) continue;
    try {
      const outcome = await driver.apply(settings, { ...context, lastApplied: previous });
      results.push(...outcome.results);
      applied[driver.target] = outcome.applied as Readonly<Record<string, JsonValue>>;
    } catch (error) {
      const message = `${driver.target} failed unexpectedly: ${errorMessage(error)}`;
      context.log(message);
      for (const setting of settings)
        results.push({ id: setting.id, status: 'failed', target: driver.target, error: message });
    }
  }
  return { results, applied };
}
