import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type {
  EffectiveConfiguration,
  EffectiveSetting,
  ReportStatus,
  SettingConflict,
  SettingResult,
  SettingSource,
} from '../model.js';
import { REPORT_STATUSES } from '../model.js';
import { effectiveConfigurationHash } from '../policy/resolve.js';
import { rollUpDevice, rollUpPolicy, STATUS_SEVERITY, worstStatus } from './rollup.js';

const source = (policyId: string, version = 1): SettingSource => ({
  policyId,
  policyName: `Policy ${policyId}`,
  version,
});

function configuration(
  settings: readonly [string, readonly string[]][],
  conflicts: readonly [string, readonly string[]][] = [],
): EffectiveConfiguration {
  const s: EffectiveSetting[] = settings.map(([id, policies]) => ({
    id,
    value: true,
    sources: policies.map((p) => source(p)),
  }));
  const c: SettingConflict[] = conflicts.map(([id, policies]) => ({
    id,
    candidates: policies.map((p, i) => ({ ...source(p), value: i })),
  }));
  return { settings: s, conflicts: c, hash: effectiveConfigurationHash(s, c) };
}

const result = (
  id: string,
  status: ReportStatus,
  extra: Partial<SettingResult> = {},
): SettingResult => ({
  id,
  status,
  ...extra,
});

describe('worstStatus', () => {
  it('ranks failed worst and not-applicable below succeeded', () => {
    expect(STATUS_SEVERITY).toEqual([
      'failed',
      'conflict',
      'drifted',
      'pending',
      'succeeded',
      'not-applicable',
    ]);
    expect([...STATUS_SEVERITY].sort()).toEqual([...REPORT_STATUSES].sort());
    expect(worstStatus(['succeeded', 'not-applicable'])).toBe('succeeded');
    expect(worstStatus(['succeeded', 'drifted', 'pending'])).toBe('drifted');
    expect(worstStatus(['conflict', 'failed'])).toBe('failed');
    expect(worstStatus(['not-applicable'])).toBe('not-applicable');
    expect(worstStatus([])).toBeNull();
  });

  it('returns a member that no other member is worse than, whatever the order', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...REPORT_STATUSES), { minLength: 1 }), (statuses) => {
        const worst = worstStatus(statuses);
        expect(statuses).toContain(worst);
        const rank = STATUS_SEVERITY.indexOf(worst as ReportStatus);
        for (const status of statuses)
          expect(STATUS_SEVERITY.indexOf(status)).toBeGreaterThanOrEqual(rank);
        expect(worstStatus([...statuses].reverse())).toBe(worst);
      }),
    );
  });
});

describe('rollUpDevice', () => {
  const config = configuration(
    [
      ['antivirus.realTimeProtection', ['av']],
      ['antivirus.scanArchives', ['av']],
      ['exclusions.paths', ['ex1', 'ex2']],
    ],
    [['antivirus.puaProtection', ['av', 'strict']]],
  );

  it('gives every setting a status: its result, pending without one, conflict for conflicts', () => {
    const rollup = rollUpDevice(
      [
        result('antivirus.realTimeProtection', 'succeeded', { target: 'mdatp' }),
        result('exclusions.paths', 'not-applicable'),
      ],
      config,
    );
    expect(rollup.settings.map((s) => [s.id, s.status])).toEqual([
      ['antivirus.puaProtection', 'conflict'],
      ['antivirus.realTimeProtection', 'succeeded'],
      ['antivirus.scanArchives', 'pending'],
      ['exclusions.paths', 'not-applicable'],
    ]);
    expect(rollup.status).toBe('conflict');
    expect(rollup.counts).toEqual({
      succeeded: 1,
      failed: 0,
      conflict: 1,
      'not-applicable': 1,
      pending: 1,
      drifted: 0,
    });
    expect(rollup.settings[1]?.target).toBe('mdatp');
    expect(rollup.settings[0]?.sources.map((s) => s.policyId)).toEqual(['av', 'strict']);
  });

  it('keeps the worst result when several drivers report one setting, with its error', () => {
    const rollup = rollUpDevice(
      [
        result('exclusions.paths', 'succeeded', { target: 'mdatp' }),
        result('exclusions.paths', 'failed', {
          target: 'clamav',
          error: 'clamd.conf: permission denied',
        }),
        result('exclusions.paths', 'drifted', { target: 'mdatp' }),
      ],
      configuration([['exclusions.paths', ['ex1']]]),
    );
    expect(rollup.settings).toEqual([
      {
        id: 'exclusions.paths',
        status: 'failed',
        target: 'clamav',
        error: 'clamd.conf: permission denied',
        sources: [source('ex1')],
      },
    ]);
    expect(rollup.status).toBe('failed');
  });

  it('carries the observed value of a drifted setting', () => {
    const rollup = rollUpDevice(
      [result('antivirus.scanArchives', 'drifted', { observed: false })],
      configuration([['antivirus.scanArchives', ['av']]]),
    );
    expect(rollup.settings[0]?.observed).toBe(false);
    expect(rollup.status).toBe('drifted');
  });

  it('ignores results for settings the configuration no longer has', () => {
    const rollup = rollUpDevice(
      [result('antivirus.gone', 'failed'), result('antivirus.scanArchives', 'succeeded')],
      configuration([['antivirus.scanArchives', ['av']]]),
    );
    expect(rollup.status).toBe('succeeded');
    expect(rollup.settings).toHaveLength(1);
  });

  it('has no status for an empty configuration', () => {
    const rollup = rollUpDevice([], configuration([]));
    expect(rollup.status).toBeNull();
    expect(Object.values(rollup.counts).every((n) => n === 0)).toBe(true);
  });
});

describe('rollUpPolicy', () => {
  it('counts devices per setting and per device, worst wins, for the policy’s settings only', () => {
    const rollup = rollUpPolicy('av', [
      {
        deviceId: 'd2',
        configuration: configuration([
          ['antivirus.realTimeProtection', ['av']],
          ['antivirus.scanArchives', ['av']],
          ['firewall.enabled', ['fw']],
        ]),
        results: [
          result('antivirus.realTimeProtection', 'succeeded'),
          result('antivirus.scanArchives', 'drifted'),
          result('firewall.enabled', 'failed'),
        ],
      },
      {
        deviceId: 'd1',
        configuration: configuration([
          ['antivirus.realTimeProtection', ['av']],
          ['antivirus.scanArchives', ['av']],
        ]),
        results: [
          result('antivirus.realTimeProtection', 'succeeded'),
          result('antivirus.scanArchives', 'succeeded'),
        ],
      },
      {
        deviceId: 'd3',
        configuration: configuration([['antivirus.realTimeProtection', ['av']]]),
        results: [],
      },
    ]);
    expect(rollup.devices).toEqual([
      { deviceId: 'd1', status: 'succeeded' },
      { deviceId: 'd2', status: 'drifted' },
      { deviceId: 'd3', status: 'pending' },
    ]);
    expect(rollup.status).toBe('drifted');
    expect(rollup.counts).toMatchObject({ succeeded: 1, drifted: 1, pending: 1, failed: 0 });
    expect(
      rollup.settings.map((s) => [s.id, s.status, s.counts.succeeded, s.counts.pending]),
    ).toEqual([
      ['antivirus.realTimeProtection', 'pending', 2, 1],
      ['antivirus.scanArchives', 'drifted', 1, 0],
    ]);
  });

  it('counts a per-key conflict under its setting, once per device, and a shared setting for each policy', () => {
    const config = configuration(
      [
        ['asr.rules', ['asr-a', 'asr-b']],
        ['exclusions.paths', ['asr-a', 'ex']],
      ],
      [
        ['asr.rules[d4f940ab-401b-4efc-aadc-ad5f3c50688a]', ['asr-a', 'asr-b']],
        ['asr.rules[9e6c4e1f-7d60-472f-ba1a-a39ef669e4b2]', ['asr-a', 'asr-c']],
      ],
    );
    const devices = [
      {
        deviceId: 'd1',
        configuration: config,
        results: [result('asr.rules', 'succeeded'), result('exclusions.paths', 'succeeded')],
      },
    ];
    const a = rollUpPolicy('asr-a', devices);
    expect(a.settings).toEqual([
      {
        id: 'asr.rules',
        status: 'conflict',
        counts: expect.objectContaining({ conflict: 1, succeeded: 0 }),
      },
      {
        id: 'exclusions.paths',
        status: 'succeeded',
        counts: expect.objectContaining({ succeeded: 1 }),
      },
    ]);
    expect(a.devices).toEqual([{ deviceId: 'd1', status: 'conflict' }]);
    const ex = rollUpPolicy('ex', devices);
    expect(ex.status).toBe('succeeded');
    expect(ex.settings.map((s) => s.id)).toEqual(['exclusions.paths']);
  });

  it('gives a device without any of the policy’s settings no status, and leaves it out of counts', () => {
    const rollup = rollUpPolicy('av', [
      { deviceId: 'd1', configuration: configuration([['x', ['other']]]), results: [] },
    ]);
    expect(rollup.devices).toEqual([{ deviceId: 'd1', status: null }]);
    expect(rollup.status).toBeNull();
    expect(Object.values(rollup.counts).every((n) => n === 0)).toBe(true);
  });
});
