/** A few calls of the hub's REST API (console/routes) for the simulators, over fetch on loopback. */
export interface HubApi {
  readonly httpUrl: string;
  /** Calls the API with the admin (or given) token; throws on an unexpected status. */
  call<T = unknown>(method: string, path: string, body?: unknown, expect?: number[]): Promise<T>;
}

/** `POST /api/auth/login`: the bearer token of a console user. */
export async function login(httpUrl: string, username: string, password: string): Promise<string> {
  const res = await fetch(`${httpUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (!res.ok) throw new Error(`login ${username}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

export function hubApi(httpUrl: string, token: string): HubApi {
  return {
    httpUrl,
    async call<T>(method: string, path: string, body?: unknown, expect = [200, 201, 204]): Promise<T> {
      const headers: Record<string, string> = { authorization: `Bearer ${token}` };
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(`${httpUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (!expect.includes(res.status)) throw new Error(`${method} ${path}: ${res.status} ${text}`);
      return (text ? JSON.parse(text) : null) as T;
    },
  };
}
