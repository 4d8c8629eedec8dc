import type { Evidence } from '../evidence/types.js';
import { EXPRESS_SESSION_REGENERATE } from './snippets.js';
import { result, type CheckResult, type Rule, type RuleMeta } from './types.js';

const meta: RuleMeta = {
  id: 'session-adoption',
  name: 'SessionIdAdoption',
  title: 'Session ID invented by the client is accepted and authenticated',
  severity: 'high',
  why: 'A server that accepts a session ID it never issued lets an attacker choose the ID, plant it in the victim\'s browser (a subdomain cookie, a URL parameter), and use it once the victim logs in. Session IDs must only ever come from the server.',
  fix: 'Reject session IDs the server did not issue (start a new session instead) and issue a new ID at login.',
  snippets: {
    'express-session': EXPRESS_SESSION_REGENERATE,
    php: "ini_set('session.use_strict_mode', '1'); // reject uninitialised session IDs\nsession_regenerate_id(true); // after login",
  },
  cwe: [384],
  asvs: ['5.0: V7.2.4', '4.0.3: 3.2.1'],
  wstg: ['WSTG-SESS-03'],
  requires: ['session', 'adoption'],
};

function check(ev: Evidence): CheckResult[] {
  const probe = ev.probes.adoption;
  if (probe.status === 'skipped') return [result(meta, 'skipped', probe.reason)];
  if (probe.status === 'error') return [result(meta, 'error', `The adoption probe failed: ${probe.error}`)];
  const d = probe.data;
  const planted = d.planted.map((p) => `${p.name}=${p.value.raw ?? p.value.masked}`).join('; ');
  if (d.kept.length === 0) {
    return [
      result(meta, 'pass', 'The server did not keep the attacker-chosen session ID: after logging in, the browser held a value the server issued.', {
        evidence: [`Planted before login: ${planted}; after login the browser held server-issued values instead.`],
        exchangeIds: d.exchangeIds ?? [],
      }),
    ];
  }
  const replay = d.replay;
  if (!replay) return [result(meta, 'error', 'The planted ID was kept but the replay was not recorded.')];
  const evidence = [
    `Planted before login: ${planted}. After a successful login the browser still used ${d.kept.join(', ')} with the planted value.`,
    `A browser holding only the planted value: ${replay.why} → ${replay.loggedIn ? 'logged in' : 'not logged in'}.`,
  ];
  if (replay.loggedIn) {
    return [result(meta, 'fail', `A session ID invented by the client (${d.kept.join(', ')}) was adopted at login and then authenticated the attacker's browser.`, { evidence, exchangeIds: [replay.exchangeId], cookie: d.kept[0] as string })];
  }
  return [result(meta, 'pass', 'The planted ID stayed in the browser, but it did not authenticate a browser holding only that ID.', { evidence, exchangeIds: [replay.exchangeId] })];
}

export default { meta, check } satisfies Rule;
