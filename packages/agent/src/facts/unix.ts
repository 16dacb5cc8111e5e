/**
 * What Linux and macOS machines share in their facts: the kernel and architecture from Node, and
 * the Windows-only facts (domain controller, Server Core, PowerShell language mode, VDI, directory
 * join, Configuration Manager), which a Unix machine reports as absent.
 */
import { arch, release } from 'node:os';
import type { DeviceFacts } from '@palisade/core';

export function unixFacts(): Pick<
  DeviceFacts,
  | 'kernel'
  | 'architecture'
  | 'isDomainController'
  | 'isServerCore'
  | 'powershellLanguageMode'
  | 'nonPersistentVdi'
  | 'directoryJoin'
  | 'configMgrManaged'
> {
  return {
    kernel: release(),
    architecture: arch(),
    isDomainController: false,
    isServerCore: false,
    powershellLanguageMode: null,
    nonPersistentVdi: false,
    directoryJoin: null,
    configMgrManaged: false,
  };
}
