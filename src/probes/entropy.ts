/**
 * Session ID entropy samples (WSTG-SESS-01, Burp Sequencer's method): collect `entropySamples`
 * fresh IDs and measure them. Fresh anonymous sessions are used when the server hands out the
 * session cookie before login (one cheap request each); otherwise fresh logins, each logged out
 * again, and only when a logout is configured, so no sessions are left behind. At most four
 * browsers run at once. The probe measures (src/tokens/entropy.ts); the rule judges.
 */
import { login, logout } from '../auth/login.js';
import { checkAuth } from '../auth/oracle.js';
import type { EntropyEvidence, ProbeOutcome, TokenEvidence } from '../evidence/types.js';
import { Actor } from '../http/actor.js';
import { analyseIds } from '../tokens/entropy.js';
import { decodeSessionCookie } from '../tokens/formats.js';
import { errorMessage, type ProbeContext } from './context.js';
import type { Baseline } from './session.js';
import { HttpError } from '../http/client.js';

const CONCURRENCY = 4;

/** Run `task` `n` times, at most `limit` at once; failures are collected, not thrown. */
async function pool<T>(n: number, limit: number, task: (i: number) => Promise<T>, failures: unknown[]): Promise<Array<T | undefined>> {
  const out: Array<T | undefined> = new Array<T | undefined>(n);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < n) {
      const i = next;
      next += 1;
      try {
        out[i] = await task(i);
      } catch (err) {
        out[i] = undefined;
        failures.push(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, worker));
  return out;
}

/** A run limit (--max-requests, --deadline) or Ctrl-C cut the sampling short: partial samples are never a verdict. */
function cutShort(failures: readonly unknown[]): HttpError | undefined {
  return failures.find((e): e is HttpError => e instanceof HttpError && (e.code === 'E_MAX_REQUESTS' || e.code === 'E_DEADLINE' || e.code === 'E_ABORTED'));
}

interface Target {
  name: string;
  stripped: string;
  toId: (raw: string) => string | undefined;
}

export async function probeEntropy(ctx: ProbeContext, base: Baseline, tokens: ProbeOutcome<TokenEvidence>): Promise<ProbeOutcome<EntropyEvidence[]>> {
  const n = ctx.config.entropySamples;
  if (n === 0) return { status: 'skipped', reason: 'turned off (--entropy-samples 0)' };
  const decoded = tokens.status === 'ok' ? tokens.data.cookies : [];
  const targets: Target[] = [];
  const notIds: string[] = [];
  for (const c of base.session.cookies) {
    const t = decoded.find((d) => d.cookie === c.name && d.source === undefined);
    if (!t) continue; // a keygrip .sig companion
    if (t.clientSide || t.encrypted) {
      notIds.push(`${c.name} (${t.format}${t.encrypted ? ', encrypted' : ''})`);
      continue;
    }
    const stripped = t.format === 'express-session' ? 's:<id>.<signature> → <id>' : t.format === 'keygrip' ? `value of ${c.name} (signature in ${c.name}.sig)` : 'URL-decoded value';
    targets.push({ name: c.name, stripped, toId: (raw) => decodeSessionCookie(c.name, raw).id });
  }
  if (targets.length === 0) {
    return {
      status: 'skipped',
      reason:
        notIds.length > 0
          ? `the session cookie${notIds.length === 1 ? '' : 's'} ${notIds.join(', ')} carr${notIds.length === 1 ? 'ies' : 'y'} the session state itself (or an encrypted value), not a server-side ID whose guessability could be measured`
          : 'no session cookie value to sample',
    };
  }
  try {
    const beforeLogin = new Set(base.session.beforeLogin.map((c) => c.name));
    const anonymous = targets.every((t) => beforeLogin.has(t.name));
    const exchangeIds: number[] = [];
    const collect = (actor: Actor): Record<string, string> => Object.fromEntries(actor.cookiesFor(ctx.authCheckUrl).map((c) => [c.name, c.value]));
    let source: EntropyEvidence['source'] = 'anonymous';
    let loggedOut = 0;
    let samples: Array<Record<string, string> | undefined> = [];
    const failures: unknown[] = [];
    if (anonymous) {
      ctx.progress(`Entropy: collecting ${n} session IDs from fresh anonymous browsers`);
      const pageUrl = ctx.config.login.page ?? (ctx.config.login.type === 'form' ? ctx.config.login.url : undefined);
      samples = await pool(n, CONCURRENCY, async (i) => {
        const actor = new Actor('probe', ctx.http);
        const res = await actor.send(`entropy sample ${i + 1}: landing page`, { url: ctx.http.target });
        exchangeIds.push(...res.exchangeIds);
        if (pageUrl && !targets.every((t) => collect(actor)[t.name])) {
          const page = await actor.send(`entropy sample ${i + 1}: login page`, { url: new URL(pageUrl, ctx.http.target) });
          exchangeIds.push(...page.exchangeIds);
        }
        if (!targets.every((t) => collect(actor)[t.name])) {
          // The victim's anonymous calibration request may be what opened the session.
          const check = await checkAuth(actor, ctx.config.authCheck, ctx.authCheckUrl, `entropy sample ${i + 1}: auth check (anonymous)`);
          exchangeIds.push(check.exchangeId);
        }
        return collect(actor);
      }, failures);
    } else {
      const cfg = ctx.config.logout;
      if (!cfg) {
        return {
          status: 'skipped',
          reason: `the server issues ${targets.map((t) => t.name).join(', ')} only at login, and sampling ${n} IDs would leave ${n} sessions open: configure --logout so each sampling login is logged out again`,
        };
      }
      source = 'login';
      ctx.progress(`Entropy: collecting ${n} session IDs from fresh logins (each logged out again)`);
      samples = await pool(n, CONCURRENCY, async (i) => {
        const actor = new Actor('probe', ctx.http);
        const res = await login(actor, ctx.loginTarget, `entropy sample ${i + 1}: login`);
        exchangeIds.push(...res.exchangeIds);
        const got = collect(actor);
        const out = await logout(actor, cfg, ctx.http.target, `entropy sample ${i + 1}: log out`).catch(() => undefined);
        if (out) {
          loggedOut += 1;
          exchangeIds.push(...out.allExchangeIds);
        }
        return got;
      }, failures);
    }
    const cut = cutShort(failures);
    if (cut) return { status: 'error', error: `Sampling stopped after ${n - failures.length} of ${n} samples: ${cut.message}` };
    const results: EntropyEvidence[] = targets.map((t) => {
      const ids = samples.flatMap((s) => {
        const raw = s?.[t.name];
        const id = raw ? t.toId(raw) : undefined;
        return id ? [id] : [];
      });
      const ev: EntropyEvidence = {
        cookie: t.name,
        source,
        requested: n,
        collected: ids.length,
        stripped: t.stripped,
        analysis: ids.length > 0 ? analyseIds(ids) : analyseIds(['']),
        exchangeIds: [...exchangeIds].sort((a, b) => a - b),
      };
      if (source === 'login') ev.loggedOut = loggedOut;
      return ev;
    });
    return { status: 'ok', data: results };
  } catch (err) {
    return { status: 'error', error: errorMessage(err) };
  }
}
