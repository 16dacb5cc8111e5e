import { describe, expect, it } from 'vitest';
import { withDependents } from './fleet-service.js';
import { type CompiledGroup, compileGroup, orderGroups, type TenantState } from './tenant-state.js';

const dynamic = (id: string, rule: string) =>
  compileGroup({ id, name: id, kind: 'dynamic', rule, ordinal: 0 });
const assigned = (id: string) =>
  compileGroup({ id, name: id, kind: 'assigned', rule: null, ordinal: 0 });
const memberOf = (...ids: string[]) =>
  `(device.memberOf -any (group.objectId -in [${ids.map((id) => `"${id}"`).join(', ')}]))`;

function stateOf(groups: CompiledGroup[]): TenantState {
  return { groups: orderGroups(groups) } as unknown as TenantState;
}

describe('orderGroups', () => {
  it('puts assigned groups first and every group after the groups it reads through memberOf', () => {
    const groups = [
      dynamic('c', memberOf('b')),
      dynamic('b', memberOf('a', 'static')),
      dynamic('a', '(device.deviceOSType -eq "Linux")'),
      assigned('static'),
    ];
    expect(groups[0]?.memberOf).toEqual(['b']);
    const order = orderGroups(groups).map((group) => group.id);
    expect(order[0]).toBe('static');
    expect(order.indexOf('a')).toBeLessThan(order.indexOf('b'));
    expect(order.indexOf('b')).toBeLessThan(order.indexOf('c'));
  });

  it('gives groups in a memberOf cycle no rule (no members) and keeps the others', () => {
    const ordered = orderGroups([
      dynamic('x', memberOf('y')),
      dynamic('y', memberOf('x')),
      dynamic('z', '(device.deviceOSType -eq "Linux")'),
    ]);
    const byId = new Map(ordered.map((group) => [group.id, group]));
    expect(byId.get('x')?.matches).toBeNull();
    expect(byId.get('y')?.matches).toBeNull();
    expect(byId.get('z')?.matches).not.toBeNull();
    expect(ordered).toHaveLength(3);
  });
});

describe('withDependents', () => {
  it('adds every group that reads a changed group through memberOf, transitively', () => {
    const state = stateOf([
      dynamic('a', '(device.deviceOSType -eq "Linux")'),
      dynamic('b', memberOf('a')),
      dynamic('c', memberOf('b')),
      dynamic('d', '(device.deviceOSType -eq "Windows")'),
    ]);
    expect([...withDependents(state, ['a'])].sort()).toEqual(['a', 'b', 'c']);
    expect([...withDependents(state, ['d'])]).toEqual(['d']);
  });
});
