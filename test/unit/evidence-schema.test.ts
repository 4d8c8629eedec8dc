import { describe, expect, it } from 'vitest';
import { parseEvidence } from '../../src/evidence/schema.js';
import { buildReport, type BuildOptions } from '../../src/report/build.js';
import { buildEvidence, fixationOk, logoutOk, oracle, POLICY, TOKEN } from '../fixtures/evidence.js';

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
});
