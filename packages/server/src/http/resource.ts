/**
 * The shape shared by the admin API's named, tenant-owned resources (groups, policies, asset
 * rules): a collection path with list and create, and `{id}` below it with get, change and
 * delete. Readers read; security-settings managers change. Each resource keeps its own schemas,
 * summaries and handlers; only the five route declarations, the "name already used" error and
 * the audit entry of a change are written once here.
 */
import { IdParamsSchema, OkResponseSchema } from '@palisade/protocol';
import type { Kysely } from 'kysely';
import type { ZodObject, ZodType } from 'zod';
import type { UserActor } from '../authz/roles.js';
import { ApiError } from '../errors.js';
import { appendAudit, auditActorOf } from '../services/audit.js';
import type { Database } from '../store/schema.js';
import { jsonBody, jsonResponse, route } from './route.js';

/** What the OpenAPI document says of one route: its summary and its success answer. */
interface RouteText {
  readonly summary: string;
  readonly answer: string;
}

export interface ResourceRoutesSpec<
  P extends string,
  Q extends ZodObject,
  L extends ZodType,
  I extends ZodType,
  C extends ZodType,
  U extends ZodType,
> {
  /** The collection path, e.g. `/api/v1/groups`; one item is `<path>/{id}`. */
  readonly path: P;
  readonly tags: string[];
  readonly schemas: {
    readonly listQuery: Q;
    readonly list: L;
    readonly item: I;
    readonly create: C;
    readonly update: U;
  };
  readonly text: {
    readonly list: RouteText;
    readonly create: RouteText;
    readonly get: RouteText;
    readonly update: RouteText;
    readonly remove: RouteText;
  };
}

/** The list, create, get, update and delete routes of one resource. */
export function resourceRoutes<
  const P extends string,
  Q extends ZodObject,
  L extends ZodType,
  I extends ZodType,
  C extends ZodType,
  U extends ZodType,
>(spec: ResourceRoutesSpec<P, Q, L, I, C, U>) {
  const { path, tags, schemas, text } = spec;
  const itemPath = `${path}/{id}` as `${P}/{id}`;
  const params = IdParamsSchema;
  return {
    list: route('reader', {
      method: 'get',
      path,
      tags,
      summary: text.list.summary,
      request: { query: schemas.listQuery },
      responses: { 200: jsonResponse(schemas.list, text.list.answer) },
    }),
    create: route('security-manager', {
      method: 'post',
      path,
      tags,
      summary: text.create.summary,
      request: { body: jsonBody(schemas.create) },
      responses: { 201: jsonResponse(schemas.item, text.create.answer) },
    }),
    get: route('reader', {
      method: 'get',
      path: itemPath,
      tags,
      summary: text.get.summary,
      request: { params },
      responses: { 200: jsonResponse(schemas.item, text.get.answer) },
    }),
    update: route('security-manager', {
      method: 'patch',
      path: itemPath,
      tags,
      summary: text.update.summary,
      request: { params, body: jsonBody(schemas.update) },
      responses: { 200: jsonResponse(schemas.item, text.update.answer) },
    }),
    remove: route('security-manager', {
      method: 'delete',
      path: itemPath,
      tags,
      summary: text.remove.summary,
      request: { params },
      responses: { 200: jsonResponse(OkResponseSchema, text.remove.answer) },
    }),
  };
}

/** The 409 for a name another object of the same kind in the tenant already has. */
export function nameTakenError(noun: string, name: string): ApiError {
  return new ApiError('name_taken', `body.name: ${noun} named "${name}" already exists.`, [
    { path: 'body.name', message: 'already taken' },
  ]);
}

/** Writes audit entries for changes a signed-in user makes to one kind of object. */
export type AuditObjectChange = (
  trx: Kysely<Database>,
  actor: UserActor,
  action: string,
  id: string,
  before: unknown,
  after: unknown,
  now: Date,
) => Promise<void>;

/** The audit writer for one object type (`group`, `policy`, `asset-rule`). */
export function auditObjectChange(objectType: string): AuditObjectChange {
  return async (trx, actor, action, id, before, after, now) => {
    await appendAudit(trx, {
      tenantId: actor.tenantId,
      actor: auditActorOf(actor),
      action,
      objectType,
      objectId: id,
      before,
      after,
      at: now,
    });
  };
}
