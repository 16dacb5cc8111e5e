import { describe, expect, it } from 'vitest';
import { ConfigurationCache } from './configuration-cache.js';

const doc = (revision: number, filler = '') =>
  JSON.stringify({ revision, configuration: { settings: [], filler } });

describe('configuration cache', () => {
  it('answers only for the revision it holds', () => {
    const cache = new ConfigurationCache();
    cache.put('d1', { revision: 3, payload: doc(3), signature: 'sig3' });
    expect(cache.get('d1', 3)?.signature).toBe('sig3');
    expect(cache.get('d1', 4)).toBeUndefined();
    expect(cache.parsed('d1', 2)).toBeUndefined();
    expect(cache.parsed('d1', 3)).toEqual({ settings: [], filler: '' });
    cache.put('d1', { revision: 4, payload: doc(4), signature: 'sig4' });
    expect(cache.get('d1', 3)).toBeUndefined();
    expect(cache.get('d1', 4)?.signature).toBe('sig4');
    cache.forget('d1');
    expect(cache.get('d1', 4)).toBeUndefined();
    expect(cache.bytes).toBe(0);
  });

  it('stays within its byte bound, dropping the oldest entries first', () => {
    const one = doc(1, 'x'.repeat(1000));
    const size = one.length + 'sig'.length;
    const cache = new ConfigurationCache(size * 3);
    for (const id of ['a', 'b', 'c', 'd'])
      cache.put(id, { revision: 1, payload: one, signature: 'sig' });
    expect(cache.bytes).toBe(size * 3);
    expect(cache.get('a', 1)).toBeUndefined();
    expect(cache.get('d', 1)).toBeDefined();
    // Replacing an entry does not count it twice.
    cache.put('d', { revision: 2, payload: one, signature: 'sig' });
    expect(cache.bytes).toBe(size * 3);
    // Larger than the whole bound: not kept.
    cache.put('e', { revision: 1, payload: 'y'.repeat(size * 4), signature: '' });
    expect(cache.get('e', 1)).toBeUndefined();
  });
});
