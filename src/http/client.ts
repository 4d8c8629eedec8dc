/**
 * The one place that talks to the network, so every request passes the same guards: the scope
 * (target origin plus scope.allow), the request budget (--max-requests), the total deadline, a
 * token bucket shared by all actors (--rate), a concurrency cap, Retry-After on 429/503, a
 * per-request timeout and a response body cap. It also knows the transport: undici directly, or
 * through --proxy / HTTPS_PROXY, with --ca, --insecure and a client certificate. Errors become
 * sentences a user can act on. Redirects are *not* followed here; actors follow them by hand.
 */
import { brotliDecompressSync, constants as zlibConstants, gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';
import { Agent, EnvHttpProxyAgent, ProxyAgent, request, type Dispatcher } from 'undici';
import { UsageError } from '../errors.js';

export interface HttpRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string;
  /**
   * Left out: the run's signal (Ctrl-C) aborts the request, and --deadline / --max-requests
   * apply. `null`: cleanup that must still go out to leave the account as it was (restoring a
   * changed password, for example): not stopped by Ctrl-C, the deadline or the request budget.
   * Scope, --rate, concurrency and the per-request timeout still apply.
   */
  signal?: AbortSignal | null;
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

/** Raw material for the HAR trace: one entry per request sent (each retry and redirect hop). */
export interface TraceEntry {
  startedAt: Date;
  method: string;
  url: URL;
  requestHeaders: Record<string, string>;
  requestBody?: string;
  status?: number;
  responseHeaders?: Record<string, string | string[] | undefined>;
  responseBody?: string;
  truncated?: boolean;
  error?: string;
  timeMs: number;
}

export interface HttpLimits {
  /** Requests per second, shared by every actor (token bucket holding one token). */
  rate?: number;
  /** Requests in the whole run, every redirect hop and retry included. */
  maxRequests?: number;
  /** Epoch ms after which no request starts and running ones are cut short. */
  deadlineAt?: number;
  /** Requests in flight at once. */
  concurrency?: number;
  /** The longest Retry-After wait honoured (ms); a longer one is answered as it is. */
  retryAfterMaxMs?: number;
  /** Retries after a 429/503 with Retry-After, per request. */
  maxRetries?: number;
}

export interface HttpClientOptions {
  timeoutMs: number;
  /** PEM text of extra CA certificates to trust. */
  ca?: string;
  insecure?: boolean;
  /** PEM client certificate and key (mTLS). */
  cert?: string;
  key?: string;
  /** An explicit forward proxy (--proxy); wins over the environment. */
  proxy?: string;
  /** Where HTTP_PROXY / HTTPS_PROXY / NO_PROXY are read from, when no --proxy is given. */
  env?: NodeJS.ProcessEnv;
  maxBodyBytes?: number;
  userAgent?: string;
  /** Origins requests may go to (the target's first). Empty: no restriction. */
  scope?: string[];
  limits?: HttpLimits;
  /** The run's signal (Ctrl-C): aborts requests in flight and refuses new ones. */
  signal?: AbortSignal;
  /** Called once per request sent, for the HAR trace. */
  onTrace?: (entry: TraceEntry) => void;
  /** Told when the client waits on its own (Retry-After), so the user knows why nothing moves. */
  onWait?: (text: string) => void;
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

function isHttpUrl(text: string): boolean {
  try {
    return /^https?:$/.test(new URL(text).protocol);
  } catch {
    return false;
  }
}

const PROXY_VARS = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'];

/** The proxy environment variables that are set, for the report and for choosing the agent. */
export function proxyFromEnv(env: NodeJS.ProcessEnv | undefined): string | undefined {
  if (!env) return undefined;
  const found = PROXY_VARS.find((k) => (env[k] ?? '') !== '');
  return found;
}

/** Retry-After as milliseconds from now: delta-seconds or an HTTP-date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!v) return undefined;
  if (/^\d{1,9}$/.test(v)) return Number(v) * 1000;
  if (!/^[A-Za-z]{3},? /.test(v)) return undefined;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** A token bucket holding one token: requests leave at most `rate` per second, evenly spaced. */
class TokenBucket {
  readonly #intervalMs: number;
  #next = 0;
  constructor(rate: number) {
    this.#intervalMs = 1000 / rate;
  }
  async take(signal: AbortSignal | undefined): Promise<void> {
    const now = performance.now();
    const at = Math.max(now, this.#next);
    this.#next = at + this.#intervalMs;
    if (at > now) await sleep(at - now, signal);
  }
}

class Semaphore {
  #free: number;
  readonly #waiting: Array<() => void> = [];
  constructor(n: number) {
    this.#free = n;
  }
  async acquire(): Promise<void> {
    if (this.#free > 0) {
      this.#free -= 1;
      return;
    }
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }
  release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#free += 1;
  }
}

/** undici's HTTPParserError: the bytes that came back are not HTTP/1.1. */
function isParserError(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; depth < 4 && e && typeof e === 'object'; depth += 1) {
    if ((e as { name?: unknown }).name === 'HTTPParserError') return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

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
export function describeNetworkError(err: unknown, url: URL, timeoutMs: number, beforeResponse = false): HttpError {
  const code = errorCode(err) ?? 'E_NETWORK';
  const where = `${url.origin}`;
  if (code === 'ECONNREFUSED') return new HttpError(code, `Connection refused by ${where}: is the server running and listening on that port?`);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new HttpError(code, `Cannot resolve host ${url.hostname} (DNS lookup failed): check the spelling of the URL, or the DNS/VPN settings of this machine.`);
  if (code.startsWith('HPE_') || isParserError(err)) {
    return new HttpError(code === 'E_NETWORK' ? 'E_NOT_HTTP' : code, `${where} sent a response that is not valid HTTP/1.1: is this the web server's port (and http vs https right)?`);
  }
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE') {
    // A TLS 1.3 server that wants a client certificate just closes the connection after the handshake.
    const mtls = beforeResponse && url.protocol === 'https:' ? ' If the server requires a client certificate (mTLS), pass it with --cert <file.pem> and --key <file.pem>.' : '';
    return new HttpError(code, `${where} closed the connection before the response was complete.${mtls}`);
  }
  if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'ABORT_ERR' || code === 'UND_ERR_ABORTED' || code === 'TIMEOUT_ERR') {
    return new HttpError('E_TIMEOUT', `${where} did not answer within ${timeoutMs} ms (raise it with --timeout).`);
  }
  if (TLS_CODES.has(code)) {
    return new HttpError(code, `TLS certificate of ${where} is not trusted (${code}). Pass its CA with --ca <file.pem>, or --insecure to skip verification (the report will say so).`);
  }
  if (/^ERR_SSL_|^ERR_TLS_|TLSV1_ALERT|SSL/.test(code)) {
    return new HttpError(code, `TLS handshake with ${where} failed (${code}): check that this port speaks https, not plain http. If the server requires a client certificate, pass --cert <file.pem> and --key <file.pem>; for an untrusted server certificate, --ca <file.pem> or --insecure.`);
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
  readonly #scope: Set<string>;
  readonly #bucket: TokenBucket | undefined;
  readonly #slots: Semaphore;
  readonly #limits: HttpLimits;
  #requests = 0;
  /** How the requests travelled, for the report ("through proxy http://127.0.0.1:8080"). */
  readonly via: string | undefined;

  constructor(opts: HttpClientOptions) {
    this.#opts = { maxBodyBytes: 1024 * 1024, userAgent: 'session-audit', ...opts };
    this.#scope = new Set(opts.scope ?? []);
    this.#limits = opts.limits ?? {};
    this.#bucket = this.#limits.rate ? new TokenBucket(this.#limits.rate) : undefined;
    this.#slots = new Semaphore(Math.max(1, this.#limits.concurrency ?? 4));
    const tls: { rejectUnauthorized: boolean; ca?: string[]; cert?: string; key?: string } = { rejectUnauthorized: !opts.insecure };
    if (opts.ca) tls.ca = [opts.ca];
    if (opts.cert) tls.cert = opts.cert;
    if (opts.key) tls.key = opts.key;
    const agentOpts = {
      connect: { ...tls, timeout: opts.timeoutMs },
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
      keepAliveTimeout: 4_000,
    };
    const envVar = opts.proxy ? undefined : proxyFromEnv(opts.env);
    if (opts.proxy) {
      this.#agent = new ProxyAgent({ ...agentOpts, uri: opts.proxy, requestTls: { ...tls, timeout: opts.timeoutMs } });
      this.via = `proxy ${new URL(opts.proxy).origin}`;
    } else if (envVar && opts.env) {
      const env = opts.env;
      const pick = (...names: string[]): string | undefined => names.map((n) => env[n]).find((v) => v !== undefined && v !== '');
      const proxyOpts: ConstructorParameters<typeof EnvHttpProxyAgent>[0] = { ...agentOpts, requestTls: { ...tls, timeout: opts.timeoutMs } };
      const httpProxy = pick('http_proxy', 'HTTP_PROXY');
      const httpsProxy = pick('https_proxy', 'HTTPS_PROXY');
      const noProxy = pick('no_proxy', 'NO_PROXY');
      // undici throws a bare "Invalid URL" (exit 70) on a value it cannot parse, e.g. host:port
      // without a scheme. Name the variable, not its value: it may hold proxy credentials.
      for (const [value, names] of [[httpProxy, 'HTTP_PROXY/http_proxy'], [httpsProxy, 'HTTPS_PROXY/https_proxy']] as const) {
        if (value !== undefined && !isHttpUrl(value)) {
          throw new UsageError(`The ${names} environment variable is not a proxy URL such as http://127.0.0.1:8080 (a scheme is required); fix or unset it, or give --proxy.`, 'E_PROXY');
        }
      }
      if (httpProxy) proxyOpts.httpProxy = httpProxy;
      if (httpsProxy) proxyOpts.httpsProxy = httpsProxy;
      proxyOpts.noProxy = noProxy ?? '';
      this.#agent = new EnvHttpProxyAgent(proxyOpts);
      const named = envVar.toLowerCase().startsWith('https') ? httpsProxy : httpProxy;
      let origin = '';
      try {
        origin = named ? ` ${new URL(named).origin}` : '';
      } catch {
        origin = '';
      }
      // NO_PROXY may exclude the target itself: say so rather than claim every request was proxied.
      this.via = `proxy${origin} from ${envVar}${noProxy ? ` (except hosts in NO_PROXY=${noProxy}, reached directly)` : ''}`;
    } else {
      this.#agent = new Agent(agentOpts);
      this.via = undefined;
    }
  }

  /** Requests sent so far (each redirect hop and retry counts). */
  get requestCount(): number {
    return this.#requests;
  }

  /** Is this origin listed in the scope (not merely unrestricted)? Actors follow redirects only there. */
  listsOrigin(url: URL): boolean {
    return this.#scope.has(url.origin);
  }

  /** May a request go to this URL's origin? */
  inScope(url: URL): boolean {
    return this.#scope.size === 0 || this.#scope.has(url.origin);
  }

  async send(req: HttpRequest): Promise<HttpResponse> {
    if (!this.inScope(req.url)) {
      throw new HttpError('E_SCOPE', `${req.url.origin} is outside the audit's scope (the target's origin and scope.allow); the request was not sent.`);
    }
    const runSignal = req.signal === null ? undefined : this.#opts.signal;
    const maxRetries = this.#limits.maxRetries ?? 2;
    for (let attempt = 0; ; attempt += 1) {
      const res = await this.#sendOnce(req, runSignal, req.signal === null);
      if (attempt >= maxRetries || (res.status !== 429 && res.status !== 503)) return res;
      const wait = parseRetryAfter(res.headers['retry-after']);
      if (wait === undefined || wait > (this.#limits.retryAfterMaxMs ?? 30_000)) return res;
      const deadline = req.signal === null ? undefined : this.#limits.deadlineAt;
      if (deadline !== undefined && Date.now() + wait >= deadline) return res;
      this.#opts.onWait?.(`${req.url.origin}${req.url.pathname} answered ${res.status} with Retry-After: waiting ${Math.ceil(wait / 1000)} s before retrying`);
      try {
        await sleep(wait, runSignal);
      } catch {
        throw this.#abortError(req.url);
      }
    }
  }

  #checkLimits(req: HttpRequest, maxRequests: number | undefined, deadlineAt: number | undefined): void {
    if (maxRequests !== undefined && this.#requests >= maxRequests) {
      throw new HttpError('E_MAX_REQUESTS', `The request budget of ${maxRequests} requests (--max-requests) was used up before ${req.method} ${req.url.pathname}; raise it to let the remaining checks run.`);
    }
    if (deadlineAt !== undefined && deadlineAt - Date.now() <= 0) {
      throw new HttpError('E_DEADLINE', `The audit deadline (--deadline) passed before ${req.method} ${req.url.pathname}; raise it to let the remaining checks run.`);
    }
  }

  #abortError(url: URL): HttpError {
    return new HttpError('E_ABORTED', `The request to ${url.origin}${url.pathname} was stopped: the run was interrupted.`);
  }

  async #sendOnce(req: HttpRequest, runSignal: AbortSignal | undefined, cleanup: boolean): Promise<HttpResponse> {
    const maxRequests = cleanup ? undefined : this.#limits.maxRequests;
    const deadlineAt = cleanup ? undefined : this.#limits.deadlineAt;
    if (runSignal?.aborted) throw this.#abortError(req.url);
    // Refused at once when a limit is already reached: no slot, no --rate token, no waiting.
    this.#checkLimits(req, maxRequests, deadlineAt);
    await this.#slots.acquire();
    try {
      try {
        await this.#bucket?.take(runSignal);
      } catch {
        throw this.#abortError(req.url);
      }
      this.#checkLimits(req, maxRequests, deadlineAt);
      let timeoutMs = this.#opts.timeoutMs;
      let deadlineBound = false;
      if (deadlineAt !== undefined) {
        const left = deadlineAt - Date.now();
        if (left < timeoutMs) {
          timeoutMs = left;
          deadlineBound = true;
        }
      }
      this.#requests += 1;
      return await this.#transmit(req, runSignal, timeoutMs, deadlineBound);
    } finally {
      this.#slots.release();
    }
  }

  async #transmit(req: HttpRequest, runSignal: AbortSignal | undefined, timeoutMs: number, deadlineBound: boolean): Promise<HttpResponse> {
    const startedAt = new Date();
    const started = performance.now();
    const headers: Record<string, string> = { 'user-agent': this.#opts.userAgent, accept: '*/*', ...req.headers };
    const signals = [AbortSignal.timeout(timeoutMs)];
    if (runSignal) signals.push(runSignal);
    const signal = AbortSignal.any(signals);
    const trace = (extra: Partial<TraceEntry>): void => {
      this.#opts.onTrace?.({
        startedAt,
        method: req.method,
        url: req.url,
        requestHeaders: headers,
        ...(req.body !== undefined ? { requestBody: req.body } : {}),
        timeMs: Math.round(performance.now() - started),
        ...extra,
      });
    };
    const fail = (err: unknown, beforeResponse: boolean): HttpError => {
      let out: HttpError;
      if (runSignal?.aborted) out = this.#abortError(req.url);
      else {
        out = describeNetworkError(err, req.url, this.#opts.timeoutMs, beforeResponse && !this.#opts.cert);
        if (this.#opts.proxy && ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET'].includes(out.code) && beforeResponse) {
          out = new HttpError(out.code, `Could not reach the proxy ${new URL(this.#opts.proxy).origin} given with --proxy (${out.code}): is it running and listening there?`);
        } else if (deadlineBound && out.code === 'E_TIMEOUT') {
          out = new HttpError('E_DEADLINE', `The audit deadline (--deadline) passed while waiting for ${req.method} ${req.url.pathname}; raise it to let the remaining checks run.`);
        }
      }
      trace({ error: out.message });
      return out;
    };
    let res: Dispatcher.ResponseData;
    try {
      res = await request(req.url, {
        method: req.method as Dispatcher.HttpMethod,
        headers,
        body: req.body ?? null,
        dispatcher: this.#agent,
        signal,
      });
    } catch (err) {
      throw fail(err, true);
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
      throw fail(err, false);
    }
    const raw = res.headers['set-cookie'];
    const setCookie = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
    const timeMs = Math.round(performance.now() - started);
    trace({ status: res.statusCode, responseHeaders: res.headers, responseBody: body, truncated, timeMs });
    return { status: res.statusCode, headers: res.headers, setCookie, body, truncated, timeMs };
  }

  async close(): Promise<void> {
    await this.#agent.close().catch(() => undefined);
  }
}
