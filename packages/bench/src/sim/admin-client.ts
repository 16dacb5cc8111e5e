/**
 * The few admin API calls the benchmarks need (docs/API.md): sign in, create an onboarding token,
 * dynamic groups and policies, save a policy change, ask for a sync. Plain fetch, JSON in and out;
 * a non-2xx answer throws with the server's error code and message.
 */

export class AdminApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'AdminApiError';
  }
}

export interface CreatedId {
  readonly id: string;
}

export class AdminClient {
  private constructor(
    readonly baseUrl: string,
    private readonly sessionToken: string,
  ) {}

  static async signIn(baseUrl: string, username: string, password: string): Promise<AdminClient> {
    const answer = await call<{ token: string }>(baseUrl, 'POST', '/api/v1/auth/login', undefined, {
      username,
      password,
    });
    return new AdminClient(baseUrl, answer.token);
  }

  request<T>(method: string, path: string, body?: unknown): Promise<T> {
    return call<T>(this.baseUrl, method, path, this.sessionToken, body);
  }

  async createOnboardingToken(description: string): Promise<string> {
    const answer = await this.request<{ token: string }>('POST', '/api/v1/onboarding-tokens', {
      description,
      expiresInHours: 24,
    });
    return answer.token;
  }

  createDynamicGroup(name: string, rule: string): Promise<CreatedId> {
    return this.request<CreatedId>('POST', '/api/v1/groups', { kind: 'dynamic', name, rule });
  }

  /** Policies as code: applies the documents in one transaction (POST /api/v1/config/apply). */
  applyDocuments(documents: readonly Record<string, unknown>[]): Promise<unknown> {
    return this.request('POST', '/api/v1/config/apply', { documents });
  }

  createPolicy(policy: {
    name: string;
    platform: 'windows' | 'macos' | 'linux';
    profile: string;
    settings: Record<string, unknown>;
    include: readonly string[];
  }): Promise<CreatedId & { version: number }> {
    return this.request('POST', '/api/v1/policies', {
      name: policy.name,
      platform: policy.platform,
      profile: policy.profile,
      settings: policy.settings,
      assignments: { include: policy.include, exclude: [], filter: null },
    });
  }

  updatePolicySettings(
    id: string,
    settings: Record<string, unknown>,
  ): Promise<{ version: number }> {
    return this.request('PATCH', `/api/v1/policies/${id}`, { settings });
  }

  syncNow(
    scope: 'device' | 'group' | 'tenant',
    id?: string,
  ): Promise<{ syncRequestId: string; deviceCount: number }> {
    return this.request('POST', '/api/v1/sync', id === undefined ? { scope } : { scope, id });
  }
}

async function call<T>(
  baseUrl: string,
  method: string,
  path: string,
  sessionToken: string | undefined,
  body: unknown,
): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (sessionToken) headers.authorization = `Bearer ${sessionToken}`;
  const answer = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await answer.text();
  let parsed: unknown = null;
  try {
    parsed = text === '' ? null : JSON.parse(text);
  } catch {
    parsed = text;
  }
  if (!answer.ok) {
    const error = (parsed as { error?: { code?: string; message?: string } } | null)?.error;
    throw new AdminApiError(
      answer.status,
      `${method} ${path}: ${answer.status} ${error?.code ?? ''} ${error?.message ?? text.slice(0, 300)}`,
    );
  }
  return parsed as T;
}

/** Lists `{items}` of an admin collection (first 500). */
export async function listNames(admin: AdminClient, path: string): Promise<Map<string, string>> {
  const answer = await admin.request<{ items: { id: string; name: string }[] }>(
    'GET',
    `${path}?limit=500`,
  );
  return new Map(answer.items.map((item) => [item.name, item.id]));
}
