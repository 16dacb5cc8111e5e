/**
 * Where the Palisade settings land in Defender for Endpoint's managed configuration on Linux
 * (`mdatp_managed.json`, reference: mdatp-linux-managed.json) and macOS (`com.microsoft.wdav`,
 * reference: mdatp-macos.json). The catalog's native name says where (`a.b.c`,
 * `a.list[$type=T]`, `a.list[key=K].value`) and its value translations say what; the mappings
 * below are used for the core settings when the catalog has none for the target.
 * Platform differences: behaviour monitoring lives under `features` on macOS; extensions carry a
 * leading dot in Linux's examples and none in macOS's.
 */
import type { EnforcementTarget, JsonValue } from '@palisade/core';
import type { NativeMappingLookup } from './catalog.js';
import { catalogSlot, type JsonObject, type Slot } from './json-tree.js';

const enabledDisabled = (value: JsonValue): JsonValue => (value === true ? 'enabled' : 'disabled');
const asIs = (value: JsonValue): JsonValue => value;

export type DefenderFlavour = 'linux' | 'macos';

/** The item of an exclusion list for one value (what Defender's `$type`s expect). */
export function typedExclusion(flavour: DefenderFlavour, type: string, value: string): JsonObject {
  switch (type) {
    case 'excludedPath':
      // A trailing slash names a folder (everything under it), as in Defender's own exclusions.
      return { $type: type, isDirectory: value.endsWith('/'), path: value };
    case 'excludedFileExtension': {
      const bare = value.replace(/^\./, '');
      return { $type: type, extension: flavour === 'linux' ? `.${bare}` : bare };
    }
    default:
      return { $type: type, name: value };
  }
}

function knownSlot(flavour: DefenderFlavour, settingId: string): Slot | undefined {
  const exclusions = (type: string): Slot => ({
    kind: 'typed-items',
    listPath: ['antivirusEngine', 'exclusions'],
    type,
    item: (value) => typedExclusion(flavour, type, value),
  });
  switch (settingId) {
    case 'antivirus.realTimeProtection':
      // Off means on-demand scanning (not passive, which also stops remediation).
      return {
        kind: 'key',
        path: ['antivirusEngine', 'enforcementLevel'],
        translate: (value) => (value === true ? 'real_time' : 'on_demand'),
      };
    case 'antivirus.behaviorMonitoring':
      return {
        kind: 'key',
        path:
          flavour === 'macos'
            ? ['features', 'behaviorMonitoring']
            : ['antivirusEngine', 'behaviorMonitoring'],
        translate: enabledDisabled,
      };
    case 'antivirus.cloudProtection':
      return { kind: 'key', path: ['cloudService', 'enabled'], translate: asIs };
    case 'antivirus.scanArchives':
      return { kind: 'key', path: ['antivirusEngine', 'scanArchives'], translate: asIs };
    case 'antivirus.puaProtection':
      return {
        kind: 'entry',
        listPath: ['antivirusEngine', 'threatTypeSettings'],
        key: 'potentially_unwanted_application',
        translate: asIs,
      };
    case 'exclusions.paths':
      return exclusions('excludedPath');
    case 'exclusions.extensions':
      return exclusions('excludedFileExtension');
    case 'exclusions.processes':
      return exclusions('excludedFileName');
    default:
      return undefined;
  }
}

/** The slot of a setting on a Defender target: the catalog's mapping, else the one known here. */
export function defenderSlotResolver(
  flavour: DefenderFlavour,
  target: EnforcementTarget,
  lookup: NativeMappingLookup,
): (settingId: string) => Slot | undefined {
  const typedItem = (type: string, value: string) => typedExclusion(flavour, type, value);
  return (settingId) =>
    catalogSlot(lookup, target, settingId, typedItem) ?? knownSlot(flavour, settingId);
}
