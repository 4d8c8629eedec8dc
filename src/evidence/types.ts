/**
 * Evidence: plain, serialisable data that probes gather and rules judge. It never holds a raw
 * token (see http/redact.ts) nor a password.
 */
import type { ParsedSetCookie } from '../http/set-cookie.js';
import type { ValueRef } from '../http/redact.js';
import type { EntropyAnalysis } from '../tokens/entropy.js';

export type ActorName = 'victim' | 'attacker' | 'second-device' | 'probe' | 'replay';

export interface SentCookie {
  name: string;
  value: ValueRef;
}

/** One HTTP request and its response, as one actor saw it. */
export interface ExchangeRecord {
  id: number;
  actor: ActorName;
  /** What the request was for, e.g. "login: submit form", "logout replay: old cookie". */
  purpose: string;
  method: string;
  url: string;
  status?: number;
  error?: string;
  sentCookies: SentCookie[];
  setCookies: ParsedSetCookie[];
  /** Set-Cookie lines that could not be parsed at all (masked). */
  unparsedSetCookies?: string[];
  location?: string;
  /** A redirect that was recorded but not followed (another origin, or the hop cap). */
  redirectNotFollowed?: string;
  timeMs?: number;
}

export interface OracleObservation {
  exchangeId: number;
  status: number;
  /** Did the response meet authCheck.expect? */
  loggedIn: boolean;
  /** Which part of the expectation decided, e.g. "status 401 is not 200". */
  why: string;
}

export interface CookieState {
  name: string;
  domain: string;
  path: string;
  value: ValueRef;
}

export interface SessionCookieEvidence {
  name: string;
  value: ValueRef;
  /** The Set-Cookie line that gave the browser its current value. */
  setCookie?: ParsedSetCookie;
  setCookieExchangeId?: number;
  /** Other, differently written Set-Cookie lines that carried the same value (all are judged). */
  alsoSetBy?: ParsedSetCookie[];
  /** When the browser got the current value. */
  issued: 'before-login' | 'at-login' | 'unknown';
  /** True when removing this cookie alone made the auth check fail. */
  essential: boolean;
}

export interface SessionEvidence {
  /** How the session cookies were found. */
  identifiedBy: 'behaviour' | 'group' | 'hint';
  note?: string;
  cookies: SessionCookieEvidence[];
  /** Cookies in the victim's jar just before credentials were submitted. */
  beforeLogin: CookieState[];
  /** Cookies in the victim's jar after login. */
  afterLogin: CookieState[];
  /** Every Set-Cookie the victim received until the session was identified (pre-login, login, checks). */
  loginExchangeIds: number[];
  /** Is the target served over https? Secure cookies mean little over http. */
  https: boolean;
  host: string;
  /** A guess at the session framework from cookie names and value shapes, for fix snippets. */
  stack?: 'express-session' | 'cookie-session' | 'php' | 'java' | 'aspnet' | 'django' | 'flask' | 'rails' | 'laravel';
}

export type ProbeOutcome<T> =
  | { status: 'ok'; data: T }
  | { status: 'skipped'; reason: string }
  | { status: 'error'; error: string };

export interface FixationEvidence {
  /** Session cookies whose value before login equals the value after login. */
  unchanged: string[];
  /** Session cookies that had no value before login. */
  absentBeforeLogin: string[];
  rotated: string[];
  /** The second browser that never logged in, holding only pre-login cookies. */
  replay?: OracleObservation;
}

export interface AdoptionEvidence {
  planted: Array<{ name: string; value: ValueRef }>;
  /** Which planted values the server still used after login. */
  kept: string[];
  loginStatus?: number;
  /** The second device's requests: planted-cookie login, its check, and the attacker's replay. */
  exchangeIds?: number[];
  /** A browser holding only the planted values, after the victim logged in. */
  replay?: OracleObservation;
}

export interface LogoutEvidence {
  logoutExchangeIds: number[];
  logoutStatus?: number;
  /** The victim's own check right before logout (must be logged in for the test to mean anything). */
  beforeLogout: OracleObservation;
  /** What the logout told the browser to do with each session cookie. */
  cookieActions: Array<{
    name: string;
    action: 'deleted' | 'replaced' | 'kept';
    line?: string;
    /** A deletion was sent but did not apply (its Path or Domain did not match the cookie). */
    deletionIgnored?: boolean;
  }>;
  /** The victim's browser after logout. */
  victimAfter: OracleObservation;
  /** A second browser replaying the cookies saved before logout. */
  replay: OracleObservation;
}

/** An auth check at a known moment: `atMs` after the probe started its clock. */
export interface TimedObservation extends OracleObservation {
  atMs: number;
}

/** What the session cookie told the browser about its lifetime. */
export interface LifetimePromise {
  cookie: string;
  source: 'max-age' | 'expires' | 'jwt-exp';
  /** Seconds from the response that set it (JWT: from the server's Date to `exp`). */
  seconds: number;
}

/** A session logged in, checked alive, left untouched, then replayed from a stolen copy. */
export interface IdleReplayEvidence {
  /** The session's own check right after all logins; the clock starts after it. */
  alive: OracleObservation;
  /** How long the session was left without a request before the replay. */
  idleMs: number;
  /** A fresh browser holding a hand-planted copy of the saved cookie values (no client-side expiry). */
  replay: TimedObservation;
  /** Cookies the server answered the replay with under a new value (a session renewed from another cookie). */
  renewed?: string[];
}

/** A session kept busy with requests from a stolen copy that follows re-issued cookies. */
export interface BusyEvidence {
  alive: OracleObservation;
  spacingMs: number;
  /** Requests made to keep the session busy, and when the first one found it logged out. */
  requests: number;
  loggedOutAtMs?: number;
  lastLoggedInAtMs?: number;
  busyForMs: number;
  /** The server re-issued a session cookie while busy (a new promise). */
  reissued: Array<{ atMs: number; cookie: string; sameValue: boolean; seconds?: number }>;
  /** The final check after the busy phase (and any idle wait for the latest promise). */
  replay: TimedObservation;
  exchangeIds: number[];
}

export interface ExpiryEvidence {
  /** The earliest promise among the essential session cookies (cookie Max-Age/Expires or JWT exp). */
  promise: LifetimePromise;
  marginMs: number;
  idle: ProbeOutcome<IdleReplayEvidence>;
  /** `latestPromiseAtMs`: when the latest promise ran out (ms after the clock started); the replay must come `marginMs` after it. */
  busy: ProbeOutcome<BusyEvidence & { latestPromiseAtMs: number; marginMs?: number }>;
}

export interface IdleTimeoutEvidence extends IdleReplayEvidence {
  idleTimeoutMs: number;
  marginMs: number;
}

export interface AbsoluteTimeoutEvidence extends BusyEvidence {
  maxLifetimeMs: number;
  marginMs: number;
}

export interface PersistenceEvidence {
  before: OracleObservation;
  restart: { exitCode: number | null; signal?: string; timedOut: boolean; durationMs: number };
  ready: { by: 'url' | 'wait'; waitedMs: number; status?: number };
  replay: OracleObservation;
}

export interface PasswordChangeEvidence {
  /** Session A (the victim's other device) before the change. */
  aBefore: OracleObservation;
  changeStatus: number;
  changeExchangeIds: number[];
  /** Session B, which made the change, afterwards. */
  bAfter: OracleObservation;
  /** Did the change take effect? A login with the old password (must fail) and the new one (must work). */
  oldPasswordLogin: OracleObservation;
  newPasswordLogin: OracleObservation;
  /** A fresh browser replaying session A's saved cookies after the change. */
  aReplay?: OracleObservation;
  /** The password was changed back and a fresh login with the original one worked. */
  restored: boolean;
  restoreAttempts: number;
}

/** A session cookie's format, decoded offline from the value the victim holds (never the value itself). */
export interface TokenCookieEvidence {
  /** The cookie name; for a token from the login response, the JSON field that held it. */
  cookie: string;
  /** Absent: a session cookie. `login-response`: a JWT the login answered with in its JSON body. */
  source?: 'login-response';
  format: 'express-session' | 'keygrip' | 'jwt' | 'flask' | 'signed-json' | 'iron' | 'rails-encrypted' | 'laravel-encrypted' | 'opaque';
  description: string;
  /** The session state travels in the cookie (signed or sealed), not on the server. */
  clientSide: boolean;
  encrypted: boolean;
  /** Removing this cookie alone logged the browser out. */
  essential: boolean;
  jwt?: {
    alg: string;
    typ?: string;
    exp?: number;
    iat?: number;
    nbf?: number;
    /** Claim names only, never their values. */
    claims: string[];
    /** When the audit saw the token (seconds since the epoch), for tokens without iat. */
    observedAt: number;
  };
  /** Readable fields that look like personal or privilege data (names and kinds, never values). */
  personalData: Array<{ field: string; kind: string }>;
  weakSecret?: WeakSecretEvidence;
  algNone?: ProbeOutcome<AlgNoneEvidence>;
}

export interface WeakSecretEvidence {
  /** e.g. HMAC-SHA256, HMAC-SHA1 (itsdangerous key derivation). */
  algorithm: string;
  tried: number;
  ms: number;
  builtIn: number;
  wordlist: number;
  found?: {
    source: 'built-in' | 'wordlist';
    /** The secret as shown: verbatim for a built-in (public) default, masked for a --wordlist entry unless --show-secrets. */
    secret: string;
    shown: boolean;
  };
  /** --prove: a cookie forged with the found secret, sent once from a fresh browser. */
  proof?: ProbeOutcome<ForgeProof>;
}

export interface ForgeProof {
  /** What the forged cookie changed, in words. */
  forged: string;
  /** The forged cookie signed with the found secret. */
  accepted: OracleObservation;
  /** The same forged content signed with a random secret (must be refused for the proof to count). */
  control: OracleObservation;
}

export interface AlgNoneEvidence {
  /** The token with its signature altered: must be refused, or the server does not verify at all. */
  control: OracleObservation;
  variants: Array<{ alg: string; observation: OracleObservation }>;
}

export interface TokenEvidence {
  cookies: TokenCookieEvidence[];
}

export interface EntropyEvidence {
  cookie: string;
  /** Where the samples came from. */
  source: 'anonymous' | 'login';
  requested: number;
  collected: number;
  /** How each value was reduced to the ID before measuring (e.g. "s:<id>.<sig> → <id>"). */
  stripped: string;
  analysis: EntropyAnalysis;
  /** Sessions opened by logins for sampling that were logged out again. */
  loggedOut?: number;
  exchangeIds: number[];
}

export interface Evidence {
  schemaVersion: 1;
  target: string;
  startedAt: string;
  finishedAt: string;
  requests: number;
  exchanges: ExchangeRecord[];
  oracle: { anonymous: OracleObservation; afterLogin: OracleObservation };
  session: SessionEvidence;
  probes: {
    fixation: ProbeOutcome<FixationEvidence>;
    adoption: ProbeOutcome<AdoptionEvidence>;
    logout: ProbeOutcome<LogoutEvidence>;
    /** Lifetime probes; absent in evidence saved before they existed. */
    expiry?: ProbeOutcome<ExpiryEvidence>;
    idleTimeout?: ProbeOutcome<IdleTimeoutEvidence>;
    absoluteTimeout?: ProbeOutcome<AbsoluteTimeoutEvidence>;
    passwordChange?: ProbeOutcome<PasswordChangeEvidence>;
    persistence?: ProbeOutcome<PersistenceEvidence>;
    /** Added in 0.2: absent in evidence saved by older versions (rules then skip). */
    tokens?: ProbeOutcome<TokenEvidence>;
    entropy?: ProbeOutcome<EntropyEvidence[]>;
  };
  /** What the session cookies advertised at login (absent in older evidence). */
  advertised?: LifetimePromise[];
  /** Settings that change how verdicts read (e.g. TLS verification off). */
  warnings: string[];
  /** Set when the run stopped early (Ctrl-C, deadline, request budget): why. */
  incomplete?: string;
}
