/**
 * createApp: the HTTP application. One pipeline for every request: request log → body limit →
 * authentication (admin routes) → the route's access check → schema validation → handler; one
 * error handler at the end turns every failure into the catalog's JSON error.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { requestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import { authenticate } from './auth/sessions.js';
import type { AppContext } from './context.js';
import { ApiError, errorResponse, validationFailed } from './errors.js';
import { registerAssetRuleRoutes } from './http/asset-rules.js';
import { registerAuditRoutes } from './http/audit.js';
import { registerAuthRoutes } from './http/auth.js';
import { registerConfigRoutes } from './http/config/routes.js';
import { registerDocsRoutes } from './http/docs.js';
import { registerFleetRoutes } from './http/fleet-routes.js';
import { registerGroupRoutes } from './http/groups.js';
import { registerHealthRoutes } from './http/health.js';
import { registerOnboardingRoutes } from './http/onboarding.js';
import { registerPolicyRoutes } from './http/policies.js';
import { registerPortal } from './http/portal.js';
import { registerReferenceRoutes } from './http/reference.js';
import type { PalisadeApp, PalisadeEnv, RegisterRoutes } from './http/route.js';
import { registerSettingsRoutes } from './http/settings.js';
import { registerUserRoutes } from './http/users.js';

/** Admin bodies above this size are refused with 413. */
export const MAX_BODY_BYTES = 1024 * 1024;
/** Agent reports carry up to 5,000 per-setting results: they get more room. */
export const MAX_REPORT_BODY_BYTES = 4 * 1024 * 1024;

/** The admin resources, in the order they appear in the API reference. */
const ADMIN_ROUTES: readonly RegisterRoutes[] = [
  registerHealthRoutes,
  registerAuthRoutes,
  registerUserRoutes,
  registerOnboardingRoutes,
  registerSettingsRoutes,
  registerAuditRoutes,
  registerGroupRoutes,
  registerPolicyRoutes,
  registerAssetRuleRoutes,
  registerReferenceRoutes,
  registerConfigRoutes,
];

const TARGET_PREFIX: Readonly<Record<string, string>> = {
  json: 'body',
  query: 'query',
  param: 'path',
  header: 'header',
  cookie: 'cookie',
  form: 'body',
};

export function createApp(context: AppContext): PalisadeApp {
  const app: PalisadeApp = new OpenAPIHono<PalisadeEnv>({
    // Validation failures become one 400 that names every wrong field.
    defaultHook: (result) => {
      if (result.success) return;
      throw validationFailed(TARGET_PREFIX[result.target] ?? result.target, result.error.issues);
    },
  });

  app.use('*', requestId());
  app.use('*', requestLog(context));
  // nosniff, frame denial, referrer policy and the like on every answer (portal and API alike).
  app.use('*', secureHeaders());
  const tooLarge = () => {
    throw new ApiError('payload_too_large');
  };
  const reportLimit = bodyLimit({ maxSize: MAX_REPORT_BODY_BYTES, onError: tooLarge });
  const otherLimit = bodyLimit({ maxSize: MAX_BODY_BYTES, onError: tooLarge });
  app.use('*', async (c, next) => {
    // GET and HEAD carry no body (a Web Request cannot have one): nothing to limit.
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const report = c.req.path === '/agent/v1/report';
    const declared = declaredBodyBytes(
      c.req.header('content-length'),
      c.req.header('transfer-encoding'),
    );
    // A declared length is checked from the header alone: Hono's bodyLimit reads `raw.body`,
    // which makes @hono/node-server build a Web Request and stream, on every request (the
    // agent's check-in included) and loses its direct read of the body. Without a declared
    // length (chunked), bodyLimit counts the bytes as they arrive.
    if (declared === null) return (report ? reportLimit : otherLimit)(c, next);
    if (declared > (report ? MAX_REPORT_BODY_BYTES : MAX_BODY_BYTES)) return tooLarge();
    return next();
  });
  app.use('/api/v1/*', authenticate(context));

  for (const register of ADMIN_ROUTES) register(app, context);
  registerFleetRoutes(app, context);
  registerDocsRoutes(app, context);
  // Last: the portal answers every other GET with its index.html.
  registerPortal(app, context);

  app.notFound((c) =>
    c.json(new ApiError('not_found', `No route ${c.req.method} ${c.req.path}.`).toBody(), 404),
  );
  app.onError((error, c) => errorResponse(error, c, context.logger));
  return app;
}

/** The body length a request declares (Content-Length without Transfer-Encoding), or null. */
function declaredBodyBytes(
  contentLength: string | undefined,
  transferEncoding: string | undefined,
): number | null {
  if (contentLength === undefined || transferEncoding !== undefined) return null;
  return Number.parseInt(contentLength, 10) || 0;
}

/** One info line per request: method, path, status, duration, and who asked. */
function requestLog(context: AppContext): MiddlewareHandler<PalisadeEnv> {
  return async (c, next) => {
    const started = performance.now();
    await next();
    const actor = c.get('actor');
    context.logger.info(
      {
        requestId: c.get('requestId'),
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: Math.round((performance.now() - started) * 10) / 10,
        ...(actor ? { user: actor.username, tenant: actor.tenantId } : {}),
      },
      'request',
    );
  };
}
