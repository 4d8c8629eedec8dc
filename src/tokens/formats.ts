/**
 * Session token decoders. Each recognises one format from the cookie value alone (and, for
 * keygrip, its `<name>.sig` companion), and says what the server signed, with which algorithm,
 * and what state the token carries. They never throw: anything unrecognised is `undefined`.
 *
 * Signing inputs, from each library's source:
 * - express-session / cookie-parser (cookie-signature): value `s:<v>.<sig>` URL-encoded in the
 *   cookie; sig = base64(HMAC-SHA256(secret, v)) with '=' stripped.
 * - cookie-session / koa-session (cookies + keygrip): `<name>.sig` = base64url(HMAC-SHA1(key,
 *   `<name>=<value>`)) ('/'→'_', '+'→'-', '=' dropped); keygrip also allows SHA-256.
 * - JWT (RFC 7515): HMAC over `<header>.<payload>` for HS256/HS384/HS512, base64url.
 * - Flask (itsdangerous URLSafeTimedSerializer, salt 'cookie-session', key derivation 'hmac',
 *   SHA-1): key = HMAC-SHA1(secret, salt); sig = base64url(HMAC-SHA1(key, `<payload>.<ts>`));
 *   a payload starting with '.' is zlib-compressed JSON.
 */
import { inflateSync } from 'node:zlib';

export type HashName = 'sha1' | 'sha256' | 'sha384' | 'sha512';

export type TokenFormat = 'express-session' | 'keygrip' | 'jwt' | 'flask' | 'signed-json' | 'iron' | 'rails-encrypted' | 'laravel-encrypted' | 'opaque';

export interface SignedPart {
  hash: HashName;
  /** The exact bytes the server signed. */
  message: Buffer;
  signature: Buffer;
  /** itsdangerous derives the HMAC key from the secret and a salt first. */
  deriveSalt?: string;
}

export interface DecodedToken {
  format: TokenFormat;
  /** A sentence for the report: which format, how it was recognised. */
  description: string;
  signed?: SignedPart;
  /** A server-side session ID inside the token (signature and encoding stripped). */
  id?: string;
  /** The session state travels in the cookie itself. */
  clientSide: boolean;
  /** The state is encrypted (sealed), so the client cannot read it. */
  encrypted: boolean;
  /** The readable state (JSON), for client-side formats that are not encrypted. */
  state?: unknown;
  jwt?: { header: Record<string, unknown>; payload: Record<string, unknown> };
}

const B64URL = /^[A-Za-z0-9_-]*$/;

export function safeDecodeURIComponent(v: string): string {
  try {
    return decodeURIComponent(v);
  } catch {
    return v;
  }
}

/** base64 or base64url, padded or not; undefined when the text is not base64. */
export function fromBase64(text: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(text) || text.length % 4 === 1) return undefined;
  return Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

function parseJson(buf: Buffer | undefined): unknown {
  if (!buf) return undefined;
  try {
    return JSON.parse(buf.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function decodeExpressSession(raw: string): DecodedToken | undefined {
  const v = safeDecodeURIComponent(raw);
  if (!v.startsWith('s:')) return undefined;
  const dot = v.lastIndexOf('.');
  if (dot <= 2) return undefined;
  const id = v.slice(2, dot);
  const sig = v.slice(dot + 1);
  if (!/^[A-Za-z0-9+/]{43}$/.test(sig)) return undefined;
  const signature = fromBase64(sig);
  if (!signature || signature.length !== 32) return undefined;
  return {
    format: 'express-session',
    description: 'express-session signed session ID (s:<id>.<base64 HMAC-SHA256>, cookie-signature)',
    signed: { hash: 'sha256', message: Buffer.from(id, 'utf8'), signature },
    id,
    clientSide: false,
    encrypted: false,
  };
}

const JWT_HMAC: ReadonlyMap<string, HashName> = new Map([['HS256', 'sha256'], ['HS384', 'sha384'], ['HS512', 'sha512']]);

export function decodeJwt(raw: string): DecodedToken | undefined {
  let v = safeDecodeURIComponent(raw).trim();
  if (/^bearer\s+/i.test(v)) v = v.replace(/^bearer\s+/i, '');
  const parts = v.split('.');
  if (parts.length !== 3 || !parts.every((p) => B64URL.test(p)) || !parts[0] || !parts[1]) return undefined;
  const header = parseJson(fromBase64(parts[0]));
  const payload = parseJson(fromBase64(parts[1]));
  if (!isObject(header) || typeof header.alg !== 'string' || !isObject(payload)) return undefined;
  // A Map, not an object literal: an alg of "constructor" or "__proto__" must not find an Object.prototype member.
  const hash = JWT_HMAC.get(header.alg);
  const signature = fromBase64(parts[2] ?? '');
  const token: DecodedToken = {
    format: 'jwt',
    description: `JSON Web Token (alg ${header.alg.slice(0, 20)})`,
    clientSide: true,
    encrypted: false,
    state: payload,
    jwt: { header, payload },
  };
  if (hash && signature && signature.length > 0) token.signed = { hash, message: Buffer.from(`${parts[0]}.${parts[1]}`, 'ascii'), signature };
  return token;
}

/** cookie-session / koa-session: needs the `<name>.sig` cookie next to it. */
export function decodeKeygrip(name: string, raw: string, sig: string | undefined): DecodedToken | undefined {
  if (sig === undefined || !B64URL.test(sig)) return undefined;
  const signature = fromBase64(sig);
  if (!signature) return undefined;
  const hash: HashName | undefined = signature.length === 20 ? 'sha1' : signature.length === 32 ? 'sha256' : signature.length === 64 ? 'sha512' : undefined;
  if (!hash) return undefined;
  const state = parseJson(fromBase64(safeDecodeURIComponent(raw)));
  const token: DecodedToken = {
    format: 'keygrip',
    description: `keygrip-signed cookie (${name} + ${name}.sig = base64url HMAC-${hash.toUpperCase().replace('SHA', 'SHA-')} of "${name}=<value>"; cookie-session, koa-session)`,
    signed: { hash, message: Buffer.from(`${name}=${raw}`, 'utf8'), signature },
    clientSide: state !== undefined,
    encrypted: false,
  };
  if (state !== undefined) token.state = state;
  else token.id = raw;
  return token;
}

export function decodeFlask(raw: string): DecodedToken | undefined {
  const v = safeDecodeURIComponent(raw);
  const m = /^(\.?[A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{4,8})\.([A-Za-z0-9_-]{27})$/.exec(v);
  if (!m) return undefined;
  const [, payload = '', ts = '', sig = ''] = m;
  const signature = fromBase64(sig);
  if (!signature || signature.length !== 20) return undefined;
  let data = fromBase64(payload.replace(/^\./, ''));
  if (data && payload.startsWith('.')) {
    try {
      data = inflateSync(data, { maxOutputLength: 1 << 20 });
    } catch {
      data = undefined;
    }
  }
  const state = parseJson(data);
  if (state === undefined) return undefined;
  return {
    format: 'flask',
    description: 'Flask session cookie (itsdangerous URLSafeTimedSerializer: <payload>.<timestamp>.<HMAC-SHA1>, salt "cookie-session")',
    signed: { hash: 'sha1', message: Buffer.from(`${payload}.${ts}`, 'ascii'), signature, deriveSalt: 'cookie-session' },
    clientSide: true,
    encrypted: false,
    state,
  };
}

/**
 * A hand-rolled signed cookie, `<base64 JSON object>.<signature>`: the state is in the cookie, but
 * the signing input and algorithm are the application's own, so it is not tested for secrets.
 */
export function decodeSignedJson(raw: string): DecodedToken | undefined {
  const parts = safeDecodeURIComponent(raw).split('.');
  if (parts.length !== 2 || !parts[0] || !/^[A-Za-z0-9+/_=-]{16,}$/.test(parts[1] ?? '')) return undefined;
  const state = parseJson(fromBase64(parts[0]));
  if (!isObject(state)) return undefined;
  return { format: 'signed-json', description: 'signed JSON (<base64 JSON>.<signature>, an application-specific format)', clientSide: true, encrypted: false, state };
}

/** Sealed formats recognised by shape: the state is in the cookie, encrypted. */
export function decodeSealed(name: string, raw: string): DecodedToken | undefined {
  const v = safeDecodeURIComponent(raw);
  if (v.startsWith('Fe26.2*')) {
    return { format: 'iron', description: 'iron sealed cookie (Fe26.2*…; hapi/@hapi/yar, iron-session): encrypted state', clientSide: true, encrypted: true };
  }
  // Rails 5.2+ encrypted cookie store: <data>--<iv>--<auth tag>, each base64.
  if (/^[A-Za-z0-9+/]+={0,2}--[A-Za-z0-9+/]{16}={0,2}--[A-Za-z0-9+/]{22}={0,2}$/.test(v) && /session/i.test(name)) {
    return { format: 'rails-encrypted', description: 'Rails encrypted cookie store (<data>--<iv>--<tag>, AES-GCM): encrypted state', clientSide: true, encrypted: true };
  }
  // Laravel encrypts its session cookie, but by default the cookie holds only the session ID.
  const laravel = parseJson(fromBase64(v));
  if (isObject(laravel) && typeof laravel.iv === 'string' && typeof laravel.value === 'string' && typeof laravel.mac === 'string') {
    return { format: 'laravel-encrypted', description: 'Laravel encrypted cookie ({iv, value, mac}): an encrypted session ID unless the cookie session driver is used', clientSide: false, encrypted: true };
  }
  return undefined;
}

/**
 * Recognise a session cookie's format. `jar` holds the other cookies the browser has (for
 * keygrip's `.sig` companion). Never throws.
 */
export function decodeSessionCookie(name: string, raw: string, jar: ReadonlyMap<string, string> = new Map()): DecodedToken {
  try {
    return (
      decodeExpressSession(raw) ??
      decodeJwt(raw) ??
      decodeKeygrip(name, raw, jar.get(`${name}.sig`)) ??
      decodeFlask(raw) ??
      decodeSignedJson(raw) ??
      decodeSealed(name, raw) ?? { format: 'opaque', description: 'opaque value (no known signed or sealed format)', id: safeDecodeURIComponent(raw), clientSide: false, encrypted: false }
    );
  } catch {
    return { format: 'opaque', description: 'opaque value (no known signed or sealed format)', clientSide: false, encrypted: false };
  }
}
