import type { Evidence } from '../evidence/types.js';
import { EXPRESS_SESSION_REGENERATE } from './snippets.js';
import { result, type CheckResult, type Rule, type RuleMeta } from './types.js';

const meta: RuleMeta = {
  id: 'session-fixation',
  name: 'SessionFixation',
  title: 'Session ID issued before login survives login (session fixation)',
  severity: 'high',
  why: 'If the session ID a visitor holds before logging in stays valid after login, an attacker who planted or read that ID beforehand (a shared computer, a subdomain, a link) is logged in as the victim the moment the victim logs in. The application must issue a new session ID at every authentication.',
  fix: 'Issue a new session ID at login (and at every privilege change) and invalidate the old one on the server.',
  snippets: {
    'express-session': EXPRESS_SESSION_REGENERATE,
    php: 'session_regenerate_id(true); // right after a successful login',
    java: 'request.changeSessionId(); // Servlet 3.1+, right after authentication (Spring Security: sessionFixation().changeSessionId())',
  },
  cwe: [384],
  asvs: ['5.0: V7.2.4', '4.0.3: 3.2.1'],
  wstg: ['WSTG-SESS-03'],
  requires: ['session', 'fixation'],
};

function check(ev: Evidence): CheckResult[] {
  const probe = ev.probes.fixation;
  if (probe.status === 'skipped') return [result(meta, 'skipped', probe.reason)];
  if (probe.status === 'error') return [result(meta, 'error', `The fixation probe failed: ${probe.error}`)];
  const d = probe.data;
  const names = ev.session.cookies.map((c) => c.name).join(', ');
  if (d.unchanged.length === 0) {
    if (d.rotated.length > 0) return [result(meta, 'pass', `The session ID changed at login (${d.rotated.join(', ')}): the pre-login ID was not carried over.`)];
    return [
      result(
        meta,
        'skipped',
        `No session cookie (${names}) existed before login in the flow the audit drove (landing page, login), so there was no server-issued pre-login ID to test. ` +
          'If visitors get a session on some page before they log in (a login page with a CSRF token, a cart), set login.page to that page; IDs the client invents are tested by session-adoption.',
      ),
    ];
  }
  const replay = d.replay;
  const unchanged = d.unchanged.join(', ');
  const values = ev.session.cookies.filter((c) => d.unchanged.includes(c.name)).map((c) => `${c.name}=${c.value.raw ?? c.value.masked}`);
  if (!replay) return [result(meta, 'error', 'The pre-login ID survived login but the replay was not recorded.')];
  const evidence = [
    `Before login the browser held ${values.join('; ')}; after login it held the same value${d.unchanged.length > 1 ? 's' : ''}.`,
    `A second browser that never logged in sent only the pre-login cookies to the logged-in check: ${replay.why} → ${replay.loggedIn ? 'logged in as the victim' : 'not logged in'}.`,
  ];
  if (replay.loggedIn) {
    return [result(meta, 'fail', `The session ID ${unchanged} issued before login was kept at login, and a browser holding only that pre-login ID was logged in as the victim.`, { evidence, exchangeIds: [replay.exchangeId], cookie: d.unchanged[0] as string })];
  }
  return [result(meta, 'pass', `The value of ${unchanged} did not change at login, but a browser holding only the pre-login cookies was not logged in, so the login is not bound to that ID alone.`, { evidence, exchangeIds: [replay.exchangeId] })];
}

export default { meta, check } satisfies Rule;
