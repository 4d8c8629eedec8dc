/**
 * What the waiting probes share: a fresh login per probe, the lifetime a session cookie promises
 * (Max-Age/Expires, or a JWT's `exp`), replays from a stolen copy, abortable waits and the
 * countdown shown on the spinner.
 *
 * Replays that only check validity are sent by a new browser holding a hand-planted copy of the
 * saved cookie values, without any client-side expiry: an attacker replays a stolen cookie, and
 * a browser that dropped an expired cookie would prove nothing about the server.
 */
import { formatDuration } from '../config/duration.js';
import { InterruptedError } from '../errors.js';
import { login, logout } from '../auth/login.js';
import { checkAuth } from '../auth/oracle.js';
import type { LifetimePromise, OracleObservation } from '../evidence/types.js';
import { Actor } from '../http/actor.js';
import { newActor, type ProbeContext } from './context.js';

/** Waits end this long after the moment they test: max(1s, 10% of the wait). */
export function marginFor(waitMs: number): number {
  return Math.max(1000, Math.ceil(waitMs / 10));
}

/** The --expiry-wait value that would let a wait of `ms` run, rounded up to a readable unit. */
export function neededFlag(ms: number): string {
  if (ms > 365 * 86_400_000) return 'a wait longer than --expiry-wait allows (at most 365d)';
  const unit = ms <= 60_000 ? 1000 : ms <= 3_600_000 ? 60_000 : 3_600_000;
  return `--expiry-wait ${formatDuration(Math.ceil(ms / unit) * unit)}`;
}

export { InterruptedError };

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new InterruptedError();
}

/** setTimeout that ends early (rejecting) when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return signal?.aborted ? Promise.reject(new InterruptedError()) : Promise.resolve();
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new InterruptedError());
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new InterruptedError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** One live countdown on the spinner for all concurrent waits: the longest one left. */
export class Countdown {
  readonly #ends = new Map<string, number>();
  readonly #progress: (text: string) => void;
  #timer: NodeJS.Timeout | undefined;

  constructor(progress: (text: string) => void) {
    this.#progress = progress;
  }

  set(label: string, endAt: number): void {
    this.#ends.set(label, endAt);
    this.#render();
    if (!this.#timer) {
      this.#timer = setInterval(() => this.#render(), 1000);
      this.#timer.unref();
    }
  }

  /** Show `label` counting down to `endAt` while `work` runs (a wait, or a busy phase). */
  async during<T>(label: string, endAt: number, work: () => Promise<T>): Promise<T> {
    this.set(label, endAt);
    try {
      return await work();
    } finally {
      this.done(label);
    }
  }

  done(label: string): void {
    this.#ends.delete(label);
    if (this.#ends.size === 0) this.stop();
    else this.#render();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #render(): void {
    const now = Date.now();
    const secs = (ms: number): string => `${formatDuration(Math.max(1, Math.ceil(ms / 1000)) * 1000)}`;
    const parts = [...this.#ends].map(([label, end]) => `${label} ${secs(end - now)}`);
    const longest = Math.max(...[...this.#ends.values()].map((e) => e - now));
    this.#progress(`Waiting ${secs(longest)} for session lifetimes (${parts.join(', ')} left)`);
  }
}

/** A cookie as held by a browser: enough to plant a copy. */
export interface HeldCookie {
  name: string;
  value: string;
  path: string;
  secure: boolean;
}

/** A session opened for one probe: its own browser and the raw values it held right after login (memory only). */
export interface FreshSession {
  actor: Actor;
  held: HeldCookie[];
  loginExchangeIds: number[];
  /** The login answer's Date header, for JWT `exp`. */
  serverDate?: Date;
  /** Local time when the login answer arrived. */
  loggedInAt: number;
}

export async function openSession(ctx: ProbeContext, label: string): Promise<FreshSession> {
  throwIfAborted(ctx.signal);
  const actor = newActor(ctx, 'victim');
  const result = await login(actor, ctx.loginTarget, `${label}: login`);
  const date = result.response.headers.date;
  const serverDate = typeof date === 'string' && !Number.isNaN(Date.parse(date)) ? new Date(date) : undefined;
  const held = actor.cookiesFor(ctx.authCheckUrl).map((c) => ({ name: c.name, value: c.value, path: c.path, secure: c.secure }));
  const out: FreshSession = { actor, held, loginExchangeIds: result.exchangeIds, loggedInAt: Date.now() };
  if (serverDate) out.serverDate = serverDate;
  return out;
}

/** A new browser holding a hand-planted copy of `held` (no Max-Age/Expires, so it never drops them). */
export function stolenCopy(ctx: ProbeContext, held: readonly HeldCookie[]): Actor {
  const actor = newActor(ctx, 'replay');
  for (const c of held) actor.plant(c.name, c.value, ctx.authCheckUrl, { path: c.path, secure: c.secure });
  return actor;
}

export async function replay(ctx: ProbeContext, held: readonly HeldCookie[], purpose: string): Promise<{ obs: OracleObservation; actor: Actor }> {
  throwIfAborted(ctx.signal);
  const actor = stolenCopy(ctx, held);
  const obs = await checkAuth(actor, ctx.config.authCheck, ctx.authCheckUrl, purpose);
  return { obs, actor };
}

/**
 * The session's own check, after all logins of all waiting probes are done. A server that rotates
 * the session ID on every request (or re-issues it) answers this check with new values and may
 * end the old ones: `held` follows them, so every later replay starts from the session as it was
 * at its last request, not from values the server already retired.
 */
export async function checkAlive(ctx: ProbeContext, s: FreshSession, label: string): Promise<OracleObservation> {
  throwIfAborted(ctx.signal);
  const obs = await checkAuth(s.actor, ctx.config.authCheck, ctx.authCheckUrl, `${label}: session alive before the clock starts`);
  s.held = s.actor.cookiesFor(ctx.authCheckUrl).map((c) => ({ name: c.name, value: c.value, path: c.path, secure: c.secure }));
  return obs;
}

export const ENDED_BY_OTHER_LOGIN =
  'the server ended this session before the wait began, when another browser logged in (one session per user?), so its lifetime could not be measured';

/** Decode a JWT's payload (no signature check: only the promise matters) and return `exp` in seconds. */
export function jwtExp(value: string): number | undefined {
  return jwtTimes(value)?.exp;
}

/**
 * How long a JWT promised to live from the moment the login answered, in whole seconds. `exp` is
 * read on the server's clock, which the Date header may not share (a proxy or CDN writes Date; a
 * host's clock drifts): a Date ahead of the clock that signed the token would shorten the promise,
 * down to 0s, and an expiry the server enforces correctly would read as outlived. So the longest
 * reading wins, of `exp − iat` (both from the signer's clock), `exp −` the Date header and
 * `exp −` the local clock: a longer promise only makes a wait longer, never a verdict false.
 */
export function jwtPromiseSeconds(value: string, serverDateMs: number | undefined, localMs: number): number | undefined {
  const t = jwtTimes(value);
  if (t?.exp === undefined) return undefined;
  const readings = [t.exp - localMs / 1000];
  if (serverDateMs !== undefined) readings.push(t.exp - serverDateMs / 1000);
  if (t.iat !== undefined && t.iat <= t.exp) readings.push(t.exp - t.iat);
  return Math.max(0, Math.ceil(Math.max(...readings)));
}

function jwtTimes(value: string): { exp?: number; iat?: number } | undefined {
  let v = value;
  try {
    v = decodeURIComponent(value);
  } catch {
    // keep as is
  }
  const m = /^(?:Bearer\s+)?([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]*)$/.exec(v);
  if (!m) return undefined;
  try {
    const header = JSON.parse(Buffer.from(m[1] as string, 'base64url').toString('utf8')) as unknown;
    if (typeof header !== 'object' || header === null || !('alg' in header)) return undefined;
    const payload = JSON.parse(Buffer.from(m[2] as string, 'base64url').toString('utf8')) as unknown;
    if (typeof payload !== 'object' || payload === null) return undefined;
    const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
    const out: { exp?: number; iat?: number } = {};
    const exp = num((payload as Record<string, unknown>).exp);
    const iat = num((payload as Record<string, unknown>).iat);
    if (exp !== undefined) out.exp = exp;
    if (iat !== undefined) out.iat = iat;
    return out;
  } catch {
    return undefined;
  }
}

/**
 * The promises the login made for the given session cookies: each cookie's last Set-Cookie line
 * in the login (Max-Age wins over Expires, as in browsers) and a JWT `exp` in its value.
 */
export function promisesOf(ctx: ProbeContext, s: FreshSession, names: readonly string[]): LifetimePromise[] {
  const out: LifetimePromise[] = [];
  const exchanges = ctx.http.exchanges.filter((e) => s.loginExchangeIds.includes(e.id));
  for (const name of names) {
    const line = exchanges.flatMap((e) => e.setCookies).filter((c) => c.name === name && !c.deletion && !c.refused).pop();
    if (line?.lifetimeSeconds !== undefined) {
      out.push({ cookie: name, source: line.maxAge !== undefined ? 'max-age' : 'expires', seconds: line.lifetimeSeconds });
    }
    const value = s.held.find((h) => h.name === name)?.value;
    const seconds = value === undefined ? undefined : jwtPromiseSeconds(value, s.serverDate?.getTime(), s.loggedInAt);
    if (seconds !== undefined) out.push({ cookie: name, source: 'jwt-exp', seconds });
  }
  return out;
}

/** The session cookies a promise is taken from: the essential ones when any are, else all. */
export function judgedNames(cookies: ReadonlyArray<{ name: string; essential: boolean }>): string[] {
  const essential = cookies.filter((c) => c.essential).map((c) => c.name);
  return essential.length > 0 ? essential : cookies.map((c) => c.name);
}

/**
 * Leave no session behind: when a logout endpoint is configured, log out each session a probe
 * opened, from a copy of its cookies (best effort; a session that already ended costs one request).
 */
export async function logOutSessions(ctx: ProbeContext, sessions: ReadonlyArray<readonly HeldCookie[]>, label: string): Promise<void> {
  const cfg = ctx.config.logout;
  if (!cfg || ctx.signal?.aborted) return;
  for (const held of sessions) {
    await logout(stolenCopy(ctx, held), cfg, ctx.http.target, `cleanup: log out the ${label} session`).catch(() => undefined);
  }
}
