/** What the lifetime rules share: reading an optional probe outcome and describing a replay. */
import { formatDuration } from '../config/duration.js';
import type { LifetimePromise, OracleObservation, ProbeOutcome } from '../evidence/types.js';
import { result, type CheckResult, type RuleMeta } from './types.js';

export function probeData<T>(meta: RuleMeta, probe: ProbeOutcome<T> | undefined, name: string): { data: T } | { early: CheckResult } {
  if (!probe) return { early: result(meta, 'skipped', `The evidence holds no ${name} probe (it was gathered by a version of session-audit without it).`) };
  if (probe.status === 'skipped') return { early: result(meta, 'skipped', probe.reason) };
  if (probe.status === 'error') return { early: result(meta, 'error', `The ${name} probe failed: ${probe.error}`) };
  return { data: probe.data };
}

export function describePromise(p: LifetimePromise): string {
  const source = p.source === 'max-age' ? 'Max-Age' : p.source === 'expires' ? 'Expires' : 'the JWT exp claim';
  return `${p.cookie} promises to expire after ${formatDuration(p.seconds * 1000)} (${source})`;
}

export function replayText(o: OracleObservation & { atMs?: number | undefined }, what: string): string {
  return `${what}${o.atMs !== undefined ? ` at ${formatDuration(o.atMs)}` : ''}: ${o.why} → ${o.loggedIn ? 'still logged in' : 'logged out'}.`;
}

