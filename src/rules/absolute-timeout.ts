import { formatDuration } from '../config/duration.js';
import type { Evidence } from '../evidence/types.js';
import { probeData, replayText } from './lifetime-shared.js';
import { EXPRESS_SESSION_TIMEOUTS } from './snippets.js';
import { result, type CheckResult, type Rule, type RuleMeta } from './types.js';

const meta: RuleMeta = {
  id: 'absolute-timeout',
  name: 'NoAbsoluteTimeout',
  title: 'A busy session never ends (no absolute timeout)',
  severity: 'medium',
  why: 'With only an idle timeout, a session that keeps receiving requests lives forever: an attacker who stole the token keeps it alive with a request every few minutes, and the victim cannot outwait them. An absolute lifetime bounds how long any token, stolen or not, is worth anything.',
  fix: 'Record when the session was created (at login) and end it on the server once it is older than the maximum lifetime, however active it is; the user logs in again.',
  snippets: { 'express-session': EXPRESS_SESSION_TIMEOUTS },
  cwe: [613],
  asvs: ['5.0: V7.3.2', '4.0.3: 3.3.2'],
  wstg: ['WSTG-SESS-07'],
  requires: ['session', 'absoluteTimeout'],
};

function check(ev: Evidence): CheckResult[] {
  const p = probeData(meta, ev.probes.absoluteTimeout, 'absolute-timeout');
  if ('early' in p) return [p.early];
  const d = p.data;
  const evidence = [
    `policy.maxLifetime: ${formatDuration(d.maxLifetimeMs)} (+${formatDuration(d.marginMs)} margin); ${d.requests} request${d.requests === 1 ? '' : 's'}, one every ${formatDuration(d.spacingMs)}, from a copy of the cookies that followed every re-issued cookie${d.reissued.length > 0 ? ` (${d.reissued.length} re-issued)` : ''}.`,
    replayText(d.replay, d.loggedOutAtMs !== undefined ? 'A busy request' : 'The final check'),
  ];
  const ids = [d.replay.exchangeId];
  if (d.replay.loggedIn) {
    return [result(meta, 'fail', `A session kept busy was still valid at least ${formatDuration(d.replay.atMs)} after login, past the policy's maximum lifetime of ${formatDuration(d.maxLifetimeMs)}: the server does not end active sessions.`, { evidence, exchangeIds: ids })];
  }
  const early = d.replay.atMs < d.maxLifetimeMs ? ` That is before the policy's maximum: the server ends sessions sooner, or its idle timeout is shorter than the ${formatDuration(d.spacingMs)} between requests.` : '';
  return [result(meta, 'pass', `The session ended although it was kept busy: a request ${formatDuration(d.replay.atMs)} into the probe found it logged out (policy: ${formatDuration(d.maxLifetimeMs)}).${early}`, { evidence, exchangeIds: ids })];
}

export default { meta, check } satisfies Rule;
