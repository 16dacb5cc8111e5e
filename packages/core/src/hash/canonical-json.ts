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
 * Whether two JSON values have the same canonical JSON, without writing either: equal values of
 * any key order are the same, a property whose value is `undefined` is absent, as in
 * {@link canonicalJson}, which throws where this does (a non-finite number, a value that is not
 * JSON) unless the two are the very same value. A check-in compares the device's stored facts
 * with the merged ones this way: two canonical strings of every fact (installed software
 * included) were a twentieth of what the server allocated for a facts change.
 */
export function sameJson(a: JsonValue, b: JsonValue): boolean {
  if (a === b) {
    if (typeof a === 'number' && !Number.isFinite(a))
      throw new RangeError(`sameJson: ${a} is not a JSON number`);
    return true;
  }
  const kind = jsonKind(a);
  if (kind !== jsonKind(b)) return false;
  if (kind === 'array') {
    const left = a as readonly JsonValue[];
    const right = b as readonly JsonValue[];
    if (left.length !== right.length) return false;
    for (let i = 0; i < left.length; i += 1) {
      if (!sameJson(left[i] as JsonValue, right[i] as JsonValue)) return false;
    }
    return true;
  }
  if (kind !== 'object') return false; // distinct scalars of one kind (0 and -0 are ===)
  const left = a as { readonly [key: string]: JsonValue | undefined };
  const right = b as { readonly [key: string]: JsonValue | undefined };
  let defined = 0;
  for (const key of Object.keys(left)) {
    const member = left[key];
    if (member === undefined) continue;
    defined += 1;
    const other = Object.hasOwn(right, key) ? right[key] : undefined;
    if (other === undefined || !sameJson(member, other)) return false;
  }
  for (const key of Object.keys(right)) if (right[key] !== undefined) defined -= 1;
  return defined === 0;
}

/** The kind of a JSON value, checked as {@link canonicalJson} checks it. */
function jsonKind(value: JsonValue): 'null' | 'boolean' | 'number' | 'string' | 'array' | 'object' {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return 'boolean';
    case 'string':
      return 'string';
    case 'number':
      if (!Number.isFinite(value)) throw new RangeError(`sameJson: ${value} is not a JSON number`);
      return 'number';
    case 'object':
      return Array.isArray(value) ? 'array' : 'object';
    default:
      throw new TypeError(`sameJson: a ${typeof value} is not a JSON value`);
  }
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
