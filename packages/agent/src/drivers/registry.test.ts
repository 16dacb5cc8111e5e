import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalogNativeMapping } from './catalog.js';
import { allDrivers, parseDriverList, selectDrivers } from './registry.js';
import { tempRoot } from './test-support.js';

describe('driver selection', () => {
  it('uses by default the drivers whose target is installed under the root', () => {
    const root = tempRoot();
    mkdirSync(join(root, 'opt/microsoft/mdatp'), { recursive: true });
    mkdirSync(join(root, 'usr/sbin'), { recursive: true });
    writeFileSync(join(root, 'usr/sbin/clamd'), '');
    const drivers = selectDrivers(allDrivers(catalogNativeMapping), root, null);
    expect(drivers.map((driver) => driver.target)).toEqual(['mdatp', 'clamav']);
    expect(selectDrivers(allDrivers(catalogNativeMapping), tempRoot(), null)).toEqual([]);
  });

  it('uses exactly the drivers --drivers names, installed or not', () => {
    const chosen = parseDriverList(' nftables, macos-defender ');
    expect(chosen).toEqual(['nftables', 'macos-defender']);
    const drivers = selectDrivers(allDrivers(catalogNativeMapping), tempRoot(), chosen);
    expect(drivers.map((driver) => driver.target)).toEqual(['nftables', 'macos-defender']);
    expect(() => parseDriverList('mdatp,clam')).toThrow(/unknown driver "clam" \(known: mdatp, /);
  });
});
