/**
 * All drivers the agent has, and the choice among them: `--drivers a,b` names them; by default the
 * agent uses the drivers whose target is installed under the root.
 */
import { ENFORCEMENT_TARGETS, type EnforcementTarget } from '@palisade/core';
import type { NativeMappingLookup } from './catalog.js';
import { ClamavDriver } from './clamav/clamav-driver.js';
import type { Driver } from './driver.js';
import { MacosDefenderDriver } from './macos-defender/macos-defender-driver.js';
import { MdatpDriver } from './mdatp/mdatp-driver.js';
import { NftablesDriver } from './nftables/nftables-driver.js';
import { WindowsDefenderDriver } from './windows-defender/windows-defender-driver.js';

export function allDrivers(lookup: NativeMappingLookup): Driver[] {
  return [
    new MdatpDriver(lookup),
    new ClamavDriver(lookup),
    new NftablesDriver(),
    new MacosDefenderDriver(lookup),
    new WindowsDefenderDriver(lookup),
  ];
}

/** Parses `--drivers mdatp,clamav`; throws naming the unknown target. */
export function parseDriverList(text: string): EnforcementTarget[] {
  const names = text
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  for (const name of names) {
    if (!(ENFORCEMENT_TARGETS as readonly string[]).includes(name)) {
      throw new Error(
        `--drivers: unknown driver ${JSON.stringify(name)} (known: ${ENFORCEMENT_TARGETS.join(', ')})`,
      );
    }
  }
  return names as EnforcementTarget[];
}

export function selectDrivers(
  drivers: readonly Driver[],
  root: string,
  chosen: readonly EnforcementTarget[] | null,
): Driver[] {
  if (chosen) return drivers.filter((driver) => chosen.includes(driver.target));
  return drivers.filter((driver) => driver.detect(root));
}
