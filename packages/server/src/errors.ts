/**
 * The one error type of the server and its catalog of codes. Handlers throw `new ApiError(code)`;
 * the single onError handler (app.ts) turns it into
 * `{ "error": { "code", "message", "fields"? } }` with the code's HTTP status. Anything that is not
 * an ApiError is logged and answered with a generic 500 that leaks no internals.
 */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from 'pino';

/** Each code: HTTP status and the default message (a sentence for an administrator). */
export const ERROR_CODES = {
  validation_failed: { status: 400, message: 'The request is not valid.' },
  malformed_json: { status: 400, message: 'The request body is not valid JSON.' },
  invalid_rule: { status: 400, message: 'The rule is not valid.' },
  invalid_settings: { status: 400, message: 'The policy settings are not valid.' },
  profile_refused: {
    status: 400,
    message: 'This profile cannot be delivered through security settings management.',
  },
  unauthenticated: { status: 401, message: 'Sign in first: no valid session token was sent.' },
  invalid_credentials: { status: 401, message: 'The username or password is wrong.' },
  device_unauthenticated: { status: 401, message: 'The device credential is not valid.' },
  token_invalid: { status: 401, message: 'The onboarding token is not valid.' },
  token_expired: { status: 403, message: 'The onboarding token has expired.' },
  token_revoked: { status: 403, message: 'The onboarding token has been revoked.' },
  forbidden: { status: 403, message: 'Your role does not allow this.' },
  not_found: { status: 404, message: 'Not found.' },
  name_taken: { status: 409, message: 'That name is already used.' },
  conflict: { status: 409, message: 'The change conflicts with the current state.' },
  group_in_use: {
    status: 409,
    message: 'The group is assigned to policies; remove those assignments first.',
  },
  last_administrator: {
    status: 409,
    message: 'The tenant must keep at least one administrator.',
  },
  payload_too_large: { status: 413, message: 'The request body is too large.' },
  too_many_attempts: {
    status: 429,
    message: 'Too many failed sign-ins for this user; wait and try again.',
  },
  unsupported_media_type: { status: 415, message: 'Send the body as application/json.' },
  service_unavailable: { status: 503, message: 'The service is not available right now.' },
  internal: { status: 500, message: 'Something went wrong on the server; it has been logged.' },
} as const satisfies Record<string, { status: ContentfulStatusCode; message: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** A problem with one field of the request: `path` is e.g. `body.settings.antivirus.x`. */
export interface FieldProblem {
  readonly path: string;
  readonly message: string;
  /** For rule errors: 1-based position in the rule text. */
  readonly line?: number;
  readonly column?: number;
}

export interface ErrorBody {
  readonly error: {
    readonly code: ErrorCode;
    readonly message: string;
    readonly fields?: readonly FieldProblem[];
  };
}

export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status: ContentfulStatusCode;
  readonly fields: readonly FieldProblem[] | undefined;

  constructor(code: ErrorCode, message?: string, fields?: readonly FieldProblem[]) {
    super(message ?? ERROR_CODES[code].message);
    this.name = 'ApiError';
    this.code = code;
    this.status = ERROR_CODES[code].status;
    this.fields = fields;
  }

  toBody(): ErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.fields && this.fields.length > 0 ? { fields: this.fields } : {}),
      },
    };
  }
}

/**
 * The 400 of a schema failure: every wrong field, each path under `prefix` (`body`, `query`…),
 * the first one in the message.
 */
export function validationFailed(
  prefix: string,
  issues: readonly { readonly path: readonly PropertyKey[]; readonly message: string }[],
): ApiError {
  const fields: FieldProblem[] = issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
  const first = fields[0];
  const message = first ? `${first.path}: ${first.message}` : 'The request is not valid.';
  return new ApiError('validation_failed', message, fields);
}

/** Shortcut for the most common case: one field is wrong. */
export function invalidField(path: string, message: string): ApiError {
  return new ApiError('validation_failed', `${path}: ${message}`, [{ path, message }]);
}

/** The one place that maps an error to a response. */
export function errorResponse(error: unknown, c: Context, logger: Logger): Response {
  const apiError = toApiError(error);
  if (apiError) {
    // The refused body was not read: the connection cannot carry another request, so say so
    // (clients that reuse it would otherwise fail their next request).
    if (apiError.code === 'payload_too_large') c.header('connection', 'close');
    return c.json(apiError.toBody(), apiError.status);
  }
  const requestId = (c.get('requestId') as string | undefined) ?? null;
  logger.error(
    { err: error, requestId, method: c.req.method, path: c.req.path },
    'unexpected error',
  );
  const message = requestId
    ? `${ERROR_CODES.internal.message} Reference: request ${requestId}.`
    : undefined;
  return c.json(new ApiError('internal', message).toBody(), 500);
}

function toApiError(error: unknown): ApiError | undefined {
  if (error instanceof ApiError) return error;
  if (error instanceof HTTPException) {
    // Hono raises these for a malformed JSON body and from the body-limit middleware.
    if (error.status === 413) return new ApiError('payload_too_large');
    if (error.status === 400 && /json/i.test(error.message)) return new ApiError('malformed_json');
    if (error.status === 401) return new ApiError('unauthenticated');
    if (error.status === 404) return new ApiError('not_found');
    if (error.status === 415) return new ApiError('unsupported_media_type');
    if (error.status === 400) return new ApiError('validation_failed', error.message);
  }
  return undefined;
}
