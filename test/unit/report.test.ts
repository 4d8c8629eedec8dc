import { describe, expect, it } from 'vitest';
import type { Evidence } from '../../src/evidence/types.js';
import { buildReport, type BuildOptions } from '../../src/report/build.js';
import json from '../../src/report/formatters/json.js';
import { reportSchema } from '../../src/report/schema.js';
import type { Rule } from '../../src/rules/types.js';
import { buildEvidence, fixationOk, logoutOk, oracle, POLICY, TOKEN } from '../fixtures/evidence.js';

const OPTS: BuildOptions = { version: '0.0.0-test', durationMs: 1234.4, failOn: 'high', minScore: undefined, policy: POLICY };

function validated(ev: Evidence, opts: BuildOptions = OPTS) {
  const report = buildReport(ev, opts);
  const parsed = reportSchema.safeParse(report);
  expect(parsed.success, parsed.success ? '' : JSON.stringify(parsed.error.issues, null, 2)).toBe(true);
  return report;
}

function expectSummaryMatchesChecks(report: ReturnType<typeof buildReport>): void {
  const count = (s: string) => report.checks.filter((c) => c.status === s).length;
  const sev = (s: string) => report.checks.filter((c) => c.status === 'fail' && c.severity === s).length;
  expect(report.summary).toEqual({
    checks: report.checks.length,
    passed: count('pass'),
    failed: count('fail'),
    skipped: count('skipped'),
    notApplicable: report.checks.filter((c) => c.status === 'skipped' && c.notApplicable).length,
    errors: count('error'),
    findingsBySeverity: { critical: sev('critical'), high: sev('high'), medium: sev('medium'), low: sev('low') },
  });
  expect(report.summary.passed + report.summary.failed + report.summary.skipped + report.summary.errors).toBe(report.summary.checks);
}

describe('buildReport', () => {
  it('a hardened session: valid report, every check passes, 100 / A+, gate passed', () => {
    const report = validated(buildEvidence());
    // expiry-enforcement judges two ways (left idle, kept busy): two checks.
    expect(report.checks).toHaveLength(22);
    // weak-secret, jwt-alg-none and jwt-expiry do not apply to an opaque ID: not a gap, still A+.
    expect(report.summary).toEqual({ checks: 22, passed: 19, failed: 0, skipped: 3, notApplicable: 3, errors: 0, findingsBySeverity: { critical: 0, high: 0, medium: 0, low: 0 } });
    expect(report.checks.filter((c) => c.status === 'skipped').map((c) => [c.ruleId, c.notApplicable])).toEqual([
      ['weak-secret', true],
      ['jwt-alg-none', true],
      ['jwt-expiry', true],
    ]);
    expect(report.score).toBe(100);
    expect(report.grade).toBe('A+');
    expect(report.gate).toEqual({ passed: true, failOn: 'high', reasons: [] });
    expect(report.durationMs).toBe(1234);
    expect(report.tool).toEqual({ name: 'session-audit', version: '0.0.0-test' });
    expect(report.target).toBe('https://app.example.test/');
    expect(report.session.cookies).toEqual([
      { name: '__Host-sid', value: expect.objectContaining({ masked: 'Zt8qL2vN…', length: TOKEN.length }), issued: 'at-login', essential: true, setCookie: '__Host-sid=Zt8qL2vN…; Path=/; Secure; HttpOnly; SameSite=Lax' },
    ]);
  });

  it('a weak express-session: findings counted, snippets attached, gate failed', () => {
    const ev = buildEvidence({
      line: `connect.sid=s%3A${TOKEN}; Path=/; Max-Age=31536000; Domain=.example.test`,
      https: false,
      stack: 'express-session',
      fixation: fixationOk({ unchanged: ['connect.sid'], rotated: [], replay: oracle(true, 9) }),
      logout: logoutOk({ cookieActions: [{ name: 'connect.sid', action: 'kept' }], replay: oracle(true, 22) }),
      warnings: ['The target is plain http://: credentials and session tokens crossed the network unencrypted.'],
      withoutLifetimeProbes: true,
    });
    const report = validated(ev, { ...OPTS, minScore: 50 });
    expectSummaryMatchesChecks(report);
    const byRule = Object.fromEntries(report.checks.map((c) => [c.ruleId, c.status]));
    expect(byRule).toEqual({
      'session-fixation': 'fail',
      'session-adoption': 'pass',
      'logout-revocation': 'fail',
      'logout-cookie-clear': 'fail',
      'cookie-secure': 'fail',
      'cookie-httponly': 'fail',
      'cookie-samesite': 'fail',
      'cookie-lifetime': 'fail',
      'cookie-scope': 'fail',
      'cookie-prefix': 'fail',
      'cookie-name-fingerprint': 'fail',
      // Evidence saved before the lifetime probes existed still loads; those rules say why they did not run.
      'password-change-revocation': 'skipped',
      'expiry-enforcement': 'skipped',
      'idle-timeout': 'skipped',
      'absolute-timeout': 'skipped',
      'session-persistence': 'skipped',
      'weak-secret': 'skipped',
      'jwt-alg-none': 'skipped',
      'jwt-expiry': 'skipped',
      'client-side-session': 'pass',
      'token-entropy': 'pass',
    });
    expect(report.checks.find((c) => c.ruleId === 'idle-timeout')?.message).toContain('gathered by a version of session-audit without it');
    expect(report.lifetime?.notes).toEqual(['the evidence holds no lifetime probes']);
    expect(report.summary.findingsBySeverity).toEqual({ critical: 0, high: 3, medium: 4, low: 3 });
    expect(report.score).toBe(0);
    expect(report.grade).toBe('F');
    expect(report.gate.passed).toBe(false);
    expect(report.gate.reasons).toEqual([
      '3 findings at or above high (--fail-on high): session-fixation, logout-revocation, cookie-secure',
      'score 0 is below --min-score 50',
    ]);
    expect(report.session.stack).toBe('express-session');
    const secure = report.checks.find((c) => c.ruleId === 'cookie-secure');
    expect(secure?.snippet).toContain("name: '__Host-sid'");
    expect(secure?.references).toEqual({ cwe: ['CWE-614'], asvs: ['ASVS 5.0: V3.3.1', 'ASVS 4.0.3: 3.4.1'], wstg: ['WSTG-SESS-02'] });
    // cookie-scope has its own express-session snippet too.
    expect(report.checks.find((c) => c.ruleId === 'cookie-scope')?.snippet).toBeDefined();
    expect(report.warnings).toHaveLength(1);
  });

  it('skipped and errored checks are counted and keep the grade from A+', () => {
    const ev = buildEvidence({ line: null, logout: { status: 'skipped', reason: 'no logout endpoint configured' }, adoption: { status: 'error', error: 'boom' }, withoutLifetimeProbes: true });
    const report = validated(ev);
    expectSummaryMatchesChecks(report);
    expect(report.summary).toMatchObject({ checks: 21, passed: 3, failed: 0, skipped: 17, errors: 1 });
    expect(report.score).toBe(100);
    expect(report.grade).toBe('A');
    expect(report.gradeNote).toBe('A, not A+: some checks did not run');
    expect(report.gate.passed).toBe(false);
    expect(report.gate.reasons).toEqual(['1 check ended in error and could not be judged: session-adoption']);
  });

  it('a rule that throws becomes an error check, not a crash', () => {
    const broken: Rule = {
      meta: { id: 'broken-rule', title: 'Broken', name: 'Broken', severity: 'low', why: 'w', fix: 'f', cwe: [1], asvs: [], wstg: [], requires: ['session'] },
      check() {
        throw new Error('kaboom');
      },
    };
    const report = buildReport(buildEvidence(), OPTS, [broken]);
    expect(reportSchema.safeParse(report).success).toBe(true);
    expect(report.checks).toEqual([expect.objectContaining({ ruleId: 'broken-rule', status: 'error', message: 'The rule itself failed: kaboom' })]);
    expect(report.grade).toBe('A');
  });

  it('never contains the raw session token without showSecrets', () => {
    const ev = buildEvidence({ fixation: fixationOk({ unchanged: ['__Host-sid'], rotated: [], replay: oracle(true, 9) }) });
    const text = json(buildReport(ev, OPTS), { colorLevel: 0, verbose: true });
    expect(text).not.toContain(TOKEN);
    expect(reportSchema.safeParse(JSON.parse(text)).success).toBe(true);
  });

  it('rounds and clamps durationMs', () => {
    expect(buildReport(buildEvidence(), { ...OPTS, durationMs: -5 }).durationMs).toBe(0);
    expect(buildReport(buildEvidence(), { ...OPTS, durationMs: 99.6 }).durationMs).toBe(100);
  });
});
