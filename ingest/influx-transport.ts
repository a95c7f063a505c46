/**
 * One HTTP write of line protocol to InfluxDB through the client library's transport (its retry buffer
 * is not used: it keeps lines in memory only, gives up after 180 s and reads Retry-After as ms). The
 * endpoint is /api/v2/write where the server has it (1.8+, 2.x, 3.x) and /write on older 1.x, chosen by
 * configuration or from /ping's X-Influxdb-Version header.
 */
import { HttpError, InfluxDB, type Transport } from '@influxdata/influxdb-client';
import { retryAfterMs } from './backoff.ts';
import { PRECISION } from './influx-schema.ts';

export type WriteApiVersion = 'v1' | 'v2';

export type WriteFailure =
  /** Network error, timeout, 5xx, 429, or a setup problem (401/403/404…): keep the lines, try again. */
  | { kind: 'retry'; status: number | null; message: string; retryAfterMs: number | null }
  /** 413: the body is too large; split it. */
  | { kind: 'too_large'; status: number; message: string }
  /** 400/422: InfluxDB refused some line of the body (syntax, field type conflict, retention). */
  | { kind: 'rejected'; status: number; message: string };

export type WriteResult = { ok: true } | { ok: false; failure: WriteFailure };

/** One series of an InfluxQL answer (/query, epoch=ms). */
export interface InfluxSeries {
  name: string;
  tags?: Record<string, string>;
  columns: string[];
  values: unknown[][];
}

export interface InfluxTransportOptions {
  url: string;
  database: string;
  org?: string | undefined;
  /** 2.x/3.x token, or `user:password` for 1.x */
  token?: string | undefined;
  api: 'auto' | WriteApiVersion;
  timeoutMs: number;
  /** epoch ms, for HTTP-date Retry-After values */
  now: () => number;
}

/** The write API a server version supports: /api/v2/write from 1.8 on (and on 2.x, 3.x), else /write. */
export function apiForVersion(version: string | undefined): WriteApiVersion {
  const match = /^v?(\d+)\.(\d+)/.exec(version?.trim() ?? '');
  // No version header: not an old 1.x (they all send one), so a modern server.
  if (!match) return 'v2';
  const major = Number(match[1]);
  const minor = Number(match[2]);
  return major > 1 || (major === 1 && minor >= 8) ? 'v2' : 'v1';
}

/** InfluxDB's own words for a refused request: `{"error": …}` (1.x), `{"message": …}` (2.x), or the body. */
export function influxMessage(err: HttpError): string {
  const json = err.json as { error?: unknown; message?: unknown } | undefined;
  const fromJson = json?.error ?? json?.message;
  if (typeof fromJson === 'string' && fromJson) return fromJson;
  const header = err.headers?.['x-influxdb-error'];
  if (typeof header === 'string' && header) return header;
  if (err.body) return err.body.trim();
  return `${err.statusCode} ${err.statusMessage ?? ''}`.trim();
}

const header = (headers: Record<string, string | string[] | undefined> | undefined, name: string) => {
  const v = headers?.[name];
  return Array.isArray(v) ? v[0] : v;
};

export class InfluxTransport {
  readonly #opts: InfluxTransportOptions;
  readonly #transport: Transport;
  #api: WriteApiVersion | null;
  #serverVersion: string | null = null;

  constructor(opts: InfluxTransportOptions) {
    this.#opts = opts;
    // No token here: the library would always send `Token …`; #auth chooses the scheme per API.
    this.#transport = new InfluxDB({ url: opts.url, timeout: opts.timeoutMs }).transport;
    this.#api = opts.api === 'auto' ? null : opts.api;
  }

  /** The write API in use; null until detected. */
  get api(): WriteApiVersion | null {
    return this.#api;
  }

  get serverVersion(): string | null {
    return this.#serverVersion;
  }

  /**
   * 1.x before 1.8 knows no `Token` scheme: `user:password` goes as Basic auth on /write and /query
   * (the v1 APIs, which 2.x's compatibility layer also accepts Basic on).
   */
  #auth(api: WriteApiVersion): Record<string, string> {
    const token = this.#opts.token;
    if (!token) return {};
    if (api === 'v1' && token.includes(':'))
      return { authorization: `Basic ${Buffer.from(token).toString('base64')}` };
    return { authorization: `Token ${token}` };
  }

  #failure(err: unknown): WriteFailure {
    if (!(err instanceof HttpError)) {
      const message = err instanceof Error ? err.message || err.name : String(err);
      return { kind: 'retry', status: null, message, retryAfterMs: null };
    }
    const status = err.statusCode;
    const message = influxMessage(err);
    if (status === 413) return { kind: 'too_large', status, message };
    if (status === 400 || status === 422) return { kind: 'rejected', status, message };
    // 404 in auto mode: the server may have been replaced by one without this endpoint; ask again.
    if (status === 404 && this.#opts.api === 'auto') this.#api = null;
    const after = retryAfterMs(header(err.headers, 'retry-after'), this.#opts.now());
    return { kind: 'retry', status, message, retryAfterMs: after };
  }

  /** Asks /ping for the server's version. */
  async #detect(signal: AbortSignal): Promise<WriteFailure | null> {
    let version: string | undefined;
    let answered = false;
    try {
      await this.#transport.request('/ping', '', { method: 'GET', signal }, (headers) => {
        answered = true;
        version = header(headers, 'x-influxdb-version');
      });
    } catch (err) {
      // A /ping that needs authentication (3.x) still names its version; anything else is a failure.
      if (!answered) return this.#failure(err);
    }
    this.#serverVersion = version ?? null;
    const api = apiForVersion(version);
    if (api === 'v2' && /^v?2\./.test(version ?? '') && !this.#opts.org) {
      return {
        kind: 'retry',
        status: null,
        message: `InfluxDB ${version} needs an organisation: set influxOrg (HUB_INFLUX_ORG)`,
        retryAfterMs: null,
      };
    }
    this.#api = api;
    return null;
  }

  #path(api: WriteApiVersion): string {
    const { database, org } = this.#opts;
    const db = encodeURIComponent(database);
    if (api === 'v1') return `/write?db=${db}&precision=${PRECISION}`;
    const orgParam = org ? `org=${encodeURIComponent(org)}&` : '';
    return `/api/v2/write?${orgParam}bucket=${db}&precision=${PRECISION}`;
  }

  /**
   * Runs one InfluxQL statement on /query (1.x, 2.x through its v1 compatibility API, 3.x), times in
   * epoch ms; throws on any failure, with InfluxDB's message.
   */
  async query(q: string, signal?: AbortSignal): Promise<InfluxSeries[]> {
    const params = new URLSearchParams({ db: this.#opts.database, epoch: 'ms', q });
    let answer: { results?: Array<{ series?: InfluxSeries[]; error?: string }>; error?: string };
    try {
      answer = await this.#transport.request(`/query?${params}`, '', {
        method: 'GET',
        headers: { accept: 'application/json', ...this.#auth('v1') },
        ...(signal ? { signal } : {}),
      });
    } catch (err) {
      throw new Error(
        `InfluxDB query failed: ${err instanceof HttpError ? influxMessage(err) : String(err)}`,
      );
    }
    const result = answer?.results?.[0];
    const error = answer?.error ?? result?.error;
    if (error) throw new Error(`InfluxDB query failed: ${error}`);
    return result?.series ?? [];
  }

  /** Writes `body` (lines joined by \n) in one request. Never throws. */
  async write(body: string, signal: AbortSignal): Promise<WriteResult> {
    if (this.#api === null) {
      const failure = await this.#detect(signal);
      if (failure) return { ok: false, failure };
    }
    const api = this.#api ?? 'v2';
    try {
      await this.#transport.request(this.#path(api), body, {
        method: 'POST',
        headers: { 'content-type': 'text/plain; charset=utf-8', ...this.#auth(api) },
        signal,
      });
      return { ok: true };
    } catch (err) {
      return { ok: false, failure: this.#failure(err) };
    }
  }
}
