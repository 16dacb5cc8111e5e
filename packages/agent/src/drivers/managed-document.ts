/**
 * A managed configuration document that Defender reads from a file and that Palisade owns whole:
 * `mdatp_managed.json` on Linux, the `com.microsoft.wdav` plist on macOS. Both are one nested
 * key/value document (the JSON tree codec's native form); only the file format differs.
 */
import type { EnforcementTarget } from '@palisade/core';
import type { DriverContext, NativeTarget } from './driver.js';
import type { JsonObject } from './json-tree.js';
import { readTextIfExists, rootedPath, writeFileAtomic } from './native-file.js';

export interface DocumentFormat {
  /** The file's absolute path on the machine (under the root prefix when there is one). */
  readonly path: string;
  /** How an unreadable file is described in the log: "not valid JSON". */
  readonly invalid: string;
  parse(text: string): JsonObject;
  render(config: JsonObject): string;
}

export class ManagedDocumentFile implements NativeTarget<JsonObject> {
  constructor(
    private readonly target: EnforcementTarget,
    private readonly format: DocumentFormat,
  ) {}

  async read(context: DriverContext): Promise<JsonObject> {
    const text = await readTextIfExists(rootedPath(context.root, this.format.path));
    if (text === null) return {};
    try {
      return this.format.parse(text);
    } catch (error) {
      // A file Defender cannot read either: Palisade rewrites it whole (the old one is kept).
      context.log(
        `${this.target}: ${this.format.path} is ${this.format.invalid}, rewriting it: ${String(error)}`,
      );
      return {};
    }
  }

  async write(config: JsonObject, context: DriverContext): Promise<void> {
    await writeFileAtomic(rootedPath(context.root, this.format.path), this.format.render(config));
  }
}
