import { formatDuration } from '../config/duration.js';
import type { Evidence } from '../evidence/types.js';
import { probeData, replayText } from './lifetime-shared.js';
import { EXPRESS_SESSION_TIMEOUTS } from './snippets.js';
import { result, type CheckResult, type Rule, type RuleMeta } from './types.js';

const meta: RuleMeta = {
  id: 'idle-timeout',
  name: 'NoIdleTimeout',
  title: 'Session survives the idle timeout',
  severity: 'medium',
  why: 'A session nobody uses should end: a forgotten browser on a shared computer, or a token copied from a log or by malware, stays useful for as long as the server keeps an idle session alive. ASVS asks for an inactivity timeout (30 minutes is common for applications of ordinary risk).',
  fix: 'End sessions on the server after the idle timeout: a store entry whose TTL is the idle timeout and is refreshed on each request (express-session: cookie.maxAge with rolling: true and a store that expires entries), or a last-seen timestamp checked on every request.',
  snippets: { 'express-session': EXPRESS_SESSION_TIMEOUTS },
  cwe: [613],
  asvs: ['5.0: V7.3.1', '4.0.3: 3.3.2'],
  wstg: ['WSTG-SESS-07'],
  requires: ['session', 'idleTimeout'],
};

function check(ev: Evidence): CheckResult[] {
  const p = probeData(meta, ev.probes.idleTimeout, 'idle-timeout');
  if ('early' in p) return [p.early];
  const d = p.data;
  const evidence = [
    `policy.idleTimeout: ${formatDuration(d.idleTimeoutMs)} (+${formatDuration(d.marginMs)} margin).`,
    replayText({ ...d.replay, atMs: undefined }, `A copy of the cookies saved at login, replayed after ${formatDuration(d.idleMs)} without any request`),
  ];
  const ids = [d.alive.exchangeId, d.replay.exchangeId];
  if (d.replay.loggedIn && d.renewed && d.renewed.length > 0) {
    // The cookie that idled may well have expired; another cookie (remember-me, refresh token)
    // logged the copy straight back in. The stolen cookie set still works, so it is a finding —
    // worded as what happened, with the way out for a deliberate remember-me.
    return [
      result(
        meta,
        'fail',
        `After ${formatDuration(d.idleMs)} without a request (policy: ${formatDuration(d.idleTimeoutMs)}), the saved cookies still logged in: the server answered with a new ${d.renewed.join(', ')}, restoring the session from another cookie it still accepts (a remember-me or refresh token). If that long-lived login is a deliberate, opt-in remember-me, record it with an ignore entry.`,
        { evidence, exchangeIds: ids },
      ),
    ];
  }
  if (d.replay.loggedIn) {
    return [result(meta, 'fail', `The session was still valid after ${formatDuration(d.idleMs)} without a request, longer than the policy's idle timeout of ${formatDuration(d.idleTimeoutMs)}.`, { evidence, exchangeIds: ids })];
  }
  return [result(meta, 'pass', `The session had ended after ${formatDuration(d.idleMs)} idle (policy: ${formatDuration(d.idleTimeoutMs)}).`, { evidence, exchangeIds: ids })];
}

export default { meta, check } satisfies Rule;
