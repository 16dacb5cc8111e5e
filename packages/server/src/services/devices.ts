/**
 * The few reads of the fleet's devices table that admin routes need (the table is the fleet
 * engine's, migration 002): which of some device ids exist, live, in a tenant.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';

interface DevicesView {
  devices: { id: string; tenant_id: string; offboarded_at: string | null };
}

export async function existingDeviceIds(
  db: Kysely<Database>,
  tenantId: string,
  deviceIds: readonly string[],
): Promise<Set<string>> {
  const view = db as unknown as Kysely<DevicesView>;
  const found = new Set<string>();
  const unique = [...new Set(deviceIds)];
  for (let i = 0; i < unique.length; i += 500) {
    const rows = await view
      .selectFrom('devices')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('offboarded_at', 'is', null)
      .where('id', 'in', unique.slice(i, i + 500))
      .execute();
    for (const row of rows) found.add(row.id);
  }
  return found;
}
