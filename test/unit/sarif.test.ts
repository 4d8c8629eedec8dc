import { describe, expect, it } from 'vitest';
import { buildReport, type BuildOptions } from '../../src/report/build.js';
import sarif, { SECURITY_SEVERITY } from '../../src/report/formatters/sarif.js';
import type { FormatContext } from '../../src/report/formatters/types.js';
import { RULES } from '../../src/rules/index.js';
import { buildEvidence, fixationOk, logoutOk, oracle, POLICY, TOKEN } from '../fixtures/evidence.js';
import { githubSarifViolations, sarifSchemaErrors } from '../helpers/sarif.js';

const OPTS: BuildOptions = { version: '1.2.3', durationMs: 1, failOn: 'high', minScore: undefined, policy: POLICY };
const CTX: FormatContext = { colorLevel: 0, verbose: false, sarif: { uri: 'config/session-audit.json', lines: { target: 2, login: 3, logout: 9 } } };

type Log = { runs: Array<{ tool: { driver: { rules: Array<Record<string, any>> } }; results: Array<Record<string, any>>; automationDetails: { id: string }; invocations: Array<Record<string, any>> }> };

function weakEvidence() {
  return buildEvidence({
    line: `connect.sid=s%3A${TOKEN}; Path=/; Domain=.example.test`,
    https: false,
    host: 'app.example.test',
    fixation: fixationOk({ unchanged: ['connect.sid'], rotated: [], replay: oracle(true, 9) }),
    logout: logoutOk({ cookieActions: [{ name: 'connect.sid', action: 'kept' }], replay: oracle(true, 22) }),
  });
}

function render(ev = weakEvidence(), opts: Partial<BuildOptions> = {}, ctx = CTX): Log {
  const text = sarif(buildReport(ev, { ...OPTS, ...opts }), ctx);
  const log = JSON.parse(text) as Log;
  expect(sarifSchemaErrors(log)).toEqual([]);
  expect(githubSarifViolations(log as never)).toEqual([]);
  return log;
}

describe('SARIF', () => {
  it('a weak session: valid against the SARIF 2.1.0 schema and GitHub rules, one result per finding', () => {
    const log = render();
    const run = log.runs[0]!;
    expect(log.runs).toHaveLength(1);
    const report = buildReport(weakEvidence(), OPTS);
    expect(run.results.map((r) => r.ruleId)).toEqual(report.checks.filter((c) => c.status === 'fail').map((c) => c.ruleId));
    expect(run.results.length).toBeGreaterThan(5);
    expect(run.automationDetails.id).toBe('session-audit/app.example.test/');
    expect(run.invocations[0]).toMatchObject({ executionSuccessful: true });
  });

  it('rules come from every rule meta: id, PascalCase name, descriptions, help, tags with CWE, precision, security-severity', () => {
    const rules = render().runs[0]!.tool.driver.rules;
    expect(rules.map((r) => r.id)).toEqual(RULES.map((r) => r.meta.id));
    for (const [i, r] of rules.entries()) {
      const meta = RULES[i]!.meta;
      expect(r.name).toMatch(/^[A-Z][A-Za-z0-9]+$/);
      expect(r.name).not.toBe(r.id);
      expect(r.shortDescription.text).toBe(meta.title);
      expect(r.fullDescription.text).toBe(meta.why);
      expect(r.help.text).toContain(meta.fix);
      expect(r.help.markdown).toContain(meta.fix);
      expect(r.helpUri).toMatch(/^https:\/\//);
      expect(r.properties.tags).toEqual(expect.arrayContaining(['security', 'session-management', ...meta.cwe.map((n) => `external/cwe/cwe-${n}`)]));
      expect(r.properties.tags.length).toBeLessThan(10);
      expect(r.properties['security-severity']).toBe(SECURITY_SEVERITY[meta.severity]);
      expect(['very-high', 'high', 'medium', 'low']).toContain(r.properties.precision);
      expect(r.defaultConfiguration.level).toBe(meta.severity === 'high' || meta.severity === 'critical' ? 'error' : 'warning');
    }
    expect(Object.values(SECURITY_SEVERITY).map(Number)).toEqual([9.3, 7.5, 5.5, 2.5]);
  });

  it('each result: one location in the repository file at the right line, relative URI, title first, URL only in text and properties', () => {
    const run = render().runs[0]!;
    for (const r of run.results) {
      expect(r.locations).toHaveLength(1);
      expect(r.locations[0].physicalLocation.artifactLocation).toEqual({ uri: 'config/session-audit.json', uriBaseId: '%SRCROOT%' });
      const meta = RULES.find((x) => x.meta.id === r.ruleId)!.meta;
      expect(r.message.text.startsWith(`${meta.title}.`)).toBe(true);
      expect(r.message.text).toContain('Target: http://app.example.test/');
      expect(r.properties.target).toBe('http://app.example.test/');
      expect(r.partialFingerprints.primaryLocationLineHash).toMatch(/^[0-9a-f]{32}$/);
    }
    const line = (id: string) => run.results.find((r) => r.ruleId === id)?.locations[0].physicalLocation.region.startLine;
    expect(line('cookie-secure')).toBe(2);
    expect(line('session-fixation')).toBe(3);
    expect(line('logout-revocation')).toBe(9);
    expect(run.results.find((r) => r.ruleId === 'cookie-secure')?.properties.cookie).toBe('connect.sid');
    expect(JSON.stringify(run)).not.toContain(TOKEN);
  });

  it('fingerprints are stable across runs of the same finding', () => {
    const a = render().runs[0]!.results.map((r) => r.partialFingerprints.primaryLocationLineHash);
    const ev = weakEvidence();
    ev.startedAt = '2030-01-01T00:00:00.000Z';
    expect(render(ev).runs[0]!.results.map((r) => r.partialFingerprints.primaryLocationLineHash)).toEqual(a);
  });

  it('a clean audit still has a results array (empty), and checks in error become notifications, not results', () => {
    const clean = render(buildEvidence()).runs[0]!;
    expect(clean.results).toEqual([]);
    const broken = render(buildEvidence({ adoption: { status: 'error', error: 'boom' } })).runs[0]!;
    expect(broken.results).toEqual([]);
    expect(broken.invocations[0]!.toolExecutionNotifications[0].message.text).toContain('session-adoption');
  });

  it('ignored findings carry a suppression with the reason; with a baseline, results say new or unchanged', () => {
    const ignored = render(weakEvidence(), { ignore: [{ rule: 'cookie-secure', reason: 'TLS at the edge' }] }).runs[0]!;
    expect(ignored.results.find((r) => r.ruleId === 'cookie-secure')?.suppressions).toEqual([{ kind: 'external', justification: 'TLS at the edge' }]);
    const first = buildReport(weakEvidence(), OPTS);
    const known = new Set(first.checks.filter((c) => c.ruleId !== 'session-fixation').map((c) => c.fingerprint));
    const run = render(weakEvidence(), { baseline: known }).runs[0]!;
    expect(run.results.find((r) => r.ruleId === 'session-fixation')?.baselineState).toBe('new');
    expect(run.results.find((r) => r.ruleId === 'cookie-secure')?.baselineState).toBe('unchanged');
  });

  it('the GitHub checker itself rejects what GitHub rejects (ZAP-style https URI, no location, too many tags)', () => {
    const log = JSON.parse(sarif(buildReport(weakEvidence(), OPTS), CTX));
    const zap = structuredClone(log);
    zap.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri = 'https://app.example.test/';
    expect(githubSarifViolations(zap).join('\n')).toMatch(/has a scheme/);
    const bare = structuredClone(log);
    bare.runs[0].results[0].locations = [];
    expect(githubSarifViolations(bare).join('\n')).toMatch(/at least one location/);
    const tags = structuredClone(log);
    tags.runs[0].tool.driver.rules[0].properties.tags = Array.from({ length: 10 }, (_, i) => `t${i}`);
    expect(githubSarifViolations(tags).join('\n')).toMatch(/10 tags/);
    const invalid = structuredClone(log);
    invalid.runs[0].results[0].level = 'fatal';
    expect(sarifSchemaErrors(invalid).length).toBeGreaterThan(0);
  });
});
