import type { JsonValue } from '../model.js';
import { sha256Hex } from './sha256.js';

/**
 * The one byte form of a JSON value: object keys sorted by UTF-16 code unit (the order
 * `Array.prototype.sort` gives, independent of locale), no whitespace, strings and numbers written
 * as `JSON.stringify` writes them. Properties whose value is `undefined` are left out, as
 * `JSON.stringify` does, so an absent optional field and a missing one hash alike.
 *
 * Throws a RangeError on a non-finite number: it is not JSON, and writing it as `null` would let two
 * different configurations share one hash.
 *
 * @example canonicalJson({ b: [1, 'x'], a: true }) // '{"a":true,"b":[1,"x"]}'
 */
export function canonicalJson(value: JsonValue): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value))
        throw new RangeError(`canonicalJson: ${value} is not a JSON number`);
      return JSON.stringify(value);
    case 'string':
      return JSON.stringify(value);
    case 'object':
      break;
    default:
      throw new TypeError(`canonicalJson: a ${typeof value} is not a JSON value`);
  }
  if (Array.isArray(value)) {
    return `[${(value as readonly JsonValue[]).map(canonicalJson).join(',')}]`;
  }
  const record = value as { readonly [key: string]: JsonValue | undefined };
  const parts: string[] = [];
  for (const key of Object.keys(record).sort()) {
    const member = record[key];
    if (member === undefined) continue;
    parts.push(`${JSON.stringify(key)}:${canonicalJson(member)}`);
  }
  return `{${parts.join(',')}}`;
}

/**
 * The content hash of a JSON value: SHA-256 (hex) of its canonical JSON. Equal values give equal
 * hashes whatever the key order; the protocol uses the hash of an effective configuration as its
 * ETag.
 *
 * @example contentHash({}) // '44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a'
 */
export function contentHash(value: JsonValue): string {
  return sha256Hex(canonicalJson(value));
}
