import { formatDuration } from '../config/duration.js';
import type { Evidence } from '../evidence/types.js';
import { describePromise, probeData, replayText } from './lifetime-shared.js';
import { EXPRESS_SESSION_TIMEOUTS } from './snippets.js';
import { result, type CheckResult, type Rule, type RuleMeta } from './types.js';

const meta: RuleMeta = {
  id: 'expiry-enforcement',
  name: 'SessionOutlivesPromisedExpiry',
  title: 'Server accepts the session after the expiry its cookie promised',
  severity: 'medium',
  why: 'The cookie\'s Max-Age/Expires (or a JWT\'s exp) only tells the browser when to forget the token; a copy stolen by malware, XSS or a log keeps working for as long as the server accepts it. When the server keeps a session alive past the expiry it promised — left idle, or kept busy by an attacker while the store slides its own TTL — every stolen token lives longer than anyone planned.',
  fix: 'Enforce the expiry on the server: store the expiry with the session (or check the JWT exp) and reject the session after it. If the server extends the session on activity, re-issue the cookie with the new expiry (express-session: rolling: true) so the promise and the server agree; if it must end at a fixed time, do not slide the store\'s TTL.',
  snippets: { 'express-session': EXPRESS_SESSION_TIMEOUTS },
  cwe: [613],
  asvs: ['5.0: V7.3.1', '5.0: V7.3.2', '5.0: V7.4.1', '4.0.3: 3.3.1'],
  wstg: ['WSTG-SESS-07'],
  requires: ['session', 'expiry'],
};

function check(ev: Evidence): CheckResult[] {
  const p = probeData(meta, ev.probes.expiry, 'expiry');
  if ('early' in p) return [p.early];
  const d = p.data;
  const L = d.promise.seconds * 1000;
  const promised = describePromise(d.promise);
  const out: CheckResult[] = [];

  const idle = d.idle;
  if (idle.status === 'skipped') out.push(result(meta, 'skipped', `Left idle: ${idle.reason}`));
  else if (idle.status === 'error') out.push(result(meta, 'error', `Left idle: the probe failed: ${idle.error}`));
  else {
    const r = idle.data.replay;
    const evidence = [`${promised}.`, replayText({ ...r, atMs: undefined }, `A copy of the cookies saved at login, replayed after ${formatDuration(idle.data.idleMs)} without any request in between`)];
    if (r.loggedIn && idle.data.renewed && idle.data.renewed.length > 0) {
      out.push(
        result(meta, 'skipped', `Left idle: the replay after the promised expiry was answered with a new ${idle.data.renewed.join(', ')}: the server renewed the session from another cookie it still accepts (a refresh or remember-me token), so the promise of this one cookie is not the session's lifetime.`, { evidence, exchangeIds: [r.exchangeId] }),
      );
    } else if (r.loggedIn && r.atMs >= L) {
      out.push(result(meta, 'fail', `Left idle: the server still accepted the session at least ${formatDuration(r.atMs - L)} after the ${formatDuration(L)} expiry it promised.`, { evidence, exchangeIds: [r.exchangeId], cookie: d.promise.cookie }));
    } else if (r.loggedIn) {
      out.push(result(meta, 'skipped', 'Left idle: the replay came before the promised expiry, so it proves nothing.', { evidence }));
    } else {
      out.push(result(meta, 'pass', `Left idle: the session had ended when replayed after ${formatDuration(r.atMs)} without a request, past its promised ${formatDuration(L)}.`, { evidence, exchangeIds: [r.exchangeId] }));
    }
  }

  const busy = d.busy;
  if (busy.status === 'skipped') out.push(result(meta, 'skipped', `Kept busy: ${busy.reason}`));
  else if (busy.status === 'error') out.push(result(meta, 'error', `Kept busy: the probe failed: ${busy.error}`));
  else {
    const b = busy.data;
    const moved = b.reissued.filter((r) => r.seconds !== undefined);
    const evidence = [
      `${promised}; the session was kept busy with ${b.requests} request${b.requests === 1 ? '' : 's'} every ${formatDuration(b.spacingMs)} from a copy of its cookies.`,
      moved.length > 0
        ? `The server re-issued the cookie ${moved.length} time${moved.length === 1 ? '' : 's'} with a new expiry; the latest promise ran out ${formatDuration(b.latestPromiseAtMs)} after the clock started.`
        : 'The server never re-issued the cookie with a new expiry, so the original promise stood.',
      replayText(b.replay, b.loggedOutAtMs !== undefined ? 'A busy request' : 'The final replay')
    ];
    const ids = [b.replay.exchangeId];
    // A replay cut short by the wait budget (less than the margin after the latest promise) decides nothing.
    if (b.replay.loggedIn && b.replay.atMs >= b.latestPromiseAtMs + (b.marginMs ?? 0)) {
      const msg =
        moved.length === 0
          ? `Kept busy: the session still worked ${formatDuration(b.replay.atMs - L)} after the fixed ${formatDuration(L)} expiry its cookie promised, which the server never re-issued: the store slides its own expiry on activity, so a stolen copy kept busy outlives what the browser was told.`
          : `Kept busy: the session still worked ${formatDuration(b.replay.atMs - b.latestPromiseAtMs)} after the latest expiry the server promised.`;
      out.push(result(meta, 'fail', msg, { evidence, exchangeIds: ids, cookie: d.promise.cookie }));
    } else if (b.replay.loggedIn) {
      out.push(result(meta, 'skipped', `Kept busy: the server kept moving the promised expiry (re-issued cookie) past the wait budget, so the session was never checked after its latest promise; that is consistent with an idle timeout.`, { evidence }));
    } else {
      out.push(result(meta, 'pass', `Kept busy: the session ended by ${formatDuration(b.replay.atMs)} into the probe${moved.length > 0 ? ', following the expiry the server re-issued' : ', at the promised expiry'}.`, { evidence, exchangeIds: ids }));
    }
  }
  return out;
}

export default { meta, check } satisfies Rule;
