import { formatDuration } from '../config/duration.js';
import type { Evidence } from '../evidence/types.js';
import { probeData } from './lifetime-shared.js';
import { EXPRESS_SESSION_STORE } from './snippets.js';
import { result, type CheckResult, type Rule, type RuleMeta } from './types.js';

const meta: RuleMeta = {
  id: 'session-persistence',
  name: 'SessionsLostOnRestart',
  title: 'Valid sessions are lost when the server restarts (in-memory session store)',
  severity: 'low',
  why: 'Sessions kept in the process\'s memory vanish at every deploy, crash or scale-out, logging every user out, and they cannot be shared between instances or revoked centrally. express-session\'s default MemoryStore (and its kin in other frameworks) is documented as leaking memory and not meant for production.',
  fix: 'Keep sessions in a persistent, shared store with expiry: Redis (connect-redis), a database (connect-pg-simple, connect-mongo), or the framework\'s equivalent (PHP/Django/Rails database or cache stores) — not express-session\'s default MemoryStore, memorystore, or an in-process map.',
  snippets: { 'express-session': EXPRESS_SESSION_STORE },
  // No ASVS/WSTG requirement names this; it is an availability and operations finding.
  cwe: [],
  asvs: [],
  wstg: [],
  requires: ['session', 'persistence'],
};

function check(ev: Evidence): CheckResult[] {
  const p = probeData(meta, ev.probes.persistence, 'session-persistence');
  if ('early' in p) return [p.early];
  const d = p.data;
  const ready = d.ready.by === 'url' ? `answered ${d.ready.status ?? '?'} after ${formatDuration(d.ready.waitedMs)}` : `waited ${formatDuration(d.ready.waitedMs)}`;
  const evidence = [
    `Before the restart the session was logged in (${d.before.why}); the restart command exited ${d.restart.exitCode ?? d.restart.signal} after ${formatDuration(d.restart.durationMs)}; readiness: ${ready}.`,
    `A copy of the cookies saved before the restart: ${d.replay.why} → ${d.replay.loggedIn ? 'still logged in' : 'logged out'}.`,
  ];
  const ids = [d.before.exchangeId, d.replay.exchangeId];
  if (!d.replay.loggedIn) {
    // A cookie that carries the state itself has no store to lose: what the restart changed is the
    // key that signs or seals it (generated at start-up instead of loaded from configuration).
    const tokens = ev.probes.tokens;
    const stateful = tokens?.status === 'ok' ? tokens.data.cookies.filter((c) => c.source === undefined && c.clientSide).map((c) => c.cookie) : [];
    if (stateful.length > 0) {
      return [
        result(
          meta,
          'fail',
          `A valid session was lost when the target restarted. ${stateful.join(', ')} carr${stateful.length === 1 ? 'ies' : 'y'} the session state itself, so no store was lost: the key that signs or encrypts ${stateful.length === 1 ? 'it' : 'them'} changed, most likely generated at start-up instead of loaded from configuration. Every deploy logs every user out; load the key from the environment or a secret manager.`,
          { evidence, exchangeIds: ids },
        ),
      ];
    }
    return [result(meta, 'fail', 'A valid session was lost when the target restarted: sessions live in the server process\'s memory (express-session\'s MemoryStore or similar).', { evidence, exchangeIds: ids })];
  }
  return [result(meta, 'pass', 'The session survived a restart of the target: sessions are kept in a persistent store.', { evidence, exchangeIds: ids })];
}

export default { meta, check } satisfies Rule;
