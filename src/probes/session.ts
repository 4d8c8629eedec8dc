/**
 * The baseline every other probe builds on: calibrate the oracle on an anonymous browser, log
 * the victim in, prove the login worked, and find the session cookie(s) by behaviour: a cookie
 * is a session cookie when the auth check fails without it. A configured name is only a hint.
 */
import { AuditAbortError } from '../errors.js';
import { checkAuth } from '../auth/oracle.js';
import { describeLoginResponse, login, type LoginResult } from '../auth/login.js';
import type { CookieState, ExchangeRecord, OracleObservation, SessionCookieEvidence, SessionEvidence } from '../evidence/types.js';
import { Actor, withoutCookies, type JarSnapshot } from '../http/actor.js';
import type { ParsedSetCookie } from '../http/set-cookie.js';
import { newActor, type ProbeContext } from './context.js';

export interface Baseline {
  victim: Actor;
  /** Search browsers the server gave a session of their own (logged out at the end of the audit). */
  strays: Actor[];
  /** Raw session cookie values right after login (memory only, never evidence). */
  sessionValues: Map<string, string>;
  login: LoginResult;
  session: SessionEvidence;
  oracle: { anonymous: OracleObservation; afterLogin: OracleObservation };
}

/** Browsers keep about 50 cookies per domain; testing each costs one request. */
const MAX_CANDIDATES = 60;

export async function establishSession(ctx: ProbeContext): Promise<Baseline> {
  const { config } = ctx;
  const victim = newActor(ctx, 'victim');

  // A victim arrives at the site before logging in; a session issued here is a fixation target.
  ctx.progress('Visiting the target as an anonymous browser');
  await victim.send('pre-login: landing page', { url: ctx.http.target });

  ctx.progress('Calibrating the logged-in check on an anonymous request');
  const anonymous = await checkAuth(victim, config.authCheck, ctx.authCheckUrl, 'auth check: anonymous (calibration)');
  if (anonymous.loggedIn) {
    throw new AuditAbortError(
      `The logged-in check cannot tell logged-in from logged-out: an anonymous request to ${ctx.authCheckUrl.pathname} already meets the expectation (${anonymous.why}). ` +
        'Point --auth-check at a page only a logged-in user gets (e.g. /me, /account), or add authCheck.expect.bodyIncludes with text only a logged-in page shows (such as the username).',
      'E_ORACLE_AMBIGUOUS',
    );
  }

  ctx.progress('Logging in as the victim');
  const result = await login(victim, ctx.loginTarget);
  const afterLogin = await checkAuth(victim, config.authCheck, ctx.authCheckUrl, 'auth check: victim after login');
  if (!afterLogin.loggedIn) {
    const refused = refusedCookies(ctx, victim);
    const missingPage = [404, 405, 410, 501].includes(afterLogin.status) && afterLogin.status === anonymous.status;
    throw new AuditAbortError(
      `Login failed: the login request answered ${describeLoginResponse(result.response, (t) => ctx.http.redactor.clean(t))}, and the logged-in check then saw ${afterLogin.why} (anonymous: ${anonymous.why}). ` +
        (looksLikeBearerLogin(result.response.body, victim, ctx.authCheckUrl)
          ? 'The login answered with a token in its body and set no cookie: session-audit audits cookie-based sessions, and this API looks like it expects an Authorization header instead. '
          : '') +
        (crossOriginRedirect(ctx, result.exchangeIds) ?? '') +
        (missingPage
          ? `${ctx.authCheckUrl.pathname} answered ${afterLogin.status} both before and after login: if that URL does not exist, point --auth-check at one that does (e.g. /me, /account); otherwise the login did not work. `
          : '') +
        (refused.length > 0
          ? `A browser refused cookie${refused.length === 1 ? '' : 's'} ${refused.join(', ')} set during login (a Secure cookie over plain http, a __Host-/__Secure- prefix whose rules are broken, or a Domain that does not match the host); the session may depend on ${refused.length === 1 ? 'it' : 'them'}. `
          : '') +
        `Check the username, the password in $${config.credentials.passwordEnv}, --login/--login-type and the login body fields.`,
      'E_LOGIN_FAILED',
    );
  }

  ctx.progress('Finding the session cookie');
  const search = await identifySessionCookies(ctx, victim, result);
  const session = search.session;
  let current = victim;
  if (search.reissued.size > 0) {
    // The search requests carried the victim's cookies, and the server replaced some of them
    // (a single-use remember-me token, an ID rotated on every request): the victim's copies may
    // be dead now. Later probes need a live session, so the victim logs in once more.
    ctx.progress('The server reissued cookies during the search; logging the victim in again');
    const fresh = newActor(ctx, 'victim');
    await login(fresh, ctx.loginTarget, 'login again (cookies reissued during the search)');
    const check = await checkAuth(fresh, config.authCheck, ctx.authCheckUrl, 'auth check: victim after logging in again');
    if (check.loggedIn) current = fresh;
    const again = check.loggedIn ? 'the victim logged in again for the later probes' : 'logging in again failed, so later probes use the first session';
    session.note = `${session.note ? `${session.note} ` : ''}The server replaced ${[...search.reissued].join(', ')} in answer to the session cookie search; ${again}.`;
  }
  const held = current.cookiesFor(ctx.authCheckUrl);
  const sessionValues = new Map(session.cookies.map((c) => [c.name, held.find((h) => h.name === c.name)?.value ?? '']));
  return { victim: current, strays: search.strays, sessionValues, login: result, session, oracle: { anonymous, afterLogin } };
}

/** A login redirect that was recorded but not followed, said plainly. */
function crossOriginRedirect(ctx: ProbeContext, ids: number[]): string | undefined {
  const hop = ctx.http.exchanges.find((e) => ids.includes(e.id) && e.redirectNotFollowed);
  return hop ? `The login redirected to ${hop.location ?? 'another location'}, which was not followed: ${hop.redirectNotFollowed}. ` : undefined;
}

/** A JSON login answer carrying a token while the browser holds no cookie at all. */
function looksLikeBearerLogin(body: string, victim: Actor, url: URL): boolean {
  if (victim.cookiesFor(url).length > 0) return false;
  return /"(access_?token|id_?token|token|jwt|auth_?token)"\s*:\s*"[^"]{16,}"/i.test(body);
}

/** Names the victim was sent (not as deletions) that its jar did not keep. */
function refusedCookies(ctx: ProbeContext, victim: Actor): string[] {
  const held = new Set(victim.cookiesFor(ctx.authCheckUrl).map((c) => c.name));
  const sent = ctx.http.exchanges.filter((e) => e.actor === 'victim').flatMap((e) => e.setCookies.filter((c) => !c.deletion).map((c) => c.name));
  return [...new Set(sent)].filter((n) => n !== '' && !held.has(n));
}

/**
 * The Set-Cookie lines behind the victim's current value of `name`, newest first: for each
 * (domain, path) the browser holds, the last line it stored. Usually one line; two when the same
 * token was also set for another Domain or Path (both cookies then exist and both are judged).
 */
function findSetters(exchanges: ExchangeRecord[], name: string, fp: string): Array<{ line: ParsedSetCookie; exchangeId: number }> {
  const found: Array<{ line: ParsedSetCookie; exchangeId: number }> = [];
  // One line per stored cookie (name, domain, path): a later line for the same triple replaced
  // the earlier one in the browser; lines the browser refused were never held at all.
  const superseded = new Set<string>();
  for (let i = exchanges.length - 1; i >= 0; i -= 1) {
    const ex = exchanges[i] as ExchangeRecord;
    if (ex.actor !== 'victim') continue;
    for (let j = ex.setCookies.length - 1; j >= 0; j -= 1) {
      const sc = ex.setCookies[j] as ParsedSetCookie;
      if (sc.name !== name || sc.refused) continue;
      const key = `${sc.domain ?? ''}|${sc.path ?? ''}`;
      if (superseded.has(key)) continue;
      superseded.add(key);
      if (sc.value.fp === fp && !sc.deletion) found.push({ line: sc, exchangeId: ex.id });
    }
  }
  return found;
}

export function guessStack(cookies: Array<{ name: string; value: { masked: string } }>, allNames: string[]): SessionEvidence['stack'] {
  const names = new Set(allNames.map((n) => n.toLowerCase()));
  for (const c of cookies) {
    const n = c.name.toLowerCase();
    if (n === 'connect.sid' || /^s(%3a|:)/i.test(c.value.masked)) return 'express-session';
    if ((n === 'session' || n === 'express:sess') && names.has(`${n}.sig`)) return 'cookie-session';
    if (n === 'phpsessid') return 'php';
    if (n === 'jsessionid') return 'java';
    if (n.startsWith('asp.net_sessionid')) return 'aspnet';
    if (n === 'sessionid') return 'django';
    if (n === 'laravel_session') return 'laravel';
    if (n === '_session_id' || /^_[a-z0-9_]+_session$/.test(n)) return 'rails';
    if (n === 'session') return 'flask';
  }
  return undefined;
}

interface CookieSearch {
  session: SessionEvidence;
  /** Cookies the server replaced in answer to a search request that carried them. */
  reissued: Set<string>;
  strays: Actor[];
}

/** One search request: the logged-in check from a copy of the victim's jar, and what it changed. */
async function searchProbe(ctx: ProbeContext, snapshot: JarSnapshot, without: string[], search: Pick<CookieSearch, 'reissued' | 'strays'>): Promise<boolean> {
  const probe = new Actor('probe', ctx.http, withoutCookies(snapshot, new Set(without)));
  const obs = await checkAuth(probe, ctx.config.authCheck, ctx.authCheckUrl, `session cookie search: without ${without.join(', ')}`);
  const record = ctx.http.exchanges.find((e) => e.id === obs.exchangeId);
  let replaced = false;
  for (const sc of record?.setCookies ?? []) {
    const sent = record?.sentCookies.find((c) => c.name === sc.name);
    if (sent && !sc.deletion && sent.value.fp !== sc.value.fp) {
      search.reissued.add(sc.name);
      replaced = true;
    }
  }
  if (replaced && obs.loggedIn) search.strays.push(probe);
  return obs.loggedIn;
}

async function identifySessionCookies(ctx: ProbeContext, victim: Actor, result: LoginResult): Promise<CookieSearch> {
  const search: Pick<CookieSearch, 'reissued' | 'strays'> = { reissued: new Set(), strays: [] };
  const url = ctx.authCheckUrl;
  const before = new Actor('probe', ctx.http, result.beforeSubmit).cookieStates(url);
  const after = victim.cookieStates(url);
  const beforeFp = new Map(before.map((c) => [c.name, c.value.fp]));
  const changed = (c: CookieState): boolean => beforeFp.get(c.name) !== c.value.fp;
  const names = [...new Set(after.map((c) => c.name))];
  const hint = ctx.config.sessionCookie;
  const ordered = [
    ...names.filter((n) => n === hint),
    ...names.filter((n) => n !== hint && after.some((c) => c.name === n && changed(c))),
    ...names.filter((n) => n !== hint && !after.some((c) => c.name === n && changed(c))),
  ].slice(0, MAX_CANDIDATES);

  const snapshot = victim.snapshot();
  const essential = new Set<string>();
  for (const name of ordered) {
    if (!(await searchProbe(ctx, snapshot, [name], search))) essential.add(name);
  }

  let identifiedBy: SessionEvidence['identifiedBy'] = 'behaviour';
  let chosen = [...essential];
  let note: string | undefined;
  if (hint !== undefined && !names.includes(hint)) {
    note = `The configured session cookie "${hint}" was not set by the target; the session cookie was found by behaviour instead.`;
  }
  if (chosen.length === 0) {
    // No single cookie is essential: several cookies can each restore the session (e.g. a remember-me cookie).
    if (hint !== undefined && names.includes(hint)) {
      chosen = [hint];
      identifiedBy = 'hint';
      note = `No single cookie was essential to the logged-in check; using the configured session cookie "${hint}".`;
    } else {
      // Try the cookies set or changed at login as a group, then every cookie; keep the first
      // group whose removal logs the browser out. If none does, the session is not in a cookie.
      const changedNames = names.filter((n) => after.some((c) => c.name === n && changed(c)));
      const groups = changedNames.length > 0 && changedNames.length < names.length ? [changedNames, names] : [names];
      identifiedBy = 'group';
      chosen = [];
      for (const group of groups) {
        if (group.length === 0) continue;
        if (!(await searchProbe(ctx, snapshot, group, search))) {
          chosen = group;
          break;
        }
      }
      if (chosen.length === 0) {
        throw new AuditAbortError(
          `The logged-in check cannot tell logged-in from logged-out by cookies: ${url.pathname} still passed after every cookie was removed from the logged-in browser. ` +
            'Either the check depends on something other than the session (server-wide state, the client address, a header given with -H), or the session is not carried by a cookie. ' +
            'Point --auth-check at a URL whose answer depends on the session, or add authCheck.expect.bodyIncludes.',
          'E_ORACLE_NO_COOKIE',
        );
      }
      note = `No single cookie was essential to the logged-in check; the cookies ${chosen.join(', ')} together carry the session and are all judged.`;
    }
  }

  const cookies: SessionCookieEvidence[] = chosen.map((name) => {
    const state = after.find((c) => c.name === name) as CookieState;
    const [setter, ...others] = findSetters(ctx.http.exchanges, name, state.value.fp);
    const prev = beforeFp.get(name);
    const ev: SessionCookieEvidence = {
      name,
      value: state.value,
      issued: prev === undefined ? (setter ? 'at-login' : 'unknown') : prev === state.value.fp ? 'before-login' : 'at-login',
      essential: essential.has(name),
    };
    if (setter) {
      ev.setCookie = setter.line;
      ev.setCookieExchangeId = setter.exchangeId;
    }
    if (others.length > 0) ev.alsoSetBy = others.map((o) => o.line);
    return ev;
  });

  const loginExchangeIds = ctx.http.exchanges.filter((e) => e.actor === 'victim').map((e) => e.id);
  const session: SessionEvidence = {
    identifiedBy,
    cookies,
    beforeLogin: before,
    afterLogin: after,
    loginExchangeIds,
    https: ctx.http.target.protocol === 'https:',
    host: ctx.http.target.hostname,
  };
  const stack = guessStack(cookies, names);
  if (stack) session.stack = stack;
  if (note) session.note = note;
  return { session, ...search };
}
