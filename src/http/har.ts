/**
 * HTTP Archive 1.2 (http://www.softwareishard.com/blog/har-12-spec/) of every request the audit
 * sent, for debugging a failing login and attaching to a bug report. Redacted like every other
 * output: passwords become `[password]`, cookie values and Authorization headers become masks
 * (`ab12…`) unless --show-secrets, and bodies go through the same scrubber as the report.
 */
import { STATUS_CODES } from 'node:http';
import type { TraceEntry } from './client.js';
import { mask, type Redactor } from './redact.js';

export interface HarNameValue {
  name: string;
  value: string;
}

export interface HarEntry {
  startedDateTime: string;
  time: number;
  request: {
    method: string;
    url: string;
    httpVersion: string;
    cookies: HarNameValue[];
    headers: HarNameValue[];
    queryString: HarNameValue[];
    postData?: { mimeType: string; text: string };
    headersSize: number;
    bodySize: number;
  };
  response: {
    status: number;
    statusText: string;
    httpVersion: string;
    cookies: HarNameValue[];
    headers: HarNameValue[];
    content: { size: number; mimeType: string; text?: string; comment?: string };
    redirectURL: string;
    headersSize: number;
    bodySize: number;
  };
  cache: Record<string, never>;
  timings: { send: number; wait: number; receive: number };
  /** Why there is no response (refused, timed out, interrupted). */
  _error?: string;
}

export interface Har {
  log: {
    version: '1.2';
    creator: { name: string; version: string };
    comment: string;
    entries: HarEntry[];
  };
}

/** Response bodies in the archive are cut here; the audit itself reads up to limits.maxBody. */
const MAX_TEXT = 256 * 1024;

const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'x-api-key', 'x-auth-token']);

function maskValue(value: string, redactor: Redactor): string {
  return redactor.showSecrets ? redactor.scrubPasswords(value) : mask(value);
}

/** `a=1; b=2` → pairs, each value masked. */
function cookiePairs(header: string, redactor: Redactor): HarNameValue[] {
  return header
    .split(';')
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((p) => {
      const i = p.indexOf('=');
      return i < 0 ? { name: '', value: maskValue(p, redactor) } : { name: p.slice(0, i).trim(), value: maskValue(p.slice(i + 1).trim(), redactor) };
    });
}

/** A Set-Cookie line with its value masked; attributes kept. */
function maskSetCookie(line: string, redactor: Redactor): { line: string; cookie: HarNameValue } {
  const semi = line.indexOf(';');
  const pair = semi < 0 ? line : line.slice(0, semi);
  const rest = semi < 0 ? '' : line.slice(semi);
  const eq = pair.indexOf('=');
  const name = eq < 0 ? '' : pair.slice(0, eq).trim();
  const value = maskValue((eq < 0 ? pair : pair.slice(eq + 1)).trim(), redactor);
  return { line: redactor.clean(`${name === '' ? '' : `${name}=`}${value}${rest}`), cookie: { name: redactor.clean(name), value } };
}

function headerList(headers: Record<string, string | string[] | undefined>, redactor: Redactor): { list: HarNameValue[]; cookies: HarNameValue[] } {
  const list: HarNameValue[] = [];
  const cookies: HarNameValue[] = [];
  for (const [name, raw] of Object.entries(headers)) {
    if (raw === undefined) continue;
    const lower = name.toLowerCase();
    for (const v of Array.isArray(raw) ? raw : [raw]) {
      if (lower === 'cookie') {
        const pairs = cookiePairs(v, redactor);
        cookies.push(...pairs);
        list.push({ name, value: pairs.map((p) => (p.name ? `${p.name}=${p.value}` : p.value)).join('; ') });
      } else if (lower === 'set-cookie') {
        const m = maskSetCookie(v, redactor);
        cookies.push(m.cookie);
        list.push({ name, value: m.line });
      } else if (SECRET_HEADERS.has(lower)) {
        list.push({ name, value: redactor.showSecrets ? redactor.scrubPasswords(v) : '[redacted]' });
      } else {
        list.push({ name, value: redactor.clean(v) });
      }
    }
  }
  return { list, cookies };
}

function headerValue(headers: Record<string, string | string[] | undefined> | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  const found = Object.entries(headers).find(([k]) => k.toLowerCase() === name);
  const v = found?.[1];
  return Array.isArray(v) ? v[0] : v;
}

export function toHarEntry(e: TraceEntry, redactor: Redactor): HarEntry {
  const req = headerList(e.requestHeaders, redactor);
  const res = e.responseHeaders ? headerList(e.responseHeaders, redactor) : { list: [], cookies: [] };
  const url = redactor.clean(e.url.href);
  let queryString: HarNameValue[] = [];
  try {
    queryString = [...new URL(url).searchParams].map(([name, value]) => ({ name, value }));
  } catch {
    queryString = [];
  }
  const body = e.responseBody ?? '';
  const text = redactor.clean(body.length > MAX_TEXT ? body.slice(0, MAX_TEXT) : body);
  const entry: HarEntry = {
    startedDateTime: e.startedAt.toISOString(),
    time: e.timeMs,
    request: {
      method: e.method,
      url,
      httpVersion: 'HTTP/1.1',
      cookies: req.cookies,
      headers: req.list,
      queryString,
      headersSize: -1,
      bodySize: e.requestBody === undefined ? 0 : Buffer.byteLength(e.requestBody),
    },
    response: {
      status: e.status ?? 0,
      statusText: e.status !== undefined ? (STATUS_CODES[e.status] ?? '') : '',
      httpVersion: e.status !== undefined ? 'HTTP/1.1' : '',
      cookies: res.cookies,
      headers: res.list,
      content: {
        size: Buffer.byteLength(body),
        mimeType: headerValue(e.responseHeaders, 'content-type') ?? '',
        ...(e.status !== undefined ? { text } : {}),
        ...(e.truncated || body.length > MAX_TEXT ? { comment: 'body truncated' } : {}),
      },
      redirectURL: redactor.clean(headerValue(e.responseHeaders, 'location') ?? ''),
      headersSize: -1,
      bodySize: e.status !== undefined ? Buffer.byteLength(body) : -1,
    },
    cache: {},
    timings: { send: 0, wait: e.timeMs, receive: 0 },
  };
  if (e.requestBody !== undefined) {
    entry.request.postData = { mimeType: headerValue(e.requestHeaders, 'content-type') ?? '', text: redactor.clean(e.requestBody) };
  }
  if (e.error !== undefined) entry._error = redactor.clean(e.error);
  return entry;
}

export function buildHar(trace: readonly TraceEntry[], redactor: Redactor, version: string): Har {
  return {
    log: {
      version: '1.2',
      creator: { name: 'session-audit', version },
      comment: redactor.showSecrets
        ? 'Recorded with --show-secrets: cookie values are shown; passwords are still replaced by [password].'
        : 'Passwords are replaced by [password]; cookie values and credentials headers are masked (first characters and …).',
      entries: trace.map((e) => toHarEntry(e, redactor)),
    },
  };
}
