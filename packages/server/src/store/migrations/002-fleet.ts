import type { Kysely, Migration } from 'kysely';
import type { StoreDialect } from '../store.js';

/**
 * The fleet: devices, their tags, group membership, signed configurations, reports, per-setting
 * status, sync requests and check-in history. Every query is tenant-scoped, so every secondary
 * index leads with tenant_id; the listing indexes end with the sort key so a page of 100,000
 * devices is an index range scan.
 */
export function migration(_dialect: StoreDialect): Migration {
  return {
    up: createFleetTables,
    async down() {
      throw new Error('migrations are forward-only');
    },
  };
}

async function createFleetTables(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('devices')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('machine_id', 'text', (c) => c.notNull())
    .addColumn('hostname', 'text', (c) => c.notNull())
    .addColumn('hostname_lower', 'text', (c) => c.notNull())
    .addColumn('platform', 'text', (c) => c.notNull())
    .addColumn('facts', 'text', (c) => c.notNull())
    .addColumn('credential_hash', 'text', (c) => c.notNull())
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('onboarding_token_id', 'text')
    .addColumn('enrollment_code', 'integer', (c) => c.notNull())
    .addColumn('enrollment_name', 'text', (c) => c.notNull())
    .addColumn('managed_by', 'text', (c) => c.notNull())
    .addColumn('identity', 'text', (c) => c.notNull())
    .addColumn('directory_device_id', 'text', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('config_hash', 'text', (c) => c.notNull())
    .addColumn('report_status', 'text')
    .addColumn('enrolled_at', 'text', (c) => c.notNull())
    .addColumn('last_check_in_at', 'text', (c) => c.notNull())
    .addColumn('last_report_at', 'text')
    .addColumn('offboarded_at', 'text')
    .addUniqueConstraint('devices_tenant_machine', ['tenant_id', 'machine_id'])
    .execute();
  const deviceIndexes: [string, string[]][] = [
    ['devices_by_hostname', ['tenant_id', 'hostname_lower', 'id']],
    ['devices_by_platform', ['tenant_id', 'platform', 'hostname_lower']],
    ['devices_by_enrollment', ['tenant_id', 'enrollment_code', 'platform']],
    ['devices_by_managed_by', ['tenant_id', 'managed_by', 'hostname_lower']],
    ['devices_by_last_check_in', ['tenant_id', 'last_check_in_at']],
    ['devices_by_report_status', ['tenant_id', 'report_status']],
  ];
  for (const [name, columns] of deviceIndexes) {
    await db.schema.createIndex(name).on('devices').columns(columns).execute();
  }

  await db.schema
    .createTable('device_tags')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id').onDelete('cascade'))
    .addColumn('tag', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('rule_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('device_tags_pk', ['device_id', 'tag', 'source', 'rule_id'])
    .execute();
  await db.schema
    .createIndex('device_tags_by_tag')
    .on('device_tags')
    .columns(['tenant_id', 'tag', 'device_id'])
    .execute();

  await db.schema
    .createTable('group_memberships')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('group_id', 'text', (c) => c.notNull())
    .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('group_memberships_pk', ['group_id', 'device_id'])
    .execute();
  await db.schema
    .createIndex('group_memberships_by_device')
    .on('group_memberships')
    .columns(['device_id', 'group_id'])
    .execute();

  await db.schema
    .createTable('effective_configurations')
    .addColumn('device_id', 'text', (c) =>
      c.primaryKey().references('devices.id').onDelete('cascade'),
    )
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('signature', 'text', (c) => c.notNull())
    .addColumn('issued_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('reports')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id').onDelete('cascade'))
    .addColumn('report_id', 'text', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('sync_request_id', 'text')
    .addColumn('results', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('reports_pk', ['device_id', 'report_id'])
    .execute();
  await db.schema
    .createIndex('reports_by_device_time')
    .on('reports')
    .columns(['device_id', 'received_at'])
    .execute();

  await db.schema
    .createTable('setting_statuses')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id').onDelete('cascade'))
    .addColumn('policy_id', 'text', (c) => c.notNull())
    .addColumn('setting_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('setting_statuses_pk', ['device_id', 'policy_id', 'setting_id'])
    .execute();
  await db.schema
    .createIndex('setting_statuses_by_policy')
    .on('setting_statuses')
    .columns(['tenant_id', 'policy_id', 'setting_id', 'status'])
    .execute();
  await db.schema
    .createIndex('setting_statuses_by_setting')
    .on('setting_statuses')
    .columns(['tenant_id', 'setting_id', 'status'])
    .execute();

  await db.schema
    .createTable('sync_requests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text')
    .addColumn('requested_by', 'text')
    .addColumn('device_count', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('sync_request_devices')
    .addColumn('sync_request_id', 'text', (c) =>
      c.notNull().references('sync_requests.id').onDelete('cascade'),
    )
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id').onDelete('cascade'))
    .addColumn('reported_at', 'text')
    .addPrimaryKeyConstraint('sync_request_devices_pk', ['sync_request_id', 'device_id'])
    .execute();

  await db.schema
    .createTable('check_ins')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id').onDelete('cascade'))
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('held_revision', 'integer')
    .addColumn('sent_revision', 'integer')
    .addColumn('facts_changed', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('check_ins_by_device_time')
    .on('check_ins')
    .columns(['device_id', 'at'])
    .execute();
}
