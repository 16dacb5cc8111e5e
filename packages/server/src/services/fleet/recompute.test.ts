import { type DeviceView, devicePropertiesOf } from '@palisade/core';
import { describe, expect, it } from 'vitest';
import { linuxFacts, windowsFacts } from '../../../test/agent-sim.js';
import type { DeviceRecord } from './device-records.js';
import { evaluateGroups } from './recompute.js';
import {
  type CompiledGroup,
  compileGroup,
  dynamicGroupsOf,
  orderGroups,
  type TenantState,
} from './tenant-state.js';

const dynamic = (id: string, rule: string) =>
  compileGroup({ id, name: id, kind: 'dynamic', rule, ordinal: 0 });
const assigned = (id: string) =>
  compileGroup({ id, name: id, kind: 'assigned', rule: null, ordinal: 0 });

function stateOf(tenantId: string, groups: readonly CompiledGroup[]): TenantState {
  const ordered = orderGroups(groups);
  return {
    tenantId,
    groups: ordered,
    dynamicGroups: dynamicGroupsOf(tenantId, ordered),
  } as unknown as TenantState;
}

function device(
  hostname: string,
  platform: 'linux' | 'windows-client',
  tags: string[],
): DeviceView {
  return {
    deviceId: `device-${hostname}`,
    directoryDeviceId: `device-${hostname}`,
    managedBy: 'palisade',
    enrollmentCode: 1,
    identity: 'synthetic',
    tags,
    groupIds: [],
    // The test agents' machines, with this test's versions and software.
    facts:
      platform === 'linux'
        ? linuxFacts(hostname, { agentVersion: '1.0.0', installedSoftware: ['nginx 1.24.0'] })
        : windowsFacts(hostname, {
            agentVersion: '1.0.0',
            osVersion: '10.0.22631.4460',
            domain: null,
            installedSoftware: ['Google Chrome 131'],
          }),
  };
}

const record = (staticGroupIds: string[]) =>
  ({ staticGroupIds: new Set(staticGroupIds) }) as unknown as DeviceRecord;

/** What evaluateGroups did before the rule index: every group, in dependency order. */
function everyGroup(state: TenantState, staticGroupIds: string[], view: DeviceView): string[] {
  const member: string[] = [];
  const properties = { ...devicePropertiesOf(view), memberOf: member };
  for (const group of state.groups) {
    if (
      group.kind === 'assigned' ? staticGroupIds.includes(group.id) : group.matches?.(properties)
    ) {
      member.push(group.id);
    }
  }
  return member.sort();
}

describe('evaluateGroups', () => {
  // Assigned groups interleaved by id, guarded and unguarded rules, memberOf chains through both
  // kinds, a cycle and a rule that does not compile: positions in the index must stay aligned.
  const groups = [
    dynamic('a-linux', '(device.deviceOSType -eq "Linux")'),
    assigned('b-static'),
    dynamic('c-ams', 'device.displayName -startsWith "AMS-" and device.deviceOSType -ne null'),
    dynamic('d-linux-or-static', 'device.memberOf -any (_ -in ["a-linux", "b-static"])'),
    assigned('e-static'),
    dynamic(
      'f-nginx-ams',
      '(device.installedSoftware -any _ -startsWith "nginx") and (device.memberOf -any (_ -eq "c-ams"))',
    ),
    dynamic('g-team', 'device.extensionAttribute1 -in ["Team-1", "team-2"]'),
    dynamic('h-web', 'device.displayName -contains "web"'),
    dynamic('i-cycle', 'device.memberOf -any (_ -eq "j-cycle")'),
    dynamic('j-cycle', 'device.memberOf -any (_ -eq "i-cycle")'),
    dynamic('k-broken', 'device.nothing -eq "x"'),
    dynamic('l-windows', 'device.deviceOSType -in ["Windows", "macOS"]'),
  ];
  const state = stateOf('tenant-evaluate', groups);
  const cases: [DeviceView, string[]][] = [
    [device('ams-web-01', 'linux', ['extensionAttribute1=TEAM-1']), []],
    [device('AMS-WS-02', 'windows-client', []), ['e-static']],
    [device('fra-db-01', 'linux', []), ['b-static', 'e-static']],
    [device('lon-pc-01', 'windows-client', ['extensionAttribute1=team-2']), ['b-static']],
  ];

  it.each(cases)(
    'gives the memberships that evaluating every group gives (%#)',
    (view, statics) => {
      const expected = everyGroup(state, statics, view);
      expect(evaluateGroups(state, record(statics), view)).toEqual(expected);
      expect(expected.length).toBeGreaterThan(0);
    },
  );

  it('finds the memberships through guards, memberOf and static groups', () => {
    const [ams] = cases[0] ?? [];
    if (!ams) throw new Error('no case');
    expect(evaluateGroups(state, record(['b-static']), ams)).toEqual([
      'a-linux',
      'b-static',
      'c-ams',
      'd-linux-or-static',
      'f-nginx-ams',
      'g-team',
      'h-web',
    ]);
  });
});

describe('dynamicGroupsOf', () => {
  it('reuses the index while the rules are the same, and rebuilds it when one changes', () => {
    const linux = dynamic('x', '(device.deviceOSType -eq "Linux")');
    const first = dynamicGroupsOf('tenant-cache', [assigned('s'), linux]);
    const again = dynamicGroupsOf('tenant-cache', [
      assigned('s'),
      dynamic('x', '(device.deviceOSType -eq "Linux")'),
    ]);
    expect(again.index).toBe(first.index);

    const windows = stateOf('tenant-cache', [dynamic('x', '(device.deviceOSType -eq "Windows")')]);
    expect(windows.dynamicGroups.index).not.toBe(first.index);
    const pc = device('pc-01', 'windows-client', []);
    expect(evaluateGroups(windows, record([]), pc)).toEqual(['x']);
  });
});
