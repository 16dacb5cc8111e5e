/** A small fetch client for tests: JSON in, status and JSON out, optional session token. */
import { TEST_ADMIN_PASSWORD } from './stores.js';

export interface ApiAnswer<T = unknown> {
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
}

export interface ApiClient {
  readonly token: string | undefined;
  request<T = unknown>(method: string, path: string, body?: unknown): Promise<ApiAnswer<T>>;
  get<T = unknown>(path: string): Promise<ApiAnswer<T>>;
  post<T = unknown>(path: string, body?: unknown): Promise<ApiAnswer<T>>;
  patch<T = unknown>(path: string, body?: unknown): Promise<ApiAnswer<T>>;
  put<T = unknown>(path: string, body?: unknown): Promise<ApiAnswer<T>>;
  delete<T = unknown>(path: string): Promise<ApiAnswer<T>>;
}

export function apiClient(baseUrl: string, token?: string): ApiClient {
  const request = async <T>(method: string, path: string, body?: unknown) => {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      ...(body !== undefined
        ? { body: typeof body === 'string' ? body : JSON.stringify(body) }
        : {}),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, body: parsed as T, headers: response.headers };
  };
  return {
    token,
    request,
    get: (path) => request('GET', path),
    post: (path, body) => request('POST', path, body ?? {}),
    patch: (path, body) => request('PATCH', path, body ?? {}),
    put: (path, body) => request('PUT', path, body ?? {}),
    delete: (path) => request('DELETE', path),
  };
}

/** Signs in and returns a client carrying the session token. */
export async function signIn(
  baseUrl: string,
  username = 'admin',
  password = TEST_ADMIN_PASSWORD,
): Promise<ApiClient> {
  const answer = await apiClient(baseUrl).post<{ token: string }>('/api/v1/auth/login', {
    username,
    password,
  });
  if (answer.status !== 200) {
    throw new Error(
      `sign-in as ${username} failed: ${answer.status} ${JSON.stringify(answer.body)}`,
    );
  }
  return apiClient(baseUrl, answer.body.token);
}

/**
 * A dynamic group and a Linux antivirus policy on it (realTimeProtection on), through the API;
 * throws unless both are created. Returns their ids.
 */
export async function linuxPolicyOnGroup(
  admin: ApiClient,
  names: { readonly group: string; readonly policy: string },
  rule: string,
): Promise<{ groupId: string; policyId: string }> {
  const group = await admin.post<{ id: string }>('/api/v1/groups', {
    kind: 'dynamic',
    name: names.group,
    rule,
  });
  if (group.status !== 201) throw new Error(`group: ${group.status} ${JSON.stringify(group.body)}`);
  const policy = await admin.post<{ id: string }>('/api/v1/policies', {
    name: names.policy,
    platform: 'linux',
    profile: 'antivirus',
    settings: { 'antivirus.realTimeProtection': true },
    assignments: { include: [group.body.id], exclude: [], filter: null },
  });
  if (policy.status !== 201) {
    throw new Error(`policy: ${policy.status} ${JSON.stringify(policy.body)}`);
  }
  return { groupId: group.body.id, policyId: policy.body.id };
}
