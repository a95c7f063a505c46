import type { TestHub } from './hub.ts';

export interface ApiAnswer {
  status: number;
  headers: Headers;
  /** the parsed JSON body, or null when the answer had none / was not JSON */
  body: unknown;
  text: string;
}

export interface ApiCall {
  token?: string;
  /** sent as JSON unless `contentType` says otherwise (then as the raw string) */
  body?: unknown;
  contentType?: string;
  headers?: Record<string, string>;
}

/** A small fetch wrapper for the console's REST API over the real HTTP port. */
export function apiClient(httpUrl: string) {
  return async function api(method: string, path: string, call: ApiCall = {}): Promise<ApiAnswer> {
    const headers: Record<string, string> = { ...call.headers };
    if (call.token) headers.authorization = `Bearer ${call.token}`;
    let body: string | undefined;
    if (call.body !== undefined) {
      headers['content-type'] = call.contentType ?? 'application/json';
      body = call.contentType && typeof call.body === 'string' ? call.body : JSON.stringify(call.body);
    }
    const res = await fetch(`${httpUrl}${path}`, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = null;
    if ((res.headers.get('content-type') ?? '').includes('json') && text) parsed = JSON.parse(text);
    return { status: res.status, headers: res.headers, body: parsed, text };
  };
}

export type Api = ReturnType<typeof apiClient>;

/** The `error.code` of an error answer. */
export const errorCode = (a: ApiAnswer) => (a.body as { error?: { code?: string } } | null)?.error?.code;

/** Creates a console user through the API (as admin) and logs them in; returns their token. */
export async function userWithToken(
  t: TestHub,
  api: Api,
  adminToken: string,
  user: { username: string; role: string; households?: string[] },
): Promise<string> {
  const password = `${user.username}-password`;
  const created = await api('POST', '/api/users', { token: adminToken, body: { ...user, password } });
  if (created.status !== 201)
    throw new Error(`create user ${user.username}: ${created.status} ${created.text}`);
  return t.login(user.username, password);
}
