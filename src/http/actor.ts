/**
 * An actor is one simulated browser: its own tough-cookie jar, the shared HTTP client, and every
 * exchange written to the shared evidence log. Redirects are followed by hand, within the target
 * origin only (cookies never travel to another origin), up to a cap.
 */
import { CookieJar, type SerializedCookieJar } from 'tough-cookie';
import type { ActorName, CookieState, ExchangeRecord, SentCookie } from '../evidence/types.js';
import { HttpError, type HttpClient, type HttpRequest, type HttpResponse } from './client.js';
import { extractCsrfMeta } from '../auth/html.js';
import type { Redactor } from './redact.js';
import { parseSetCookie, responseDate, type ParsedSetCookie } from './set-cookie.js';

export const MAX_REDIRECTS = 10;

/** What all actors of one audit share. */
export interface AuditHttp {
  client: HttpClient;
  redactor: Redactor;
  target: URL;
  /** Extra headers for every request (-H). */
  headers: Record<string, string>;
  exchanges: ExchangeRecord[];
  /** --verbose: one line per exchange, values masked. */
  log?: (line: string) => void;
  /** Redirect hops followed per request (limits.maxRedirects); default MAX_REDIRECTS. */
  maxRedirects?: number;
  /**
   * Cleanup that must happen even after Ctrl-C (restoring a changed password): every request is
   * sent with `signal: null`, so neither the interrupt, --deadline nor --max-requests stops it.
   */
  cleanup?: boolean;
}

export interface SendOptions {
  method?: string;
  url: URL;
  headers?: Record<string, string>;
  body?: string;
  followRedirects?: boolean;
  /** `null`: not stopped by Ctrl-C (cleanup that must still happen). See HttpRequest.signal. */
  signal?: AbortSignal | null;
}

export interface ActorResponse {
  status: number;
  body: string;
  headers: HttpResponse['headers'];
  /** The URL of the last response in the chain. */
  url: URL;
  /** Exchange ids of the chain, first to last. */
  exchangeIds: number[];
  setCookies: ParsedSetCookie[];
}

export type JarSnapshot = SerializedCookieJar;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** CSRF cookies whose value the site's scripts copy into a request header. */
const DOUBLE_SUBMIT: Record<string, string> = {
  csrftoken: 'x-csrftoken',
  'xsrf-token': 'x-xsrf-token',
  _xsrf: 'x-xsrftoken',
};

function safeDecode(v: string): string {
  try {
    return decodeURIComponent(v);
  } catch {
    return v;
  }
}

function newJar(): CookieJar {
  // Browsers treat loopback as a secure context; looseMode accepts nameless cookies as browsers do.
  return new CookieJar(undefined, { looseMode: true, allowSecureOnLocal: true, prefixSecurity: 'silent' });
}

export class Actor {
  readonly name: ActorName;
  readonly #http: AuditHttp;
  #jar: CookieJar;
  /** The csrf-token meta value of the last HTML page this browser loaded. */
  #csrfMeta: string | undefined;

  constructor(name: ActorName, http: AuditHttp, snapshot?: JarSnapshot) {
    this.name = name;
    this.#http = http;
    this.#jar = snapshot ? CookieJar.deserializeSync(snapshot) : newJar();
  }

  /** A deep copy of the jar, to replay later exactly as it is now. */
  snapshot(): JarSnapshot {
    const s = this.#jar.serializeSync();
    if (!s) throw new Error('cookie jar cannot be serialised');
    return structuredClone(s);
  }

  /** Cookies this browser would send to `url` (raw values: for probes only, never evidence). */
  cookiesFor(url: URL): Array<{ name: string; value: string; domain: string; path: string; secure: boolean }> {
    return this.#jar.getCookiesSync(url).map((c) => ({ name: c.key, value: c.value, domain: c.domain ?? url.hostname, path: c.path ?? '/', secure: c.secure }));
  }

  cookieStates(url: URL): CookieState[] {
    return this.cookiesFor(url).map((c) => ({ name: c.name, domain: c.domain, path: c.path, value: this.#http.redactor.ref(c.value) }));
  }

  /**
   * Put a cookie in the jar as if the server had set it (used to plant attacker-chosen IDs), with
   * the Path and Secure of the real cookie so that __Host-/__Secure- names are stored as well.
   */
  plant(name: string, value: string, url: URL, like?: Pick<ParsedSetCookie, 'path' | 'secure'>): void {
    const secure = like?.secure || /^__(host|secure)-/i.test(name) ? '; Secure' : '';
    this.#jar.setCookieSync(`${name}=${value}; Path=${like?.path ?? '/'}${secure}`, url, { ignoreError: true });
  }

  async send(purpose: string, opts: SendOptions): Promise<ActorResponse> {
    let method = (opts.method ?? 'GET').toUpperCase();
    let url = opts.url;
    let body = opts.body;
    let headers = { ...opts.headers };
    const follow = opts.followRedirects ?? true;
    const ids: number[] = [];
    const allSet: ParsedSetCookie[] = [];
    for (let hop = 0; ; hop += 1) {
      const record = this.#newRecord(purpose + (hop > 0 ? ` (redirect ${hop})` : ''), method, url);
      const cookieHeader = this.#jar.getCookieStringSync(url);
      record.sentCookies = this.#sentCookies(url);
      const reqHeaders: Record<string, string> = { ...this.#http.headers, ...headers };
      if (method !== 'GET' && method !== 'HEAD') this.#addCsrfHeaders(reqHeaders, url);
      const userCookie = Object.entries(reqHeaders).find(([k]) => k.toLowerCase() === 'cookie');
      if (userCookie) delete reqHeaders[userCookie[0]];
      const cookie = [cookieHeader, userCookie?.[1]].filter((c) => c).join('; ');
      if (cookie) reqHeaders.cookie = cookie;
      let res: HttpResponse;
      try {
        const req: HttpRequest = { method, url, headers: reqHeaders };
        if (body !== undefined) req.body = body;
        if (opts.signal !== undefined) req.signal = opts.signal;
        else if (this.#http.cleanup) req.signal = null;
        res = await this.#http.client.send(req);
      } catch (err) {
        record.error = this.#http.redactor.clean(err instanceof Error ? err.message : String(err));
        this.#http.log?.(`#${record.id} ${this.name}: ${method} ${record.url} ✗ ${record.error}`);
        throw err instanceof HttpError ? new HttpError(err.code, record.error) : err;
      }
      record.status = res.status;
      if (/<meta/i.test(res.body)) {
        const meta = extractCsrfMeta(res.body);
        if (meta) this.#csrfMeta = meta.value;
      }
      record.timeMs = res.timeMs;
      const now = responseDate(typeof res.headers.date === 'string' ? res.headers.date : undefined);
      for (const line of res.setCookie) {
        const parsed = parseSetCookie(line, this.#http.redactor, now, new Date());
        if (parsed) {
          record.setCookies.push(parsed);
          allSet.push(parsed);
        } else {
          (record.unparsedSetCookies ??= []).push(this.#http.redactor.clean(line).slice(0, 200));
        }
        let stored: unknown;
        try {
          stored = this.#jar.setCookieSync(line, url, { ignoreError: true });
        } catch {
          stored = undefined;
        }
        if (!stored && parsed) {
          // tough-cookie rejected it, as a browser would (Domain not matching the host, a broken
          // prefix, Secure over plain http). The line stays as evidence, marked.
          parsed.refused = true;
          parsed.problems.push('the browser did not store this line');
        }
      }
      ids.push(record.id);
      if (this.#http.log) {
        const sent = record.sentCookies.map((c) => `${c.name}=${c.value.raw ?? c.value.masked}`).join('; ');
        const got = record.setCookies.map((c) => c.line).join(' | ');
        this.#http.log(`#${record.id} ${this.name} [${record.purpose}] ${method} ${record.url} → ${res.status}${sent ? ` · sent ${sent}` : ''}${got ? ` · Set-Cookie ${got}` : ''}`);
      }
      const location = res.headers.location;
      const loc = Array.isArray(location) ? location[0] : location;
      if (loc !== undefined) record.location = this.#http.redactor.clean(loc);
      if (!follow || !REDIRECTS.has(res.status) || loc === undefined) {
        return { status: res.status, body: res.body, headers: res.headers, url, exchangeIds: ids, setCookies: allSet };
      }
      let next: URL;
      try {
        next = new URL(loc, url);
      } catch {
        record.redirectNotFollowed = 'Location is not a valid URL';
        return { status: res.status, body: res.body, headers: res.headers, url, exchangeIds: ids, setCookies: allSet };
      }
      if (next.origin !== this.#http.target.origin && !this.#http.client.listsOrigin(next)) {
        record.redirectNotFollowed = `another origin (${next.origin}), outside the audit's scope; nothing is sent there`;
        return { status: res.status, body: res.body, headers: res.headers, url, exchangeIds: ids, setCookies: allSet };
      }
      const maxHops = this.#http.maxRedirects ?? MAX_REDIRECTS;
      if (hop + 1 > maxHops) {
        record.redirectNotFollowed = `more than ${maxHops} redirects`;
        throw new HttpError('E_REDIRECT_LOOP', `More than ${maxHops} redirects starting at ${opts.url.pathname} (last: ${url.pathname} → ${next.pathname}); a redirect loop, or raise --max-redirects.`);
      }
      if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
        method = 'GET';
        body = undefined;
        headers = Object.fromEntries(Object.entries(headers).filter(([k]) => !/^content-(type|length)$/i.test(k)));
      }
      url = next;
    }
  }

  /**
   * What a browser running the site's own scripts sends with a state-changing request: Origin
   * (checked by Django, Rails, Spring), the double-submit token copied from a CSRF cookie
   * (Django's csrftoken, Angular's and Laravel's XSRF-TOKEN, Tornado's _xsrf), and the page's
   * csrf-token meta value. Headers the caller set win.
   */
  #addCsrfHeaders(headers: Record<string, string>, url: URL): void {
    const has = (name: string): boolean => Object.keys(headers).some((k) => k.toLowerCase() === name);
    if (!has('origin')) headers.origin = this.#http.target.origin;
    for (const c of this.#jar.getCookiesSync(url)) {
      const header = DOUBLE_SUBMIT[c.key.toLowerCase()];
      if (header && !has(header)) headers[header] = safeDecode(c.value);
    }
    if (this.#csrfMeta !== undefined && !has('x-csrf-token')) headers['x-csrf-token'] = this.#csrfMeta;
  }

  #newRecord(purpose: string, method: string, url: URL): ExchangeRecord {
    const record: ExchangeRecord = {
      id: this.#http.exchanges.length + 1,
      actor: this.name,
      purpose,
      method,
      url: this.#http.redactor.clean(url.href),
      sentCookies: [],
      setCookies: [],
    };
    this.#http.exchanges.push(record);
    return record;
  }

  #sentCookies(url: URL): SentCookie[] {
    return this.#jar.getCookiesSync(url).map((c) => ({ name: c.key, value: this.#http.redactor.ref(c.value) }));
  }
}

/** A copy of a snapshot without the named cookies (all domains and paths). */
export function withoutCookies(snapshot: JarSnapshot, names: ReadonlySet<string>): JarSnapshot {
  const copy = structuredClone(snapshot);
  copy.cookies = copy.cookies.filter((c) => !names.has(String(c.key ?? '')));
  return copy;
}

/** A copy of a snapshot keeping only the named cookies. */
export function onlyCookies(snapshot: JarSnapshot, names: ReadonlySet<string>): JarSnapshot {
  const copy = structuredClone(snapshot);
  copy.cookies = copy.cookies.filter((c) => names.has(String(c.key ?? '')));
  return copy;
}
