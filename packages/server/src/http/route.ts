/**
 * How a route is declared: `route(access, config)` builds a zod-openapi route whose schemas
 * validate the request and document it, with the access check as its first middleware. The
 * access level also lands in the OpenAPI document as `x-palisade-access`, so the route list in
 * `/api/openapi.json` is the one table that docs and the role test read.
 */
import { createRoute, type OpenAPIHono, type RouteConfig } from '@hono/zod-openapi';
import { ErrorResponseSchema } from '@palisade/protocol';
import type { Context, MiddlewareHandler } from 'hono';
import { type Access, roleAllows, type UserActor } from '../authz/roles.js';
import type { AppContext } from '../context.js';
import { ApiError } from '../errors.js';

export interface PalisadeVariables {
  /** Set by the authentication middleware when a valid session token was sent. */
  actor?: UserActor;
  /** Why a sent session token was not accepted (expired, ended, not a session token). */
  authProblem?: string;
  /** The request's id (X-Request-Id, given or generated): in its log line and error answers. */
  requestId: string;
}
export interface PalisadeEnv {
  Variables: PalisadeVariables;
}
export type PalisadeApp = OpenAPIHono<PalisadeEnv>;
/** Registers a resource's routes on the app (one function per http/<resource>.ts). */
export type RegisterRoutes = (app: PalisadeApp, context: AppContext) => void;

export const ACCESS_EXTENSION = 'x-palisade-access';

const errorContent = { 'application/json': { schema: ErrorResponseSchema } };
const errorResponses = {
  400: { description: 'The request is not valid', content: errorContent },
  401: { description: 'No valid session', content: errorContent },
  403: { description: 'The role does not allow this', content: errorContent },
  404: { description: 'Not found', content: errorContent },
  413: { description: 'The body is too large', content: errorContent },
} as const;

/** The access check every route runs before its handler. */
export function authorize(access: Access): MiddlewareHandler<PalisadeEnv> {
  return async (c, next) => {
    if (access === 'public' || access === 'device') return next();
    const actor = c.get('actor');
    if (!actor) throw new ApiError('unauthenticated', c.get('authProblem'));
    if (!roleAllows(actor.role, access)) {
      throw new ApiError('forbidden', `This needs the ${access} role; you are ${actor.role}.`);
    }
    return next();
  };
}

/** Declares a route: access level, then the zod-openapi route config. */
export function route<const R extends Omit<RouteConfig, 'middleware'>>(access: Access, config: R) {
  return createRoute({
    ...config,
    [ACCESS_EXTENSION]: access,
    ...(access === 'public' || access === 'device' ? {} : { security: [{ session: [] }] }),
    responses: { ...errorResponses, ...config.responses },
    middleware: [authorize(access)] as const,
  });
}

/** The signed-in user of a request whose route needs a role (always set after `authorize`). */
export function actorOf(c: Context<PalisadeEnv>): UserActor {
  const actor = c.get('actor');
  if (!actor) throw new ApiError('unauthenticated');
  return actor;
}

/** A JSON request body that must be present. */
export function jsonBody<S>(schema: S, description?: string) {
  return {
    required: true,
    ...(description ? { description } : {}),
    content: { 'application/json': { schema } },
  } as const;
}

/** A JSON response. */
export function jsonResponse<S>(schema: S, description: string) {
  return { description, content: { 'application/json': { schema } } } as const;
}
