/**
 * The one place that talks to the network: undici with a per-request timeout, a response body
 * cap, a request counter, optional TLS trust settings, and errors turned into sentences a user
 * can act on. Redirects are *not* followed here; actors follow them by hand within the origin.
 */
import { brotliDecompressSync, constants as zlibConstants, gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';
import { Agent, request, type Dispatcher } from 'undici';

export interface HttpRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Every Set-Cookie line, in order. */
  setCookie: string[];
  body: string;
  /** True when the body was longer than the cap and the rest was discarded. */
  truncated: boolean;
  timeMs: number;
}

export interface HttpClientOptions {
  timeoutMs: number;
  /** PEM text of extra CA certificates to trust. */
  ca?: string;
  insecure?: boolean;
  maxBodyBytes?: number;
  userAgent?: string;
}

export class HttpError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'HttpError';
    this.code = code;
  }
}

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_UNTRUSTED',
  'CERT_REVOKED',
]);

function errorCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 4 && e && typeof e === 'object'; depth += 1) {
    if ((e as { name?: unknown }).name === 'TimeoutError') return 'TIMEOUT_ERR';
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR_SOCKET') return code;
    e = (e as { cause?: unknown }).cause;
  }
  const top = (err as { code?: unknown } | undefined)?.code;
  return typeof top === 'string' ? top : undefined;
}

/** A sentence a user can act on, naming the flag that helps. */
export function describeNetworkError(err: unknown, url: URL, timeoutMs: number): HttpError {
  const code = errorCode(err) ?? 'E_NETWORK';
  const where = `${url.origin}`;
  if (code === 'ECONNREFUSED') return new HttpError(code, `Connection refused by ${where}: is the server running and listening on that port?`);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new HttpError(code, `Cannot resolve host ${url.hostname} (DNS lookup failed).`);
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE') return new HttpError(code, `${where} closed the connection before the response was complete.`);
  if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'ABORT_ERR' || code === 'UND_ERR_ABORTED' || code === 'TIMEOUT_ERR') {
    return new HttpError('E_TIMEOUT', `${where} did not answer within ${timeoutMs} ms (raise it with --timeout).`);
  }
  if (TLS_CODES.has(code)) {
    return new HttpError(code, `TLS certificate of ${where} is not trusted (${code}). Pass its CA with --ca <file.pem>, or --insecure to skip verification (the report will say so).`);
  }
  const detail = err instanceof Error ? err.message : String(err);
  return new HttpError(code, `Request to ${where} failed: ${detail} (${code}).`);
}

/** Bodies are read as a browser would: decompressed (within the size cap), as UTF-8. */
function decode(raw: Buffer, encoding: string | string[] | undefined, max: number): string {
  const enc = (Array.isArray(encoding) ? encoding.join(',') : (encoding ?? '')).trim().toLowerCase();
  try {
    if (enc === 'gzip' || enc === 'x-gzip') return gunzipSync(raw, { maxOutputLength: max, finishFlush: zlibConstants.Z_SYNC_FLUSH }).toString('utf8');
    if (enc === 'deflate') {
      try {
        return inflateSync(raw, { maxOutputLength: max, finishFlush: zlibConstants.Z_SYNC_FLUSH }).toString('utf8');
      } catch {
        return inflateRawSync(raw, { maxOutputLength: max, finishFlush: zlibConstants.Z_SYNC_FLUSH }).toString('utf8');
      }
    }
    if (enc === 'br') return brotliDecompressSync(raw, { maxOutputLength: max }).toString('utf8');
  } catch {
    return ''; // undecodable or larger than the cap: treated as an empty body
  }
  return raw.toString('utf8');
}

export class HttpClient {
  readonly #agent: Dispatcher;
  readonly #opts: Required<Pick<HttpClientOptions, 'timeoutMs' | 'maxBodyBytes' | 'userAgent'>> & HttpClientOptions;
  #requests = 0;

  constructor(opts: HttpClientOptions) {
    this.#opts = { maxBodyBytes: 1024 * 1024, userAgent: 'session-audit', ...opts };
    const connect: { rejectUnauthorized: boolean; ca?: string[] } = { rejectUnauthorized: !opts.insecure };
    if (opts.ca) connect.ca = [opts.ca];
    this.#agent = new Agent({
      connect: { ...connect, timeout: opts.timeoutMs },
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
      keepAliveTimeout: 4_000,
    });
  }

  /** Requests sent so far (each redirect hop counts). */
  get requestCount(): number {
    return this.#requests;
  }

  async send(req: HttpRequest): Promise<HttpResponse> {
    const started = performance.now();
    this.#requests += 1;
    const headers: Record<string, string> = { 'user-agent': this.#opts.userAgent, accept: '*/*', ...req.headers };
    let res: Dispatcher.ResponseData;
    try {
      res = await request(req.url, {
        method: req.method as Dispatcher.HttpMethod,
        headers,
        body: req.body ?? null,
        dispatcher: this.#agent,
        signal: AbortSignal.timeout(this.#opts.timeoutMs),
      });
    } catch (err) {
      throw describeNetworkError(err, req.url, this.#opts.timeoutMs);
    }
    let body = '';
    let truncated = false;
    try {
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body) {
        const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
        if (size + buf.length > this.#opts.maxBodyBytes) {
          chunks.push(buf.subarray(0, this.#opts.maxBodyBytes - size));
          truncated = true;
          break;
        }
        chunks.push(buf);
        size += buf.length;
      }
      if (truncated) res.body.destroy();
      body = decode(Buffer.concat(chunks), res.headers['content-encoding'], this.#opts.maxBodyBytes);
    } catch (err) {
      throw describeNetworkError(err, req.url, this.#opts.timeoutMs);
    }
    const raw = res.headers['set-cookie'];
    const setCookie = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
    return {
      status: res.statusCode,
      headers: res.headers,
      setCookie,
      body,
      truncated,
      timeMs: Math.round(performance.now() - started),
    };
  }

  async close(): Promise<void> {
    await this.#agent.close().catch(() => undefined);
  }
}
