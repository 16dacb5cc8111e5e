/**
 * The SQLite store's connection settings that performance depends on: a page cache sized for a
 * fleet's database instead of SQLite's 2 MB default.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, expect, it } from 'vitest';
import { openStore, SQLITE_CACHE_KIB } from './store.js';

const dir = mkdtempSync(join(tmpdir(), 'palisade-pragmas-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('keeps a page cache sized for a fleet, in KiB (negative: a size, not a page count)', async () => {
  const store = await openStore(join(dir, 'cache.sqlite'));
  try {
    const result = await sql<{ cache_size: number }>`pragma cache_size`.execute(store.db);
    expect(result.rows[0]?.cache_size).toBe(-SQLITE_CACHE_KIB);
    expect(SQLITE_CACHE_KIB).toBeGreaterThanOrEqual(32 * 1024);
  } finally {
    await store.close();
  }
});
