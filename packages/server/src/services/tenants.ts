/**
 * Tenants: creation (with the Ed25519 key pair that signs its devices' configurations and the
 * default settings), settings as core's TenantSettings, and the first start of a server.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { defaultTenantSettings, type TenantSettings } from '@palisade/core';
import { generateEd25519KeyPair, TenantSettingsSchema } from '@palisade/protocol';
import type { Kysely } from 'kysely';
import { hashPassword } from '../auth/passwords.js';
import type { Database } from '../store/schema.js';
import { appendAudit, SYSTEM_ACTOR } from './audit.js';

/** A new tenant's settings: core's defaults (every platform in scope, management on). */
export function newTenantSettings(): Omit<TenantSettings, 'tenantId'> {
  const { tenantId: _tenantId, ...settings } = defaultTenantSettings('');
  return settings;
}

export interface NewTenant {
  readonly id: string;
  readonly name: string;
}

export async function createTenant(
  trx: Kysely<Database>,
  input: { readonly name: string; readonly now: Date; readonly id?: string },
): Promise<NewTenant> {
  const id = input.id ?? randomUUID();
  const keys = generateEd25519KeyPair();
  await trx
    .insertInto('tenants')
    .values({
      id,
      name: input.name,
      public_key: keys.publicKey,
      private_key: keys.privateKey,
      settings: JSON.stringify(newTenantSettings()),
      created_at: input.now.toISOString(),
    })
    .execute();
  await appendAudit(trx, {
    tenantId: id,
    actor: SYSTEM_ACTOR,
    action: 'tenant.create',
    objectType: 'tenant',
    objectId: id,
    after: { id, name: input.name },
    at: input.now,
  });
  return { id, name: input.name };
}

/** Reads a tenant's settings as core sees them. Settings saved by older versions get defaults. */
export async function readTenantSettings(
  db: Kysely<Database>,
  tenantId: string,
): Promise<TenantSettings | undefined> {
  const row = await db
    .selectFrom('tenants')
    .select('settings')
    .where('id', '=', tenantId)
    .executeTakeFirst();
  if (!row) return undefined;
  return { tenantId, ...parseTenantSettings(row.settings) };
}

export function parseTenantSettings(text: string): Omit<TenantSettings, 'tenantId'> {
  const stored = JSON.parse(text) as Record<string, unknown>;
  const defaults = newTenantSettings();
  const merged = {
    ...defaults,
    ...stored,
    enforcementScope: {
      ...defaults.enforcementScope,
      ...(stored.enforcementScope as Record<string, unknown> | undefined),
    },
  };
  return TenantSettingsSchema.parse(merged);
}

export async function createUserRecord(
  trx: Kysely<Database>,
  input: {
    readonly tenantId: string;
    readonly username: string;
    readonly displayName: string;
    readonly role: string;
    readonly password: string;
    readonly now: Date;
  },
): Promise<string> {
  const id = randomUUID();
  await trx
    .insertInto('users')
    .values({
      id,
      tenant_id: input.tenantId,
      username: input.username.toLowerCase(),
      display_name: input.displayName,
      role: input.role,
      password_hash: await hashPassword(input.password),
      created_at: input.now.toISOString(),
      updated_at: input.now.toISOString(),
    })
    .execute();
  return id;
}

export interface FirstStart {
  readonly tenantId: string;
  /** Set when this start created the admin user with a generated password: print it once. */
  readonly generatedAdminPassword: string | null;
  readonly created: boolean;
}

/**
 * On the first start (no tenant yet), creates the tenant and its `admin` user. The password is
 * the one given (PALISADE_ADMIN_PASSWORD) or a generated one, returned to be printed once.
 * Several processes starting together on one PostgreSQL: the unique key on the tenant id makes
 * the second one's insert fail; it then finds the tenant the first one created.
 */
export async function ensureFirstTenant(
  db: Kysely<Database>,
  input: { readonly adminPassword?: string; readonly tenantName?: string; readonly now: Date },
): Promise<FirstStart> {
  const existing = await db
    .selectFrom('tenants')
    .select('id')
    .orderBy('created_at')
    .executeTakeFirst();
  if (existing) return { tenantId: existing.id, generatedAdminPassword: null, created: false };
  const password = input.adminPassword ?? randomBytes(18).toString('base64url');
  try {
    return await db.transaction().execute(async (trx) => {
      const tenant = await createTenant(trx, {
        name: input.tenantName ?? 'Default',
        now: input.now,
        id: FIRST_TENANT_ID,
      });
      const userId = await createUserRecord(trx, {
        tenantId: tenant.id,
        username: 'admin',
        displayName: 'Administrator',
        role: 'administrator',
        password,
        now: input.now,
      });
      await appendAudit(trx, {
        tenantId: tenant.id,
        actor: SYSTEM_ACTOR,
        action: 'user.create',
        objectType: 'user',
        objectId: userId,
        after: { id: userId, username: 'admin', role: 'administrator' },
        at: input.now,
      });
      return {
        tenantId: tenant.id,
        generatedAdminPassword: input.adminPassword ? null : password,
        created: true,
      };
    });
  } catch (error) {
    const raced = await db
      .selectFrom('tenants')
      .select('id')
      .where('id', '=', FIRST_TENANT_ID)
      .executeTakeFirst();
    if (raced) return { tenantId: raced.id, generatedAdminPassword: null, created: false };
    throw error;
  }
}

/** The first tenant has a fixed id, so concurrent first starts agree on one. */
export const FIRST_TENANT_ID = '00000000-0000-4000-8000-000000000001';
