import { describe, expect, it } from 'vitest';
import { validateConfig, applyPreset } from '../../src/config/load.js';
import { buildReport, fingerprint, type BuildOptions } from '../../src/report/build.js';
import { reportSchema } from '../../src/report/schema.js';
import { buildEvidence, fixationOk, oracle, POLICY, TOKEN } from '../fixtures/evidence.js';

const OPTS: BuildOptions = { version: '0.0.0-test', durationMs: 1, failOn: 'high', minScore: undefined, policy: POLICY };
/** No Secure, no prefix: cookie-secure (high), cookie-prefix (low) fail. */
const weak = () => buildEvidence({ line: `sid=${TOKEN}; Path=/; HttpOnly; SameSite=Lax` });

function build(opts: Partial<BuildOptions> = {}) {
  const report = buildReport(weak(), { ...OPTS, ...opts });
  expect(reportSchema.safeParse(report).success).toBe(true);
  return report;
}

describe('assertions', () => {
  it('by default a high finding is error level and a low one warns, as --fail-on high always did', () => {
    const report = build();
    const secure = report.checks.find((c) => c.ruleId === 'cookie-secure');
    const prefix = report.checks.find((c) => c.ruleId === 'cookie-prefix');
    expect(secure).toMatchObject({ status: 'fail', level: 'error', levelFrom: 'failOn' });
    expect(prefix).toMatchObject({ status: 'fail', level: 'warn', levelFrom: 'failOn' });
    expect(report.gate.passed).toBe(false);
    expect(report.gate.reasons).toEqual(['1 finding at or above high (--fail-on high): cookie-secure']);
    expect(report.gate.warnings).toEqual(['1 finding at warn level (not failing): cookie-prefix']);
  });

  it('assert "warn" on the high rule passes the gate; assert "error" on a low rule fails it', () => {
    expect(build({ assert: { 'cookie-secure': 'warn' } }).gate.passed).toBe(true);
    expect(build({ assert: { 'cookie-secure': 'off' } }).gate).toMatchObject({ passed: true, warnings: ['1 finding at warn level (not failing): cookie-prefix'] });
    const strictPrefix = build({ assert: { 'cookie-secure': 'off', 'cookie-prefix': 'error' } });
    expect(strictPrefix.gate.passed).toBe(false);
    expect(strictPrefix.gate.reasons).toEqual(['1 finding of rules asserted as "error": cookie-prefix']);
  });

  it('assertions never change the score or grade', () => {
    expect(build({ assert: { 'cookie-secure': 'off' } }).score).toBe(build().score);
  });

  it('--min-grade fails a grade below it', () => {
    const report = build({ failOn: 'none', minGrade: 'B' });
    expect(report.grade).toBe('C');
    expect(report.gate.reasons).toEqual(['grade C is below --min-grade B']);
    expect(build({ failOn: 'none', minGrade: 'C' }).gate.passed).toBe(true);
  });

  it('a check in error fails the gate unless its rule is asserted warn or off', () => {
    const ev = buildEvidence({ adoption: { status: 'error', error: 'boom' } });
    expect(buildReport(ev, OPTS).gate.passed).toBe(false);
    expect(buildReport(ev, { ...OPTS, assert: { 'session-adoption': 'warn' } }).gate.passed).toBe(true);
  });
});

describe('presets', () => {
  const base = { target: 'https://app.example.test', login: { url: '/login' }, credentials: { username: 'a' }, authCheck: { url: '/me' } };
  it('recommended is the default gate; strict fails on every finding and on a grade below B', () => {
    expect(validateConfig(applyPreset({ ...base, extends: 'session-audit:recommended' }))).toMatchObject({ failOn: 'high' });
    expect(validateConfig(applyPreset({ ...base, extends: 'session-audit:strict' }))).toMatchObject({ failOn: 'low', minGrade: 'B' });
  });
  it('what the file sets wins over the preset', () => {
    expect(validateConfig(applyPreset({ ...base, extends: 'session-audit:strict', failOn: 'medium' }))).toMatchObject({ failOn: 'medium', minGrade: 'B' });
  });
  it('an unknown preset or rule id is a config error naming the field', () => {
    expect(() => validateConfig(applyPreset({ ...base, extends: 'session-audit:lax' }))).toThrow(/extends: expected one of "session-audit:recommended", "session-audit:strict"/);
    expect(() => validateConfig({ ...base, assert: { 'cookie-secur': 'off' } })).toThrow(/unknown rule id "cookie-secur"/);
    expect(() => validateConfig({ ...base, ignore: [{ rule: 'cookie-secure' }] })).toThrow(/ignore\.0\.reason/);
    expect(() => validateConfig({ ...base, ignore: [{ rule: 'cookie-secure', reason: 'x', until: '2026-02-30' }] })).toThrow(/not a real calendar date/);
  });
});

describe('ignore', () => {
  const now = new Date('2026-03-10T12:00:00Z');
  it('an unexpired ignore takes the finding out of the gate but keeps it in the report and the score', () => {
    const report = build({ now, ignore: [{ rule: 'cookie-secure', reason: 'TLS ends at the load balancer; tracked in OPS-12', until: '2026-03-10' }] });
    expect(report.gate.passed).toBe(true);
    expect(report.gate.ignored).toBe(1);
    const secure = report.checks.find((c) => c.ruleId === 'cookie-secure');
    expect(secure).toMatchObject({ status: 'fail', suppressed: { by: 'ignore', reason: 'TLS ends at the load balancer; tracked in OPS-12', until: '2026-03-10' } });
    expect(report.score).toBe(build().score);
  });

  it('an expired ignore turns back into a finding, says so, and fails the gate', () => {
    const report = build({ now, ignore: [{ rule: 'cookie-secure', reason: 'accepted for the beta', until: '2026-03-09' }] });
    expect(report.gate.passed).toBe(false);
    const secure = report.checks.find((c) => c.ruleId === 'cookie-secure');
    expect(secure?.suppressed).toBeUndefined();
    expect(secure?.ignoreExpired).toEqual({ reason: 'accepted for the beta', until: '2026-03-09' });
    expect(secure?.message).toContain('ignored until 2026-03-09');
    expect(report.gate.warnings).toContain('the ignore entry for cookie-secure ("accepted for the beta") expired on 2026-03-09: the finding counts again');
    expect(report.gate.reasons).toEqual(['1 finding whose ignore entry expired: cookie-secure (until 2026-03-09)']);
    expect(secure).toMatchObject({ level: 'error', levelFrom: 'ignore-expired' });
  });

  it('an expired ignore fails the gate even for a finding below --fail-on (the date was a deadline), unless its rule is asserted', () => {
    const ignore = [
      { rule: 'cookie-secure', reason: 'r' },
      { rule: 'cookie-prefix', reason: 'rename planned', until: '2026-03-01' },
    ];
    const report = build({ now, ignore });
    expect(report.gate.passed).toBe(false);
    expect(report.gate.reasons).toEqual(['1 finding whose ignore entry expired: cookie-prefix (until 2026-03-01)']);
    expect(build({ now, ignore, assert: { 'cookie-prefix': 'warn' } }).gate.passed).toBe(true);
    // The day itself is still covered.
    expect(build({ now, ignore: [ignore[0]!, { ...ignore[1]!, until: '2026-03-10' }] }).gate.passed).toBe(true);
  });

  it('cookie and path narrow the entry', () => {
    expect(build({ ignore: [{ rule: 'cookie-secure', cookie: 'other', reason: 'r' }] }).gate.passed).toBe(false);
    expect(build({ ignore: [{ rule: 'cookie-secure', cookie: 'sid', reason: 'r' }] }).gate.passed).toBe(true);
    expect(build({ ignore: [{ rule: 'cookie-secure', path: '/admin/', reason: 'r' }] }).gate.passed).toBe(false);
    expect(build({ ignore: [{ rule: 'cookie-secure', path: '/', reason: 'r' }] }).gate.passed).toBe(true);
  });
});

describe('baseline', () => {
  it('fingerprints are stable across runs and differ by rule, origin, path and cookie', () => {
    const a = build().checks.map((c) => c.fingerprint);
    expect(build().checks.map((c) => c.fingerprint)).toEqual(a);
    const fp = fingerprint('cookie-secure', 'https://a.test/app/', 'sid');
    expect(fingerprint('cookie-secure', 'https://a.test/app/?x=1', 'sid')).toBe(fp);
    expect(new Set([fp, fingerprint('cookie-httponly', 'https://a.test/app/', 'sid'), fingerprint('cookie-secure', 'https://b.test/app/', 'sid'), fingerprint('cookie-secure', 'https://a.test/', 'sid'), fingerprint('cookie-secure', 'https://a.test/app/', 'id')]).size).toBe(5);
  });

  it('known findings do not fail the gate; a new one does', () => {
    const before = build();
    const known = new Set(before.checks.filter((c) => c.status === 'fail').map((c) => c.fingerprint));
    const same = build({ baseline: known });
    expect(same.gate).toMatchObject({ passed: true, known: 2 });
    // A new finding: session fixation now fails too.
    const ev = weak();
    ev.probes.fixation = fixationOk({ unchanged: ['sid'], rotated: [], replay: oracle(true, 9) });
    const worse = buildReport(ev, { ...OPTS, baseline: known });
    expect(worse.gate.passed).toBe(false);
    expect(worse.gate.reasons).toEqual(['1 finding at or above high (--fail-on high): session-fixation']);
    expect(worse.gate.known).toBe(2);
  });
});
