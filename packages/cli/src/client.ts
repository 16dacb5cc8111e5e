/**
 * The CLI's only way to the server: its REST API (`/api/v1/…`, docs/API.md), with the session
 * token as a bearer token. An error answer becomes an ApiRequestError that keeps the server's
 * code, message and per-field problems, so commands can print them (and plan/apply can point
 * `documents.N.path` problems back at a file and line).
 */
import type { ErrorResponse } from '@palisade/protocol';
import { type Connection, resolveConnection } from './config.js';

export interface FieldProblem {
  readonly path: string;
  readonly message: string;
  readonly line?: number;
  readonly column?: number;
}

export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: readonly FieldProblem[] = [],
  ) {
    super(message);
    this.name = 'ApiRequestError';
  }
}

type Query = Readonly<Record<string, string | number | boolean | undefined>>;

export class PalisadeClient {
  constructor(
    readonly server: string,
    private readonly token: string | null,
  ) {}

  static from(connection: Connection): PalisadeClient {
    return new PalisadeClient(connection.server, connection.token);
  }

  get<T>(path: string, query?: Query): Promise<T> {
    return this.request<T>('GET', path, undefined, query);
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, body ?? {});
  }

  patch<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PATCH', path, body);
  }

  delete<T>(path: string): Promise<T> {
    return this.request<T>('DELETE', path);
  }

  /** Every item of a paged list (`{ items, total }`), page by page. */
  async all<T>(path: string, query: Query = {}): Promise<T[]> {
    const items: T[] = [];
    for (let offset = 0; ; ) {
      const page = await this.get<{ items: T[]; total: number }>(path, {
        ...query,
        limit: 500,
        offset,
      });
      items.push(...page.items);
      offset += page.items.length;
      if (page.items.length === 0 || offset >= page.total) return items;
    }
  }

  async request<T>(method: string, path: string, body?: unknown, query?: Query): Promise<T> {
    const url = new URL(`${this.server}${path}`);
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (error) {
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
      const reason = cause instanceof Error ? cause.message : String(cause);
      throw new ApiRequestError(0, 'unreachable', `cannot reach ${this.server}: ${reason}`);
    }
    const text = await response.text();
    let parsed: unknown = null;
    if (text !== '') {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = null;
      }
    }
    if (response.ok) return parsed as T;
    const error = (parsed as Partial<ErrorResponse> | null)?.error;
    if (error && typeof error.message === 'string') {
      throw new ApiRequestError(
        response.status,
        error.code,
        error.code === 'unauthenticated'
          ? `${error.message} (run palisade login, or set PALISADE_TOKEN)`
          : error.message,
        error.fields ?? [],
      );
    }
    throw new ApiRequestError(
      response.status,
      'http_error',
      `${method} ${path} answered ${response.status} ${response.statusText}`,
    );
  }
}

/** A client for the server and token the environment or the saved session give. */
export async function connect(): Promise<PalisadeClient> {
  return PalisadeClient.from(await resolveConnection());
}

/**
 * Finds an object of a listing by id or by exact name (objects are named in documents and on
 * the command line; the API wants ids). `what` names the kind in the error.
 */
export async function findByName<T extends { id: string; name: string }>(
  client: PalisadeClient,
  listPath: string,
  nameOrId: string,
  what: string,
): Promise<T> {
  const found = (await client.all<T>(listPath, { search: nameOrId })).find(
    (item) => item.name === nameOrId || item.id === nameOrId,
  );
  if (found) return found;
  const byId = (await client.all<T>(listPath)).find((item) => item.id === nameOrId);
  if (byId) return byId;
  throw new ApiRequestError(404, 'not_found', `no ${what} named ${nameOrId}`);
}
