/**
 * Token analysis of the session cookies the victim holds: format, JWT claims, readable personal
 * data, and an offline search for a weak signing secret (no requests). Active parts, each from a
 * fresh browser holding only the session cookies, judged by the auth oracle:
 * - with --prove, a cookie forged with the found secret, and the same forgery signed with a
 *   random secret as the control (a server that ignores signatures would accept both);
 * - for a JWT, alg:none re-encodings (none, None, NONE; empty signature), after a control
 *   request with a broken signature.
 * Raw values stay in memory; evidence holds formats, claim names and observations.
 */
import { z } from 'zod';
import { checkAuth } from '../auth/oracle.js';
import type { AlgNoneEvidence, ForgeProof, OracleObservation, ProbeOutcome, TokenCookieEvidence, TokenEvidence, WeakSecretEvidence } from '../evidence/types.js';
import { Actor, onlyCookies } from '../http/actor.js';
import { crack, type Candidate } from '../tokens/crack.js';
import { algNoneToken, forge, randomSecret, tamperedJwt } from '../tokens/forge.js';
import { decodeJwt, decodeSessionCookie, type DecodedToken } from '../tokens/formats.js';
import { findPersonalData } from '../tokens/personal.js';
import { builtInSecrets } from '../tokens/secrets.js';
import { errorMessage, type ProbeContext } from './context.js';
import type { Baseline } from './session.js';

export const ALG_NONE_VARIANTS = ['none', 'None', 'NONE'] as const;

const HASH_LABEL = { sha1: 'HMAC-SHA1', sha256: 'HMAC-SHA256', sha384: 'HMAC-SHA384', sha512: 'HMAC-SHA512' } as const;

/** One request from a fresh browser holding the victim's session cookies, some replaced. */
async function sendWith(ctx: ProbeContext, base: Baseline, replace: Record<string, string>, purpose: string): Promise<OracleObservation> {
  // The replaced cookies are removed first: a planted copy next to the original (another Domain
  // or Path) would travel with it, and the server might read the original.
  const keep = new Set(base.session.cookies.map((c) => c.name).filter((n) => !(n in replace)));
  const actor = new Actor('attacker', ctx.http, onlyCookies(base.victim.snapshot(), keep));
  for (const [name, value] of Object.entries(replace)) {
    const like = base.session.cookies.find((c) => c.name === name || `${c.name}.sig` === name)?.setCookie;
    ctx.http.redactor.remember(value);
    actor.plant(name, value, ctx.authCheckUrl, like);
  }
  return checkAuth(actor, ctx.config.authCheck, ctx.authCheckUrl, purpose);
}

async function prove(ctx: ProbeContext, base: Baseline, name: string, raw: string, token: DecodedToken, secret: Buffer): Promise<ProbeOutcome<ForgeProof>> {
  try {
    const forged = forge(name, raw, token, secret);
    const control = forge(name, raw, token, randomSecret());
    if (!forged || !control) return { status: 'skipped', reason: `a ${token.format} cookie cannot be rebuilt from this value` };
    const accepted = await sendWith(ctx, base, forged.cookies, `weak secret proof: cookie forged with the found secret`);
    const refused = await sendWith(ctx, base, control.cookies, `weak secret proof (control): same cookie signed with a random secret`);
    return { status: 'ok', data: { forged: forged.change, accepted, control: refused } };
  } catch (err) {
    return { status: 'error', error: errorMessage(err) };
  }
}

async function algNone(ctx: ProbeContext, base: Baseline, name: string, raw: string, token: DecodedToken, essential: boolean): Promise<ProbeOutcome<AlgNoneEvidence>> {
  if (raw.split('.').length !== 3 || raw.includes('%') || /^bearer/i.test(raw)) {
    return { status: 'skipped', reason: `the JWT in ${name} is wrapped (URL-encoded or prefixed), so a re-encoded token could not be sent as the server expects it` };
  }
  if (!essential) {
    return { status: 'skipped', reason: `${name} alone is not essential to the logged-in check (other cookies also carry the session), so acceptance of an altered token would prove nothing` };
  }
  try {
    const tampered = tamperedJwt(raw);
    if (!tampered) return { status: 'skipped', reason: `the JWT in ${name} has no signature to alter` };
    ctx.progress('JWT: testing alg:none');
    const control = await sendWith(ctx, base, { [name]: tampered }, 'jwt alg:none (control): signature altered');
    const variants: AlgNoneEvidence['variants'] = [];
    for (const alg of ALG_NONE_VARIANTS) {
      const forged = algNoneToken(token, raw, alg);
      if (!forged) continue;
      variants.push({ alg, observation: await sendWith(ctx, base, { [name]: forged }, `jwt alg:none: alg "${alg}", empty signature`) });
    }
    return { status: 'ok', data: { control, variants } };
  } catch (err) {
    return { status: 'error', error: errorMessage(err) };
  }
}

/** The offline search (built-in list, then --wordlist) and, with --prove, the proof. */
async function searchSecret(ctx: ProbeContext, signed: NonNullable<DecodedToken['signed']>, wordlist: readonly Candidate[], what: string, proveWith: (secret: Buffer) => Promise<ProbeOutcome<ForgeProof>>): Promise<WeakSecretEvidence> {
  ctx.progress(`Testing ${what} against known weak secrets`);
  const builtIn = builtInSecrets();
  let res = crack(signed, builtIn);
  let source: 'built-in' | 'wordlist' = 'built-in';
  let tried = res.tried;
  let ms = res.ms;
  if (!res.found && wordlist.length > 0) {
    res = crack(signed, wordlist);
    source = 'wordlist';
    tried += res.tried;
    ms += res.ms;
  }
  const ws: WeakSecretEvidence = {
    algorithm: `${HASH_LABEL[signed.hash]}${signed.deriveSalt ? ` (key derived with salt "${signed.deriveSalt}")` : ''}`,
    tried,
    ms: Math.round(ms),
    builtIn: builtIn.length,
    wordlist: wordlist.length,
  };
  if (res.found) {
    // A built-in entry is a published default, named in the report; a --wordlist entry may
    // be the user's own secret, so it is masked like a token.
    const shown = source === 'built-in' || ctx.config.showSecrets;
    ws.found = { source, secret: shown ? JSON.stringify(res.found.text).slice(1, -1) : ctx.http.redactor.ref(res.found.text).masked, shown };
    if (ctx.config.prove) {
      ctx.progress(`Proving the weak secret of ${what} with a forged cookie`);
      ws.proof = await proveWith(res.found.bytes);
    }
  }
  return ws;
}

function jwtSummary(token: DecodedToken): TokenCookieEvidence['jwt'] {
  if (!token.jwt) return undefined;
  const { header, payload } = token.jwt;
  const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  const out: NonNullable<TokenCookieEvidence['jwt']> = { alg: String(header.alg).slice(0, 40), claims: Object.keys(payload).slice(0, 50).map((k) => k.slice(0, 60)), observedAt: Math.floor(Date.now() / 1000) };
  if (typeof header.typ === 'string') out.typ = header.typ.slice(0, 40);
  const exp = num(payload.exp);
  const iat = num(payload.iat);
  const nbf = num(payload.nbf);
  if (exp !== undefined) out.exp = exp;
  if (iat !== undefined) out.iat = iat;
  if (nbf !== undefined) out.nbf = nbf;
  return out;
}

/** Field names a login API returns a bearer token in. */
const TOKEN_FIELD = /^(access_?token|id_?token|token|jwt|auth_?token|session_?token)$/i;
const jsonObject = z.record(z.string(), z.unknown());

/**
 * A JWT the login answered with in its JSON body (top level, or one level down as in
 * `{"data": {"token": …}}`), that is not also the session cookie. Judged offline only: the oracle
 * sends cookies, not an Authorization header.
 */
export function loginResponseJwt(body: string): { field: string; token: string } | undefined {
  if (body.length > 1_000_000 || !/^\s*\{/.test(body)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  const top = jsonObject.safeParse(parsed);
  if (!top.success) return undefined;
  const levels = [top.data, ...Object.values(top.data).flatMap((v) => {
    const inner = jsonObject.safeParse(v);
    return inner.success ? [inner.data] : [];
  })];
  for (const level of levels) {
    for (const [field, value] of Object.entries(level)) {
      if (TOKEN_FIELD.test(field) && typeof value === 'string' && decodeJwt(value)) return { field, token: value };
    }
  }
  return undefined;
}

export async function probeTokens(ctx: ProbeContext, base: Baseline, wordlist: readonly Candidate[]): Promise<ProbeOutcome<TokenEvidence>> {
  try {
    const jar = new Map(base.victim.cookiesFor(ctx.authCheckUrl).map((c) => [c.name, c.value]));
    const cookies: TokenCookieEvidence[] = [];
    for (const c of base.session.cookies) {
      const raw = base.sessionValues.get(c.name) || jar.get(c.name);
      if (!raw) continue;
      // keygrip's companion signature cookie is judged together with the cookie it signs.
      if (c.name.endsWith('.sig') && jar.has(c.name.slice(0, -4))) continue;
      const token = decodeSessionCookie(c.name, raw, jar);
      const ev: TokenCookieEvidence = {
        cookie: c.name,
        format: token.format,
        description: token.description,
        clientSide: token.clientSide,
        encrypted: token.encrypted,
        essential: c.essential,
        personalData: token.state !== undefined && !token.encrypted ? findPersonalData(token.state) : [],
      };
      const jwt = jwtSummary(token);
      if (jwt) ev.jwt = jwt;
      if (token.signed) ev.weakSecret = await searchSecret(ctx, token.signed, wordlist, c.name, async (secret) => prove(ctx, base, c.name, raw, token, secret));
      if (token.format === 'jwt') ev.algNone = await algNone(ctx, base, c.name, raw, token, c.essential);
      cookies.push(ev);
    }
    const fromBody = loginResponseJwt(base.login.response.body);
    if (fromBody && ![...base.sessionValues.values()].includes(fromBody.token)) {
      const token = decodeJwt(fromBody.token) as DecodedToken;
      ctx.http.redactor.remember(fromBody.token);
      const ev: TokenCookieEvidence = {
        cookie: fromBody.field,
        source: 'login-response',
        format: 'jwt',
        description: `${token.description}, returned in the login response's "${fromBody.field}" field`,
        clientSide: true,
        encrypted: false,
        essential: false,
        personalData: findPersonalData(token.state),
      };
      const jwt = jwtSummary(token);
      if (jwt) ev.jwt = jwt;
      if (token.signed) {
        ev.weakSecret = await searchSecret(ctx, token.signed, wordlist, `the login response's token`, async () => ({
          status: 'skipped',
          reason: 'the token came in the login response body; the oracle sends cookies, not an Authorization header, so a forged token cannot be tried',
        }));
      }
      ev.algNone = { status: 'skipped', reason: `the token came in the login response's "${fromBody.field}" field; the oracle sends cookies, not an Authorization header, so altered tokens cannot be tried` };
      cookies.push(ev);
    }
    return { status: 'ok', data: { cookies } };
  } catch (err) {
    return { status: 'error', error: errorMessage(err) };
  }
}
