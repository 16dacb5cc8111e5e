import { PLATFORMS } from '@palisade/core';
import { DeviceFactsSchema } from '@palisade/protocol';
import { describe, expect, it } from 'vitest';
import { MANAGEMENT_TAG, simulatedFacts } from './device-facts.js';
import { DEFAULT_MIX, platformsForFleet } from './fleet-mix.js';

const fleet = platformsForFleet(DEFAULT_MIX, 2000).map((platform, index) =>
  simulatedFacts('test-seed', index, platform),
);

const share = (predicate: (facts: (typeof fleet)[number]) => boolean, among = fleet) =>
  among.filter(predicate).length / among.length;

describe('simulatedFacts', () => {
  it('produces facts the agent protocol accepts, for every platform', () => {
    for (const facts of fleet) expect(DeviceFactsSchema.safeParse(facts).success).toBe(true);
    for (const platform of PLATFORMS) expect(fleet.some((f) => f.platform === platform)).toBe(true);
  });

  it('is deterministic per (seed, index) and varies with the seed', () => {
    expect(simulatedFacts('test-seed', 5, 'linux')).toEqual(
      simulatedFacts('test-seed', 5, 'linux'),
    );
    const other = Array.from({ length: 20 }, (_, i) => simulatedFacts('other-seed', i, 'linux'));
    const same = Array.from({ length: 20 }, (_, i) => simulatedFacts('test-seed', i, 'linux'));
    expect(other).not.toEqual(same);
  });

  it('gives every machine a unique hostname', () => {
    expect(new Set(fleet.map((f) => f.hostname)).size).toBe(fleet.length);
  });

  it('has the variety dashboards and enrollment decisions need', () => {
    const servers = fleet.filter((f) => f.platform === 'windows-server');
    const clients = fleet.filter((f) => f.platform === 'windows-client');
    const macs = fleet.filter((f) => f.platform === 'macos');
    expect(share((f) => f.isDomainController, servers)).toBeGreaterThan(0.03);
    expect(share((f) => f.isServerCore, servers)).toBeGreaterThan(0.05);
    expect(share((f) => f.configMgrManaged, clients)).toBeGreaterThan(0.05);
    expect(share((f) => f.mdmManaged, macs)).toBeGreaterThan(0.05);
    expect(share((f) => f.tags.includes(MANAGEMENT_TAG))).toBeGreaterThan(0.2);
    expect(
      share((f) => /^(6\.|11\.|12\.)/.test(f.osVersion) || f.distro === 'centos'),
    ).toBeGreaterThan(0.01);
    expect(
      share((f) => f.powershellLanguageMode === 'ConstrainedLanguage', clients),
    ).toBeGreaterThan(0);
    expect(share((f) => f.directoryJoin !== null)).toBeGreaterThan(0);
    expect(new Set(fleet.map((f) => f.domain)).size).toBeGreaterThan(4);
    expect(fleet.every((f) => (f.installedSoftware ?? []).length > 0)).toBe(true);
  });
});
