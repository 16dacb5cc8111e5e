/**
 * The portal's only way to the server: `fetch` against the REST API with the session token
 * (`Authorization: Bearer …`). Errors come back as {@link ApiError} carrying the server's own
 * message and field errors, so pages show what the server said instead of a generic failure.
 */
import { clearSession, readSession } from './session.js';

/** One field error of a 400 answer; `path` is like `body.name` or `body.settings.exclusions.paths`. */
export interface FieldError {
  readonly path: string;
  readonly message: string;
  /** Rule errors: where in the rule text (1-based), and the span when the server sends it. */
  readonly line?: number;
  readonly column?: number;
  readonly offset?: number;
  readonly length?: number;
}

/** The server's error envelope: `{ "error": { code, message, fields? } }`. */
interface ErrorEnvelope {
  readonly error?: {
    readonly code?: string;
    readonly message?: string;
    readonly fields?: readonly FieldError[];
  };
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly fields: readonly FieldError[];

  constructor(status: number, code: string, message: string, fields: readonly FieldError[] = []) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.fields = fields;
  }

  /** Field errors keyed by the path without its `body.` prefix, as forms name their fields. */
  fieldMap(): Record<string, string> {
    const map: Record<string, string> = {};
    for (const field of this.fields) {
      map[field.path.replace(/^body\./, '')] = field.message;
    }
    return map;
  }
}

export const API_PREFIX = '/api/v1';

/** Called when the server says the session is gone (401): the app goes back to sign-in. */
let onUnauthorized: () => void = () => {};
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

export type QueryValue = string | number | boolean | null | undefined | readonly string[];

/** Builds `?a=1&b=x` from defined values; arrays repeat the key. */
export function queryString(query: Readonly<Record<string, QueryValue>> | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    if (Array.isArray(value)) {
      for (const item of value) params.append(key, item);
    } else {
      params.set(key, String(value));
    }
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

export interface RequestOptions {
  readonly method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly body?: unknown;
  readonly query?: Readonly<Record<string, QueryValue>>;
  readonly signal?: AbortSignal;
  /** Sign-in itself must not bounce to sign-in on 401. */
  readonly anonymous?: boolean;
}

async function errorFrom(response: Response): Promise<ApiError> {
  let envelope: ErrorEnvelope = {};
  try {
    envelope = (await response.json()) as ErrorEnvelope;
  } catch {
    // Not JSON (a proxy's HTML page): fall through to the status text.
  }
  const error = envelope.error ?? {};
  return new ApiError(
    response.status,
    error.code ?? `http_${response.status}`,
    error.message ?? `${response.status} ${response.statusText || 'request failed'}`,
    error.fields ?? [],
  );
}

/** Calls the REST API. `path` is relative to `/api/v1` (e.g. `/devices`). */
export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const session = readSession();
  if (session && !options.anonymous) headers.authorization = `Bearer ${session.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(`${API_PREFIX}${path}${queryString(options.query)}`, {
      method: options.method ?? 'GET',
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === 'AbortError') throw cause;
    throw new ApiError(0, 'network_error', 'The server could not be reached.');
  }
  if (response.status === 401 && !options.anonymous) {
    clearSession();
    onUnauthorized();
  }
  if (!response.ok) throw await errorFrom(response);
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** A readable sentence for any error a query or mutation threw. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}
