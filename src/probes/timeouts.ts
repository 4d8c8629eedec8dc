/**
 * The waiting probes: expiry enforcement (WSTG-SESS-07), idle timeout and absolute timeout
 * (ASVS 5.0 V7.3). Each opens its own sessions in its own browsers; all logins happen first, then
 * every session is checked alive once (a server that allows one session per user ends the older
 * ones at the next login, and that must not read as a timeout), and only then do the clocks start
 * and all waits run at the same time, so a run costs the longest wait, not the sum.
 */
import { formatDuration } from '../config/duration.js';
import type {
  AbsoluteTimeoutEvidence,
  BusyEvidence,
  ExpiryEvidence,
  IdleReplayEvidence,
  IdleTimeoutEvidence,
  LifetimePromise,
  OracleObservation,
  ProbeOutcome,
  TimedObservation,
} from '../evidence/types.js';
import { errorMessage, type ProbeContext } from './context.js';
import {
  checkAlive,
  Countdown,
  ENDED_BY_OTHER_LOGIN,
  InterruptedError,
  jwtPromiseSeconds,
  judgedNames,
  marginFor,
  neededFlag,
  logOutSessions,
  openSession,
  promisesOf,
  replay,
  sleep,
  type FreshSession,
  type HeldCookie,
} from './lifetime.js';
import type { Baseline } from './session.js';

export interface WaitingOutcomes {
  expiry: ProbeOutcome<ExpiryEvidence>;
  idleTimeout: ProbeOutcome<IdleTimeoutEvidence>;
  absoluteTimeout: ProbeOutcome<AbsoluteTimeoutEvidence>;
}

/** What the baseline login's cookies promised (cookie Max-Age/Expires, JWT exp), for the report. */
export function advertisedOf(base: Baseline): LifetimePromise[] {
  const out: LifetimePromise[] = [];
  const date = base.login.response.headers.date;
  const serverNow = typeof date === 'string' && !Number.isNaN(Date.parse(date)) ? Date.parse(date) : undefined;
  const localNow = Date.now();
  for (const c of base.session.cookies) {
    const line = c.setCookie;
    if (line?.lifetimeSeconds !== undefined) out.push({ cookie: c.name, source: line.maxAge !== undefined ? 'max-age' : 'expires', seconds: line.lifetimeSeconds });
    const seconds = jwtPromiseSeconds(base.sessionValues.get(c.name) ?? '', serverNow, localNow);
    if (seconds !== undefined) out.push({ cookie: c.name, source: 'jwt-exp', seconds });
  }
  return out;
}

function earliest(promises: readonly LifetimePromise[]): LifetimePromise | undefined {
  return [...promises].sort((a, b) => a.seconds - b.seconds)[0];
}

/**
 * When the session ends by its own promise. Essential cookies are each required, so the earliest
 * promise among them ends it. When no single cookie is essential, any of the group restores the
 * session (a remember-me or refresh cookie next to a short-lived token), so it lasts until the
 * latest promise — and has none if any cookie of the group is a browser-session cookie.
 */
export function sessionPromise(promises: readonly LifetimePromise[], names: readonly string[], essential: boolean): LifetimePromise | undefined {
  const perCookie = names.map((n) => earliest(promises.filter((p) => p.cookie === n)));
  if (essential) return earliest(perCookie.filter((p): p is LifetimePromise => p !== undefined));
  if (perCookie.some((p) => p === undefined)) return undefined;
  return [...(perCookie as LifetimePromise[])].sort((a, b) => b.seconds - a.seconds)[0];
}

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

/** A slot: one session of one probe, logged in during the login phase. */
interface Slot {
  label: string;
  session?: FreshSession;
  error?: string;
  alive?: OracleObservation;
  checkedAt?: number;
}

interface BusyResult extends Omit<BusyEvidence, 'replay'> {
  held: HeldCookie[];
  last?: TimedObservation;
}

/**
 * Keep a stolen copy busy: a request every `spacingMs` from a fresh browser holding the current
 * values, following re-issued cookies (as an attacker would), until `until` or until it is
 * logged out.
 */
async function keepBusy(ctx: ProbeContext, label: string, start: { held: HeldCookie[]; t0: number; alive: OracleObservation }, names: readonly string[], spacingMs: number, until: number): Promise<BusyResult> {
  let held = start.held.map((h) => ({ ...h }));
  const res: BusyResult = { alive: start.alive, spacingMs, requests: 0, busyForMs: 0, reissued: [], exchangeIds: [], held };
  for (;;) {
    await sleep(Math.min(spacingMs, until - Date.now()), ctx.signal);
    const { obs, actor } = await replay(ctx, held, `${label}: keep busy from a copy of the cookies (request ${res.requests + 1})`);
    const atMs = Date.now() - start.t0;
    res.requests += 1;
    res.exchangeIds.push(obs.exchangeId);
    const ex = ctx.http.exchanges.find((e) => e.id === obs.exchangeId);
    for (const line of ex?.setCookies ?? []) {
      if (!names.includes(line.name) || line.deletion || line.refused) continue;
      const prev = held.find((h) => h.name === line.name);
      const entry: BusyEvidence['reissued'][number] = { atMs, cookie: line.name, sameValue: prev ? ctx.http.redactor.fingerprint(prev.value) === line.value.fp : false };
      if (line.lifetimeSeconds !== undefined) entry.seconds = line.lifetimeSeconds;
      res.reissued.push(entry);
    }
    // Follow what the server set; keep a stolen value the server asked the browser to delete.
    const now = actor.cookiesFor(ctx.authCheckUrl);
    held = held.map((h) => {
      const n = now.find((c) => c.name === h.name && c.path === h.path);
      return n ? { ...h, value: n.value } : h;
    });
    for (const n of now) if (!held.some((h) => h.name === n.name && h.path === n.path)) held.push({ name: n.name, value: n.value, path: n.path, secure: n.secure });
    res.held = held;
    res.last = { ...obs, atMs };
    if (!obs.loggedIn) {
      res.loggedOutAtMs = atMs;
      break;
    }
    res.lastLoggedInAtMs = atMs;
    if (Date.now() >= until) break;
  }
  res.busyForMs = Date.now() - start.t0;
  return res;
}

function withoutHeld(r: BusyResult): Omit<BusyEvidence, 'replay'> {
  const { held: _held, last: _last, ...rest } = r;
  void _held;
  void _last;
  return rest;
}

async function idleReplay(ctx: ProbeContext, label: string, slot: Slot, t0: number, idleMs: number, countdown: Countdown): Promise<IdleReplayEvidence> {
  await countdown.during(label, t0 + idleMs, () => sleep(t0 + idleMs - Date.now(), ctx.signal));
  const s = slot.session as FreshSession;
  const { obs } = await replay(ctx, s.held, `${label}: replay of the saved cookies after ${formatDuration(idleMs)} idle (fresh copy, no client-side expiry)`);
  const out: IdleReplayEvidence = { alive: slot.alive as OracleObservation, idleMs: Date.now() - t0, replay: { ...obs, atMs: Date.now() - t0 } };
  // A session cookie answered with a new value: the server minted a new session from another
  // cookie it still accepted (a refresh or remember-me token).
  const ex = ctx.http.exchanges.find((e) => e.id === obs.exchangeId);
  const renewed = (ex?.setCookies ?? []).filter((c) => !c.deletion && !c.refused && s.held.some((h) => h.name === c.name) && s.held.every((h) => h.name !== c.name || ctx.http.redactor.fingerprint(h.value) !== c.value.fp)).map((c) => c.name);
  if (renewed.length > 0) out.renewed = [...new Set(renewed)];
  return out;
}

function slotProblem<T>(slot: Slot, promiseMs?: number): ProbeOutcome<T> | undefined {
  if (slot.error !== undefined) return { status: 'error', error: slot.error };
  if (!slot.alive) return { status: 'error', error: 'the session was not checked' };
  if (!slot.alive.loggedIn) {
    const age = slot.checkedAt !== undefined && slot.session ? slot.checkedAt - slot.session.loggedInAt : 0;
    if (promiseMs !== undefined && age >= promiseMs) {
      return { status: 'skipped', reason: `the session had already reached its promised expiry (${formatDuration(promiseMs)}) before the other probes finished logging in (${slot.alive.why}), so there was nothing left to wait for` };
    }
    return { status: 'skipped', reason: `${ENDED_BY_OTHER_LOGIN} (${slot.alive.why})` };
  }
  return undefined;
}

function asOutcome<T>(err: unknown): ProbeOutcome<T> {
  if (err instanceof InterruptedError) throw err;
  return { status: 'error', error: errorMessage(err) };
}

export async function runWaitingProbes(ctx: ProbeContext, base: Baseline): Promise<WaitingOutcomes> {
  const budget = ctx.config.expiry.maxWait;
  const { idleTimeout, maxLifetime } = ctx.config.policy;
  const names = judgedNames(base.session.cookies);
  const essential = base.session.cookies.some((c) => c.essential);
  const budgetText = budget === 0 ? 'the wait budget is 0s (the default)' : `the wait budget is ${formatDuration(budget)}`;

  // Decide what can run before logging anything in.
  const promise = sessionPromise(advertisedOf(base), names, essential);
  let expiry: ProbeOutcome<ExpiryEvidence> | undefined;
  let expiryIdleSkip: string | undefined;
  let expiryBusySkip: string | undefined;
  if (!promise) {
    const groupNote = !essential && names.length > 1 ? ' (any one of them restores the session, and at least one is a browser-session cookie)' : '';
    expiry = {
      status: 'skipped',
      reason: `the session cookie${names.length > 1 ? 's' : ''} (${names.join(', ')})${groupNote} promise${names.length > 1 ? '' : 's'} no expiry (no Max-Age or Expires, no JWT exp), so there is no promised moment to test; idle-timeout and absolute-timeout judge the server's own limits`,
    };
  } else {
    const L = promise.seconds * 1000;
    const m = marginFor(L);
    if (L + m > budget) expiryIdleSkip = `waiting for the promised expiry (${formatDuration(L)}) needs ${neededFlag(L + m)}; ${budgetText}`;
    if (2 * (L + m) > budget) expiryBusySkip = `keeping the session busy past its promised expiry (${formatDuration(L)}) and then waiting for a re-issued promise needs ${neededFlag(2 * (L + m))}; ${budgetText}`;
    if (expiryIdleSkip && expiryBusySkip) expiry = { status: 'skipped', reason: expiryIdleSkip };
  }
  const idleMargin = marginFor(idleTimeout);
  const idle: ProbeOutcome<IdleTimeoutEvidence> | undefined =
    idleTimeout + idleMargin > budget ? { status: 'skipped', reason: `staying idle for policy.idleTimeout (${formatDuration(idleTimeout)}) needs ${neededFlag(idleTimeout + idleMargin)}; ${budgetText}` } : undefined;
  const lifeMargin = marginFor(maxLifetime);
  const absolute: ProbeOutcome<AbsoluteTimeoutEvidence> | undefined =
    maxLifetime + lifeMargin > budget ? { status: 'skipped', reason: `keeping a session busy past policy.maxLifetime (${formatDuration(maxLifetime)}) needs ${neededFlag(maxLifetime + lifeMargin)}; ${budgetText}` } : undefined;

  const slots: Record<'expiryIdle' | 'expiryBusy' | 'idle' | 'absolute', Slot | undefined> = {
    expiryIdle: !expiry && !expiryIdleSkip ? { label: 'expiry (idle)' } : undefined,
    expiryBusy: !expiry && !expiryBusySkip ? { label: 'expiry (busy)' } : undefined,
    idle: idle ? undefined : { label: 'idle timeout' },
    absolute: absolute ? undefined : { label: 'absolute timeout' },
  };
  const active = Object.values(slots).filter((s): s is Slot => s !== undefined);

  // 1. Every login first; 2. then one alive check per session; 3. then the clocks start.
  for (const slot of active) {
    ctx.progress(`Logging in a session for the ${slot.label} probe`);
    try {
      slot.session = await openSession(ctx, slot.label);
    } catch (err) {
      if (err instanceof InterruptedError) throw err;
      slot.error = `the login for this probe failed: ${errorMessage(err)}`;
    }
  }
  for (const slot of active) {
    if (!slot.session) continue;
    try {
      slot.alive = await checkAlive(ctx, slot.session, slot.label);
      slot.checkedAt = Date.now();
    } catch (err) {
      if (err instanceof InterruptedError) throw err;
      slot.error = errorMessage(err);
    }
  }

  const countdown = new Countdown(ctx.progress);
  try {
    const tasks: Array<Promise<void>> = [];
    const out: Partial<WaitingOutcomes> = {};

    if (slots.idle) {
      const slot = slots.idle;
      tasks.push(
        (async () => {
          const problem = slotProblem<IdleTimeoutEvidence>(slot);
          if (problem) return void (out.idleTimeout = problem);
          try {
            const t0 = Date.now();
            const data = await idleReplay(ctx, slot.label, slot, t0, idleTimeout + idleMargin, countdown);
            out.idleTimeout = { status: 'ok', data: { ...data, idleTimeoutMs: idleTimeout, marginMs: idleMargin } };
          } catch (err) {
            out.idleTimeout = asOutcome(err);
          }
        })(),
      );
    }

    if (slots.absolute) {
      const slot = slots.absolute;
      tasks.push(
        (async () => {
          const problem = slotProblem<AbsoluteTimeoutEvidence>(slot);
          if (problem) return void (out.absoluteTimeout = problem);
          try {
            const s = slot.session as FreshSession;
            const own = earliest(promisesOf(ctx, s, names));
            // Requests spaced well below the idle timeout and any promised expiry.
            // At most 5 minutes apart, so a server idle timeout shorter than the policy's rarely ends it.
            const spacing = clamp(Math.min(idleTimeout, own ? own.seconds * 1000 : Infinity) / 3, 250, 300_000);
            const t0 = Date.now();
            const until = t0 + maxLifetime + lifeMargin;
            const busy: BusyResult = await countdown.during(slot.label, until, () => keepBusy(ctx, slot.label, { held: s.held, t0, alive: slot.alive as OracleObservation }, names, spacing, until));
            let final = busy.last as TimedObservation;
            if (busy.loggedOutAtMs === undefined) {
              const { obs } = await replay(ctx, busy.held, `${slot.label}: final check after ${formatDuration(maxLifetime)} of activity (fresh copy of the latest cookies)`);
              final = { ...obs, atMs: Date.now() - t0 };
              busy.exchangeIds.push(obs.exchangeId);
            }
            out.absoluteTimeout = { status: 'ok', data: { ...withoutHeld(busy), replay: final, maxLifetimeMs: maxLifetime, marginMs: lifeMargin } };
          } catch (err) {
            out.absoluteTimeout = asOutcome(err);
          }
        })(),
      );
    }

    if (promise && !expiry) {
      let idleHalf: ExpiryEvidence['idle'] = { status: 'skipped', reason: expiryIdleSkip ?? '' };
      let busyHalf: ExpiryEvidence['busy'] = { status: 'skipped', reason: expiryBusySkip ?? '' };
      let own: LifetimePromise = promise;
      if (slots.expiryIdle) {
        const slot = slots.expiryIdle;
        tasks.push(
          (async () => {
            const problem = slotProblem<IdleReplayEvidence>(slot, promise.seconds * 1000);
            if (problem) return void (idleHalf = problem);
            try {
              own = sessionPromise(promisesOf(ctx, slot.session as FreshSession, names), names, essential) ?? promise;
              const ownL = own.seconds * 1000;
              idleHalf = { status: 'ok', data: await idleReplay(ctx, slot.label, slot, Date.now(), ownL + marginFor(ownL), countdown) };
            } catch (err) {
              idleHalf = asOutcome(err);
            }
          })(),
        );
      }
      if (slots.expiryBusy) {
        const slot = slots.expiryBusy;
        tasks.push(
          (async () => {
            const problem = slotProblem<BusyEvidence & { latestPromiseAtMs: number; marginMs?: number }>(slot, promise.seconds * 1000);
            if (problem) return void (busyHalf = problem);
            try {
              const s = slot.session as FreshSession;
              const first = sessionPromise(promisesOf(ctx, s, names), names, essential) ?? promise;
              const firstL = first.seconds * 1000;
              const m = marginFor(firstL);
              const spacing = clamp(Math.min(firstL, idleTimeout) / 4, 250, 300_000);
              const t0 = Date.now();
              const until = t0 + firstL + m;
              const busy: BusyResult = await countdown.during(slot.label, until, () => keepBusy(ctx, slot.label, { held: s.held, t0, alive: slot.alive as OracleObservation }, names, spacing, until));
              // The latest promise: the original one, moved by every re-issue that carried a lifetime.
              let latest = firstL;
              for (const r of busy.reissued) if (r.seconds !== undefined) latest = Math.max(latest, r.atMs + r.seconds * 1000);
              let final = busy.last as TimedObservation;
              if (busy.loggedOutAtMs === undefined) {
                const waitUntil = Math.min(t0 + latest + m, t0 + budget);
                await countdown.during(slot.label, waitUntil, () => sleep(waitUntil - Date.now(), ctx.signal));
                const { obs } = await replay(ctx, busy.held, `${slot.label}: replay of the latest cookies after the latest promised expiry (fresh copy, no client-side expiry)`);
                final = { ...obs, atMs: Date.now() - t0 };
                busy.exchangeIds.push(obs.exchangeId);
              }
              busyHalf = { status: 'ok', data: { ...withoutHeld(busy), replay: final, latestPromiseAtMs: latest, marginMs: m } };
            } catch (err) {
              busyHalf = asOutcome(err);
            }
          })(),
        );
      }
      await Promise.all(tasks);
      expiry = { status: 'ok', data: { promise: own, marginMs: marginFor(own.seconds * 1000), idle: idleHalf, busy: busyHalf } };
    } else {
      await Promise.all(tasks);
    }

    await logOutSessions(ctx, active.flatMap((slot) => (slot.session ? [slot.session.held] : [])), 'lifetime probe');
    return {
      expiry: expiry as ProbeOutcome<ExpiryEvidence>,
      idleTimeout: idle ?? out.idleTimeout ?? { status: 'error', error: 'the probe did not run' },
      absoluteTimeout: absolute ?? out.absoluteTimeout ?? { status: 'error', error: 'the probe did not run' },
    };
  } finally {
    countdown.stop();
  }
}
