/**
 * A Set-Cookie parser that keeps what tough-cookie normalises away: the raw attributes, invalid
 * values (so a rule can say "SameSite=Bogus"), and every problem a browser would ignore or reject.
 * Follows RFC 6265 section 5.2 and RFC 6265bis for SameSite and prefixes. Never throws.
 */
import { parseDate } from 'tough-cookie';
import type { Redactor, ValueRef } from './redact.js';

export type SameSite = 'strict' | 'lax' | 'none';

export interface ParsedSetCookie {
  /** The line with its value masked (unless --show-secrets). */
  line: string;
  name: string;
  value: ValueRef;
  secure: boolean;
  httpOnly: boolean;
  /** Normalised SameSite; `invalid` when present with an unknown value; absent when not sent. */
  sameSite?: SameSite | 'invalid';
  sameSiteRaw?: string;
  /** Lower-cased, leading dot removed, as a browser stores it. */
  domain?: string;
  domainRaw?: string;
  path?: string;
  maxAge?: number;
  /** ISO date, when Expires parsed. */
  expires?: string;
  expiresRaw?: string;
  partitioned: boolean;
  /** Seconds the browser keeps the cookie; absent for a session (non-persistent) cookie. */
  lifetimeSeconds?: number;
  /** Max-Age <= 0 or Expires in the past: the server is deleting the cookie. */
  deletion: boolean;
  /** Things a browser ignores or rejects in this line. */
  problems: string[];
  /** True when the simulated browser did not store the line (as a real one would not). */
  refused?: boolean;
}

const CTL = /[\u0000-\u0008\u000a-\u001f\u007f]/;
const NON_ASCII = /[^\u0000-\u007f]/;

/**
 * @param line      one raw Set-Cookie header value
 * @param now       the response's Date (or the local clock) for Expires comparisons
 * @param localNow  the local clock when the response arrived: a Date header written by a proxy
 *                  whose clock runs ahead of the application's would shorten an Expires
 *                  lifetime, so the longer of the two readings counts
 */
export function parseSetCookie(line: string, redactor: Redactor, now: Date = new Date(), localNow?: Date): ParsedSetCookie | undefined {
  if (typeof line !== 'string') return undefined;
  const problems: string[] = [];
  if (line.length > 8192) problems.push('line longer than 8192 characters');
  if (CTL.test(line)) problems.push('contains control characters (browsers reject the cookie)');
  if (NON_ASCII.test(line)) problems.push('contains non-ASCII characters');

  const semi = line.indexOf(';');
  const pair = semi === -1 ? line : line.slice(0, semi);
  const attrText = semi === -1 ? '' : line.slice(semi + 1);
  const eq = pair.indexOf('=');
  let name: string;
  let value: string;
  if (eq === -1) {
    name = '';
    value = pair.trim();
    problems.push('no "=" in the name-value pair (a nameless cookie)');
  } else {
    name = pair.slice(0, eq).trim();
    value = pair.slice(eq + 1).trim();
  }
  if (name === '' && value === '') return undefined;
  if (name === '' && eq !== -1) problems.push('empty cookie name');
  if (name.length + value.length > 4096) problems.push('name and value exceed 4096 bytes (browsers drop it)');

  const out: ParsedSetCookie = {
    line: '',
    name,
    value: redactor.ref(value),
    secure: false,
    httpOnly: false,
    partitioned: false,
    deletion: false,
    problems,
  };

  for (const rawAttr of attrText.split(';')) {
    const attr = rawAttr.trim();
    if (attr === '') continue;
    const aeq = attr.indexOf('=');
    const key = (aeq === -1 ? attr : attr.slice(0, aeq)).trim().toLowerCase();
    const val = aeq === -1 ? '' : attr.slice(aeq + 1).trim();
    switch (key) {
      case 'expires': {
        out.expiresRaw = val;
        const d = parseDate(val);
        if (d && !Number.isNaN(d.getTime())) out.expires = d.toISOString();
        else problems.push(`Expires "${val}" is not a cookie date (ignored)`);
        break;
      }
      case 'max-age': {
        if (/^-?\d+$/.test(val)) {
          const n = Number(val);
          out.maxAge = Number.isSafeInteger(n) ? n : n > 0 ? Number.MAX_SAFE_INTEGER : -1;
        } else problems.push(`Max-Age "${val}" is not a number (ignored)`);
        break;
      }
      case 'domain': {
        out.domainRaw = val;
        const d = val.replace(/^\./, '').toLowerCase();
        if (d === '') delete out.domain;
        else out.domain = d;
        break;
      }
      case 'path':
        if (val.startsWith('/')) out.path = val;
        else {
          delete out.path;
          if (val !== '') problems.push(`Path "${val}" does not start with "/" (ignored)`);
        }
        break;
      case 'secure':
        out.secure = true;
        break;
      case 'httponly':
        out.httpOnly = true;
        break;
      case 'samesite': {
        out.sameSiteRaw = val;
        const v = val.toLowerCase();
        out.sameSite = v === 'strict' || v === 'lax' || v === 'none' ? v : 'invalid';
        if (out.sameSite === 'invalid') problems.push(`SameSite "${val}" is not Strict, Lax or None`);
        break;
      }
      case 'partitioned':
        out.partitioned = true;
        break;
      default:
        break; // unknown attributes are ignored, as by browsers (Priority, Version, Comment, ...)
    }
  }

  if (out.maxAge !== undefined) {
    out.deletion = out.maxAge <= 0;
    if (!out.deletion) out.lifetimeSeconds = out.maxAge;
  } else if (out.expires !== undefined) {
    const at = Date.parse(out.expires);
    const secs = Math.round(Math.max(at - now.getTime(), localNow ? at - localNow.getTime() : -Infinity) / 1000);
    out.deletion = secs <= 0;
    if (!out.deletion) out.lifetimeSeconds = secs;
  }

  const shownValue = redactor.showSecrets ? value : out.value.masked;
  out.line = `${eq === -1 ? '' : `${name}=`}${shownValue}${semi === -1 ? '' : line.slice(semi)}`;
  return out;
}

/** The Date response header, when present and sane; else the local clock. */
export function responseDate(header: string | undefined, fallback: Date = new Date()): Date {
  if (!header) return fallback;
  const d = parseDate(header);
  return d && !Number.isNaN(d.getTime()) ? d : fallback;
}
