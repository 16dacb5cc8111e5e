import type { ConfigurationDocument } from '@palisade/protocol';
import { describe, expect, it } from 'vitest';
import { driftedValue, simulateApply, targetFor } from './setting-results.js';

function documentWith(settingCount: number, revision = 3): ConfigurationDocument {
  const source = [{ policyId: 'p1', policyName: 'Baseline', version: 1 }];
  return {
    deviceId: 'd1',
    tenantId: 't1',
    revision,
    issuedAt: '2026-01-01T00:00:00.000Z',
    enrollment: {
      code: 1,
      name: 'managed',
      managedBy: 'palisade',
      identity: 'create-synthetic',
      meaning: 'managed',
      fix: null,
      withheldProfiles: [],
    },
    configuration: {
      settings: Array.from({ length: settingCount }, (_, i) => ({
        id: `antivirus.setting${i}`,
        value: i % 2 === 0,
        sources: source,
      })),
      conflicts: [
        {
          id: 'antivirus.cloudBlockLevel',
          candidates: [
            { ...source[0], value: 'high' },
            { policyId: 'p2', policyName: 'Servers', version: 4, value: 'moderate' },
          ],
        },
      ] as ConfigurationDocument['configuration']['conflicts'],
      hash: 'abc',
    },
  };
}

const windows = { platform: 'windows-client', installedTargets: ['windows-defender'] } as const;

describe('simulateApply', () => {
  it('reports every setting, conflicts as conflict, and nothing fails or drifts at rate 0', () => {
    const outcome = simulateApply({ ...windows, machineId: 'm1' }, documentWith(10), {
      failureRate: 0,
      driftRate: 0,
    });
    expect(outcome.applied).toHaveLength(11);
    expect(outcome.applied.filter((r) => r.status === 'succeeded')).toHaveLength(10);
    expect(outcome.applied.find((r) => r.id === 'antivirus.cloudBlockLevel')?.status).toBe(
      'conflict',
    );
    expect(outcome.drifted).toBeNull();
  });

  it('fails and drifts about the configured shares across a fleet, with native errors', () => {
    let failed = 0;
    let drifted = 0;
    let total = 0;
    for (let machine = 0; machine < 400; machine += 1) {
      const outcome = simulateApply({ ...windows, machineId: `m${machine}` }, documentWith(20), {
        failureRate: 0.1,
        driftRate: 0.05,
      });
      for (const result of outcome.applied) {
        if (result.status === 'failed') {
          failed += 1;
          expect(result.error).toMatch(/\S/);
          expect(result.target).toBe('windows-defender');
        }
      }
      drifted += outcome.drifted?.filter((r) => r.status === 'drifted').length ?? 0;
      total += 20;
    }
    expect(failed / total).toBeGreaterThan(0.07);
    expect(failed / total).toBeLessThan(0.13);
    expect(drifted / total).toBeGreaterThan(0.03);
    expect(drifted / total).toBeLessThan(0.07);
  });

  it('keeps a failing setting failing on the next revision (a broken machine stays broken)', () => {
    const shares = { failureRate: 0.3, driftRate: 0 };
    const failedAt = (revision: number) =>
      simulateApply({ ...windows, machineId: 'm7' }, documentWith(20, revision), shares)
        .applied.filter((r) => r.status === 'failed')
        .map((r) => r.id);
    expect(failedAt(4)).toEqual(failedAt(5));
  });

  it('marks settings no installed driver can express as not applicable', () => {
    expect(targetFor('linux', ['clamav'], 'antivirus.behaviorMonitoring')).toBeNull();
    expect(targetFor('linux', ['clamav'], 'exclusions.paths')).toBe('clamav');
    expect(targetFor('linux', ['mdatp'], 'firewall.rules')).toBeNull();
    expect(targetFor('linux', ['mdatp', 'nftables'], 'firewall.rules')).toBe('nftables');
    const outcome = simulateApply(
      { machineId: 'm1', platform: 'linux', installedTargets: ['clamav'] },
      documentWith(3),
      { failureRate: 0, driftRate: 0 },
    );
    expect(outcome.applied.filter((r) => r.status === 'not-applicable')).toHaveLength(3);
  });

  it('reports a drifted setting with the value found on the machine', () => {
    expect(driftedValue(true)).toBe(false);
    expect(driftedValue('block')).toBe('off');
    expect(driftedValue(['/a', '/b'])).toEqual(['/a']);
    const outcome = simulateApply({ ...windows, machineId: 'm1' }, documentWith(10), {
      failureRate: 0,
      driftRate: 1,
    });
    const drifted = outcome.drifted?.filter((r) => r.status === 'drifted') ?? [];
    expect(drifted).toHaveLength(10);
    expect(drifted[0]?.observed).toBe(false);
  });
});
