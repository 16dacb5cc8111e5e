import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AgentState } from './agent-state.js';

const stateIn = () => new AgentState(join(mkdtempSync(join(tmpdir(), 'palisade-state-')), 'state'));

describe('AgentState', () => {
  it('creates the device key once, readable by root only', async () => {
    const state = stateIn();
    const first = await state.deviceKey();
    const again = await state.deviceKey();
    expect(again.publicKeyDer).toBe(first.publicKeyDer);
    expect(statSync(join(state.dir, 'device-key.pem')).mode & 0o777).toBe(0o600);
    expect(statSync(state.dir).mode & 0o777).toBe(0o700);
  });

  it('keeps the credential in a file only its owner reads', async () => {
    const state = stateIn();
    await state.saveEnrollment({
      deviceId: 'd',
      tenantId: 't',
      credential: 'd.secret',
      tenantPublicKey: 'k',
      enrollment: {
        code: 1,
        name: 'managed',
        managedBy: 'palisade',
        identity: 'create-synthetic',
        meaning: 'm',
        fix: null,
        withheldProfiles: [],
      },
      serverUrl: 'http://x',
      machineId: 'machine-1',
      enrolledAt: 'now',
      options: {},
    });
    expect(statSync(join(state.dir, 'enrollment.json')).mode & 0o777).toBe(0o600);
    expect((await state.loadEnrollment())?.credential).toBe('d.secret');
  });

  it('serialises cycles with a lock, and takes over a lock whose process is gone', async () => {
    const state = stateIn();
    await state.ensureDir();
    writeFileSync(join(state.dir, 'cycle.lock'), '999999999');
    const order: string[] = [];
    const slow = state.withLock(async () => {
      order.push('first in');
      await new Promise((resolve) => setTimeout(resolve, 300));
      order.push('first out');
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const second = state.withLock(async () => {
      order.push('second');
    });
    await Promise.all([slow, second]);
    expect(order).toEqual(['first in', 'first out', 'second']);
  });
});
