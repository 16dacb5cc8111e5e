import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JsonValue } from '../model.js';
import { canonicalJson, contentHash, sameJson } from './canonical-json.js';
import { sha256Hex, utf8Bytes } from './sha256.js';

describe('sha256Hex', () => {
  // FIPS 180-4 / NIST test vectors, plus padding boundaries (55, 56, 63, 64, 119 bytes) checked
  // against sha256sum.
  it.each([
    ['', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
    [
      'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq',
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    ],
    ['a'.repeat(55), '9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318'],
    ['a'.repeat(56), 'b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a'],
    ['a'.repeat(63), '7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34'],
    ['a'.repeat(64), 'ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb'],
    ['a'.repeat(119), '31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb'],
    ['é€😀', 'df9226927fd572c1ee66eec85de1bb139497614899f36e4e90474cb71f6ef9d0'],
  ])('hashes %j', (input, digest) => {
    expect(sha256Hex(input)).toBe(digest);
  });

  it('hashes a million bytes', () => {
    expect(sha256Hex('a'.repeat(1_000_000))).toBe(
      'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0',
    );
  });

  it('encodes UTF-8 as TextEncoder does, lone surrogates included', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        expect(Array.from(utf8Bytes(text))).toEqual(Array.from(new TextEncoder().encode(text)));
      }),
    );
    expect(sha256Hex('\ud800')).toBe(
      '83d544ccc223c057d2bf80d3f2a32982c32c3c0db8e2674820da5064783fb097',
    );
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every depth and writes no whitespace', () => {
    expect(canonicalJson({ b: [1, { z: null, a: 'x' }], a: true })).toBe(
      '{"a":true,"b":[1,{"a":"x","z":null}]}',
    );
  });

  it('leaves out undefined members, as JSON.stringify does', () => {
    const withUndefined = { a: 1, b: undefined } as unknown as JsonValue;
    expect(canonicalJson(withUndefined)).toBe('{"a":1}');
  });

  it('keeps an own "__proto__" member like any other key', () => {
    const value = JSON.parse('{"b":1,"__proto__":{"x":2}}') as JsonValue;
    expect(canonicalJson(value)).toBe('{"__proto__":{"x":2},"b":1}');
    expect(canonicalJson(reverseKeys(value))).toBe('{"__proto__":{"x":2},"b":1}');
  });

  it('refuses numbers that are not JSON', () => {
    expect(() => canonicalJson(Number.NaN)).toThrow(RangeError);
    expect(() => canonicalJson({ a: Number.POSITIVE_INFINITY })).toThrow(/not a JSON number/);
  });

  it('parses back to the same value and does not depend on key order', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value as JsonValue);
        const reparsed = JSON.parse(text) as JsonValue;
        expect(canonicalJson(reparsed)).toBe(text);
        const reversed = reverseKeys(value as JsonValue);
        expect(canonicalJson(reversed)).toBe(text);
        expect(contentHash(reversed)).toBe(contentHash(value as JsonValue));
      }),
    );
  });
});

describe('sameJson', () => {
  const same = (a: JsonValue, b: JsonValue) => canonicalJson(a) === canonicalJson(b);

  it('answers as comparing the canonical forms would, for any two values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
        expect(sameJson(a as JsonValue, b as JsonValue)).toBe(same(a as JsonValue, b as JsonValue));
      }),
    );
  });

  it('finds a value the same as itself in any key order, and not once one member moves', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (value, other) => {
        const v = value as JsonValue;
        expect(sameJson(v, reverseKeys(v))).toBe(true);
        const changed = {
          ...(typeof v === 'object' && v !== null && !Array.isArray(v) ? v : { v }),
        };
        const key = Object.keys(changed)[0] ?? 'k';
        Object.defineProperty(changed, key, { value: other, enumerable: true, writable: true });
        expect(sameJson(v, changed as JsonValue)).toBe(same(v, changed as JsonValue));
      }),
    );
  });

  it('leaves out undefined members and does not read inherited ones', () => {
    expect(sameJson({ a: 1, b: undefined } as unknown as JsonValue, { a: 1 })).toBe(true);
    expect(sameJson({ a: 1 }, { a: 1, b: undefined } as unknown as JsonValue)).toBe(true);
    expect(sameJson({ constructor: 1 }, {})).toBe(false);
    expect(sameJson({}, { constructor: 1 })).toBe(false);
    expect(sameJson([1, 2], { 0: 1, 1: 2 })).toBe(false);
    expect(sameJson([], {})).toBe(false);
    expect(sameJson(null, {})).toBe(false);
    expect(sameJson('1', 1)).toBe(false);
  });

  it('refuses numbers that are not JSON, as canonicalJson does', () => {
    expect(() => sameJson(Number.NaN, 1)).toThrow(RangeError);
    expect(() => sameJson({ a: Number.POSITIVE_INFINITY }, { a: 1 })).toThrow(/not a JSON number/);
  });
});

function reverseKeys(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return (value as readonly JsonValue[]).map(reverseKeys);
  if (value === null || typeof value !== 'object') return value;
  const record = value as { readonly [key: string]: JsonValue };
  const out: Record<string, JsonValue> = {};
  for (const key of Object.keys(record).reverse()) {
    // defineProperty, not assignment: fast-check generates keys such as "__proto__".
    Object.defineProperty(out, key, {
      value: reverseKeys(record[key] as JsonValue),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}
