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
  const parts: string[] = [];
  write(value, parts);
  return parts.join('');
}

/** Appends the canonical form of a value to `out` (one join at the end is cheaper than many). */
function write(value: JsonValue, out: string[]): void {
  if (value === null) {
    out.push('null');
    return;
  }
  switch (typeof value) {
    case 'boolean':
      out.push(value ? 'true' : 'false');
      return;
    case 'number':
      if (!Number.isFinite(value))
        throw new RangeError(`canonicalJson: ${value} is not a JSON number`);
      out.push(JSON.stringify(value));
      return;
    case 'string':
      out.push(JSON.stringify(value));
      return;
    case 'object':
      break;
    default:
      throw new TypeError(`canonicalJson: a ${typeof value} is not a JSON value`);
  }
  if (Array.isArray(value)) {
    out.push('[');
    (value as readonly JsonValue[]).forEach((item, index) => {
      if (index > 0) out.push(',');
      write(item, out);
    });
    out.push(']');
    return;
  }
  const record = value as { readonly [key: string]: JsonValue | undefined };
  out.push('{');
  let first = true;
  for (const key of Object.keys(record).sort()) {
    const member = record[key];
    if (member === undefined) continue;
    out.push(first ? '' : ',', JSON.stringify(key), ':');
    first = false;
    write(member, out);
  }
  out.push('}');
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
