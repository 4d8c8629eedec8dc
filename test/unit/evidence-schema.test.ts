import { describe, expect, it } from 'vitest';
import { parseEvidence } from '../../src/evidence/schema.js';
import { buildReport, type BuildOptions } from '../../src/report/build.js';
import { absoluteTimeoutOk, buildEvidence, expiryOk, fixationOk, idleTimeoutOk, logoutOk, oracle, persistenceOk, POLICY, TOKEN } from '../fixtures/evidence.js';

const OPTS: BuildOptions = { version: '1', durationMs: 1, failOn: 'high', minScore: undefined, policy: POLICY };

describe('saved evidence', () => {
  const ev = buildEvidence({
    line: `sid=${TOKEN}; Path=/`,
    fixation: fixationOk({ unchanged: ['sid'], rotated: [], replay: oracle(true, 9) }),
    logout: logoutOk({ replay: oracle(true, 22) }),
  });

  it('round-trips through JSON to the same verdicts', () => {
    const parsed = parseEvidence(JSON.parse(JSON.stringify(ev)));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const strip = (r: ReturnType<typeof buildReport>) => r.checks.map((c) => [c.ruleId, c.status, c.message, c.fingerprint]);
    expect(strip(buildReport(parsed.evidence, OPTS))).toEqual(strip(buildReport(ev, OPTS)));
  });

  it('keeps what a newer version adds (a probe, an actor, a field) instead of rejecting it', () => {
    const data = JSON.parse(JSON.stringify(ev));
    data.probes.passwordChange = { status: 'ok', data: { replay: { loggedIn: true } } };
    data.exchanges[0].actor = 'third-device';
    data.session.newField = 1;
    const parsed = parseEvidence(data);
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect((parsed.evidence.probes as Record<string, unknown>).passwordChange).toEqual({ status: 'ok', data: { replay: { loggedIn: true } } });
  });

  it('names the fields that are wrong', () => {
    const data = JSON.parse(JSON.stringify(ev));
    data.probes.logout = { status: 'ok', data: { logoutExchangeIds: 'x' } };
    data.schemaVersion = 2;
    const parsed = parseEvidence(data);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.problems.join('\n')).toContain('schemaVersion');
      expect(parsed.problems.join('\n')).toContain('probes.logout.data.logoutExchangeIds');
    }
  });

  // A hand-edited or truncated evidence file used to reach the report builder unchecked: an 'ok'
  // lifetime probe without its data crashed it (exit 70, "internal error"), a 'skipped' outcome
  // without a reason crashed the JUnit formatter. It is an outside input: exit 2 naming the field.
  it('checks the lifetime probes and every probe outcome, and still reads real ones', () => {
    const full = JSON.parse(JSON.stringify({ ...ev, probes: { ...ev.probes, expiry: expiryOk(), idleTimeout: idleTimeoutOk(), absoluteTimeout: absoluteTimeoutOk(), persistence: persistenceOk() } }));
    const good = parseEvidence(full);
    expect(good.ok).toBe(true);
    if (good.ok) expect(buildReport(good.evidence, OPTS).lifetime?.measured.map((m) => m.probe)).toEqual(['expiry-idle', 'expiry-busy', 'idle-timeout', 'absolute-timeout', 'restart']);
    const cases: Array<[string, unknown, string]> = [
      ['expiry', { status: 'ok', data: {} }, 'probes.expiry.data.idle'],
      ['idleTimeout', { status: 'ok', data: {} }, 'probes.idleTimeout.data.replay'],
      ['absoluteTimeout', { status: 'ok', data: { replay: {} } }, 'probes.absoluteTimeout.data.replay.loggedIn'],
      ['persistence', { status: 'ok', data: {} }, 'probes.persistence.data.restart'],
      ['expiry', { status: 'skipped' }, 'probes.expiry.reason'],
      ['tokens', null, 'probes.tokens'],
      ['somethingNew', { status: 'error', error: 5 }, 'probes.somethingNew.error'],
    ];
    for (const [probe, value, path] of cases) {
      const data = JSON.parse(JSON.stringify(full));
      data.probes[probe] = value;
      const parsed = parseEvidence(data);
      expect(parsed.ok, probe).toBe(false);
      if (!parsed.ok) expect(parsed.problems.join('\n')).toContain(path);
    }
  });
});
