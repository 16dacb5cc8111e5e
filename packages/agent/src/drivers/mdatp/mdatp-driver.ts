/**
 * Microsoft Defender for Endpoint on Linux: the managed configuration file
 * `/etc/opt/microsoft/mdatp/managed/mdatp_managed.json`. Defender watches the file and applies it
 * without a restart; managed values override local ones. Merge policies are settings like any other
 * (`antivirusEngine.exclusionsMergePolicy`, `threatTypeSettingsMergePolicy`): with `merge`, the
 * exclusions a local administrator added through `mdatp` stay in force beside the managed ones,
 * with `admin_only` only the managed list counts. Either way Palisade owns only the managed file.
 */
import { existsSync } from 'node:fs';
import { catalogNativeMapping, type NativeMappingLookup } from '../catalog.js';
import { CodecDriver } from '../codec-driver.js';
import { defenderSlotResolver } from '../defender-slots.js';
import { isObject, type JsonObject, JsonTreeCodec } from '../json-tree.js';
import { type DocumentFormat, ManagedDocumentFile } from '../managed-document.js';
import { rootedPath } from '../native-file.js';

export const MDATP_MANAGED_FILE = '/etc/opt/microsoft/mdatp/managed/mdatp_managed.json';

/** The file's JSON text as the driver writes it: 2-space indentation, a final newline. */
export function renderMdatpManaged(config: JsonObject): string {
  return `${JSON.stringify(config, null, 2)}\n`;
}

export function parseMdatpManaged(text: string): JsonObject {
  const parsed: unknown = JSON.parse(text);
  if (!isObject(parsed as JsonObject)) throw new Error('mdatp_managed.json is not a JSON object');
  return parsed as JsonObject;
}

const MDATP_MANAGED: DocumentFormat = {
  path: MDATP_MANAGED_FILE,
  invalid: 'not valid JSON',
  parse: parseMdatpManaged,
  render: renderMdatpManaged,
};

export class MdatpDriver extends CodecDriver<JsonObject> {
  readonly target = 'mdatp' as const;

  constructor(lookup: NativeMappingLookup = catalogNativeMapping) {
    super(
      new JsonTreeCodec(defenderSlotResolver('linux', 'mdatp', lookup)),
      new ManagedDocumentFile('mdatp', MDATP_MANAGED),
    );
  }

  /** The product's install directory (not the managed folder, which the driver itself creates). */
  detect(root: string): boolean {
    return existsSync(rootedPath(root, '/opt/microsoft/mdatp'));
  }
}
