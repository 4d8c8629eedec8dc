/**
 * The built CLI writing every report format, the SARIF location rules, baselines, ignores and
 * --save-evidence / --from-evidence, against the embedded demo app on loopback.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo, type RunningDemo } from '../../src/demo/app.js';
import { reportSchema, type Report } from '../../src/report/schema.js';
import { dumpDom, textOf } from '../helpers/chromium.js';
import { runCli } from '../helpers/cli.js';
import { githubSarifViolations, sarifSchemaErrors } from '../helpers/sarif.js';

const PASSWORD = 'e2e-reports-Pa55word-never-printed';
const ENV = { SESSION_AUDIT_PASSWORD: PASSWORD };

let demo: RunningDemo;
/** A stand-in repository: a folder with .git, holding the config file. */
let repo: string;
let configPath: string;

beforeAll(async () => {
  demo = await startDemo({ fixed: false, password: PASSWORD });
  repo = await mkdtemp(join(tmpdir(), 'session-audit-repo-'));
  await mkdir(join(repo, '.git'));
  await mkdir(join(repo, 'ci'));
  configPath = join(repo, 'ci', 'session-audit.json');
  await writeFile(configPath, configText());
});
afterAll(async () => {
  await demo.close();
});

function configText(extra: Record<string, unknown> = {}): string {
  return `${JSON.stringify(
    {
      target: demo.url,
      login: { url: '/login', type: 'form' },
      credentials: { username: 'alice' },
      authCheck: { url: '/me' },
      logout: { url: '/logout' },
      ...extra,
    },
    null,
    2,
  )}\n`;
}

const lineOf = (text: string, key: string) => text.split('\n').findIndex((l) => l.includes(`"${key}":`)) + 1;

describe.concurrent('reports from the CLI', () => {
  it('all six formats come out of one run; stdout carries the one without a file', async () => {
    const out = await mkdtemp(join(repo, 'out-'));
    const r = await runCli(
      ['--config', 'ci/session-audit.json', '--format', 'terminal,json', '--format', 'sarif', '-o', `json=${out}/r.json`, '-o', `sarif=${out}/r.sarif`, '-o', `markdown=${out}/r.md`, '-o', `html=${out}/r.html`, '-o', `junit=${out}/r.xml`],
      ENV,
      { cwd: repo },
    );
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain('Gate: FAILED');
    const report = reportSchema.parse(JSON.parse(await readFile(`${out}/r.json`, 'utf8')));
    const findings = report.checks.filter((c) => c.status === 'fail');
    expect(findings.length).toBeGreaterThan(3);

    const sarif = JSON.parse(await readFile(`${out}/r.sarif`, 'utf8'));
    expect(sarif.runs[0].results).toHaveLength(findings.length);

    const md = await readFile(`${out}/r.md`, 'utf8');
    expect(md).toContain(`grade ${report.grade} (${report.score}/100), gate failed`);

    const xml = await readFile(`${out}/r.xml`, 'utf8');
    expect(XMLValidator.validate(xml)).toBe(true);
    const cases = new XMLParser({ isArray: (n) => n === 'testcase' }).parse(xml).testsuites.testsuite.testcase as unknown[];
    expect(cases).toHaveLength(report.checks.length);

    // The HTML report, opened in headless Chromium: the grade and every finding title are there.
    const text = textOf(await dumpDom(`${out}/r.html`));
    expect(text).toContain(`grade ${report.grade}`);
    for (const f of findings) expect(text).toContain(f.title);
    for (const file of ['r.json', 'r.sarif', 'r.md', 'r.html', 'r.xml']) expect(await readFile(`${out}/${file}`, 'utf8')).not.toContain(PASSWORD);
  });

  it('the SARIF of the demo audit passes the SARIF 2.1.0 schema and GitHub ingestion rules; results point at the config lines', async () => {
    const r = await runCli(['--config', 'ci/session-audit.json', '--format', 'sarif'], ENV, { cwd: repo });
    expect(r.code, r.stderr).toBe(1);
    const log = JSON.parse(r.stdout);
    expect(sarifSchemaErrors(log)).toEqual([]);
    expect(githubSarifViolations(log, (uri) => existsSync(join(repo, uri)))).toEqual([]);
    const cfg = await readFile(configPath, 'utf8');
    const line = (id: string) => log.runs[0].results.find((x: { ruleId: string }) => x.ruleId === id).locations[0].physicalLocation.region.startLine;
    expect(log.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toBe('ci/session-audit.json');
    expect(line('cookie-secure')).toBe(lineOf(cfg, 'target'));
    expect(line('session-fixation')).toBe(lineOf(cfg, 'login'));
    expect(line('logout-revocation')).toBe(lineOf(cfg, 'logout'));
    expect(log.runs[0].automationDetails.id).toBe(`session-audit/${new URL(demo.url).host}/`);
    expect(r.stdout).not.toMatch(/"uri":\s*"https?:/);
  });

  it('the `demo` command: SARIF with --sarif-location passes both checks; without any location it is a usage error before the audit', async () => {
    const ok = await runCli(['demo', '--format', 'sarif', '--sarif-location', 'README.md']);
    expect(ok.code, ok.stderr).toBe(1);
    const log = JSON.parse(ok.stdout);
    expect(sarifSchemaErrors(log)).toEqual([]);
    expect(githubSarifViolations(log, (uri) => existsSync(uri))).toEqual([]);
    const missing = await runCli(['demo', '--format', 'sarif']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('SARIF needs a file in your repository');
    expect(missing.stdout).toBe('');
    const nofile = await runCli(['demo', '--format', 'sarif', '--sarif-location', 'no/such/file.yml']);
    expect(nofile.code).toBe(2);
    expect(nofile.stderr).toContain('no such file');
  });

  it('two formats without files is a usage error (stdout carries one report); unknown formats name the choices', async () => {
    const two = await runCli(['demo', '--format', 'json,html']);
    expect(two.code).toBe(2);
    expect(two.stderr).toContain('stdout carries only one report');
    const bad = await runCli(['demo', '--format', 'pdf']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('terminal, json, sarif, markdown, html, junit');
    // A format list with no name, or a file with an empty format, is a mistake, not the terminal report.
    for (const args of [['--format', ','], ['--output', '=x']]) {
      const r = await runCli(['demo', ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/no format/);
    }
  });

  it('exit 2 and 3 with --format json on stdout: a JSON error object there too', async () => {
    const usage = await runCli(['http://127.0.0.1:9', '--login', '/l', '--username', 'a', '--auth-check', '/me', '--format', 'json']);
    expect(usage.code).toBe(2);
    expect(JSON.parse(usage.stdout)).toEqual({ error: { code: 'E_NO_PASSWORD', exitCode: 2, message: expect.stringContaining('SESSION_AUDIT_PASSWORD') } });
    const dir = await mkdtemp(join(tmpdir(), 'session-audit-err-'));
    const down = await runCli(['--from-evidence', `${dir}/none`, '--format', 'json']);
    expect(down.code).toBe(2);
    expect(JSON.parse(down.stdout).error).toMatchObject({ code: 'E_INPUT_READ', exitCode: 2 });
    const terminal = await runCli(['http://127.0.0.1:9', '--login', '/l', '--username', 'a', '--auth-check', '/me']);
    expect(terminal.stdout).toBe('');
    // Flags commander itself rejects (unknown option, bad choice) get the JSON object as well.
    for (const bad of [['--bogus-flag'], ['--fail-on', 'severe']]) {
      const r = await runCli(['http://127.0.0.1:9', '--format', 'json', ...bad]);
      expect(r.code).toBe(2);
      expect(JSON.parse(r.stdout)).toEqual({ error: { code: 'E_USAGE', exitCode: 2, message: expect.stringContaining(bad[0] as string) } });
    }
  });

  it('-o report.json alone still writes JSON (the old single --output)', async () => {
    const out = await mkdtemp(join(tmpdir(), 'session-audit-o-'));
    const r = await runCli(['demo', '-o', `${out}/report.json`]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(reportSchema.safeParse(JSON.parse(await readFile(`${out}/report.json`, 'utf8'))).success).toBe(true);
  });
});

describe.concurrent('gates across runs', () => {
  async function jsonRun(args: string[], cwd = repo): Promise<{ code: number | null; report: Report; stderr: string }> {
    const r = await runCli([...args, '--format', 'json'], ENV, { cwd });
    return { code: r.code, report: reportSchema.parse(JSON.parse(r.stdout)), stderr: r.stderr };
  }

  it('baseline: no new findings exits 0; one finding missing from the baseline is new and exits 1', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'session-audit-baseline-'));
    const first = await runCli(['--config', configPath, '-o', `${dir}/baseline.json`], ENV);
    expect(first.code).toBe(1);
    const again = await jsonRun(['--config', configPath, '--baseline', `${dir}/baseline.json`]);
    expect(again.code, JSON.stringify(again.report.gate)).toBe(0);
    expect(again.report.gate.known).toBe(again.report.checks.filter((c) => c.status === 'fail').length);

    const baseline = JSON.parse(await readFile(`${dir}/baseline.json`, 'utf8')) as Report;
    baseline.checks = baseline.checks.filter((c) => c.ruleId !== 'session-fixation');
    await writeFile(`${dir}/older.json`, JSON.stringify(baseline));
    const newer = await jsonRun(['--config', configPath, '--baseline', `${dir}/older.json`]);
    expect(newer.code).toBe(1);
    expect(newer.report.gate.reasons).toEqual(['1 finding at or above high (--fail-on high): session-fixation']);

    const notReport = await runCli(['--config', configPath, '--baseline', configPath], ENV);
    expect(notReport.code).toBe(2);
    expect(notReport.stderr).toContain('is not a session-audit JSON report');
  });

  it('ignore: accepted findings pass the gate; an expired ignore fails it and says so', async () => {
    // The demo's high findings (weak-secret: its 'keyboard cat' secret).
    const highs = ['session-fixation', 'logout-revocation', 'cookie-secure', 'weak-secret'];
    const valid = join(repo, 'ci', 'ignore-valid.json');
    await writeFile(valid, configText({ ignore: highs.map((rule) => ({ rule, reason: 'demo app, deliberately vulnerable', until: '2999-12-31' })) }));
    const ok = await jsonRun(['--config', valid]);
    expect(ok.code, JSON.stringify(ok.report.gate)).toBe(0);
    expect(ok.report.gate.ignored).toBe(highs.length);

    const expired = join(repo, 'ci', 'ignore-expired.json');
    await writeFile(expired, configText({ ignore: highs.map((rule) => ({ rule, reason: 'demo app, deliberately vulnerable', until: rule === 'cookie-secure' ? '2020-01-31' : '2999-12-31' })) }));
    const bad = await jsonRun(['--config', expired]);
    expect(bad.code).toBe(1);
    expect(bad.report.gate.reasons).toEqual(['1 finding whose ignore entry expired: cookie-secure (until 2020-01-31)']);
    expect(bad.report.checks.find((c) => c.ruleId === 'cookie-secure')?.message).toContain('ignored until 2020-01-31');
  });

  it('assert and presets from the config file decide the exit code', async () => {
    const warnOnly = join(repo, 'ci', 'assert.json');
    await writeFile(warnOnly, configText({ assert: { 'session-fixation': 'warn', 'logout-revocation': 'warn', 'cookie-secure': 'off', 'weak-secret': 'warn' } }));
    expect((await jsonRun(['--config', warnOnly])).code).toBe(0);
    const strict = join(repo, 'ci', 'strict.json');
    await writeFile(strict, configText({ extends: 'session-audit:strict', assert: { 'session-fixation': 'off', 'logout-revocation': 'off', 'cookie-secure': 'off' } }));
    const s = await jsonRun(['--config', strict]);
    expect(s.code).toBe(1);
    expect(s.report.gate).toMatchObject({ preset: 'session-audit:strict', failOn: 'low', minGrade: 'B' });
  });

  it('--save-evidence then --from-evidence re-renders and re-scores offline, with no URL or password', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'session-audit-evidence-'));
    const live = await runCli(['demo', '--format', 'json', '--save-evidence', `${dir}/ev`]);
    expect(live.code).toBe(1);
    const saved = await readFile(`${dir}/ev/evidence.json`, 'utf8');
    // The demo server is gone now: nothing can be fetched.
    const again = await runCli(['--from-evidence', `${dir}/ev`, '--format', 'json'], {});
    expect(again.code, again.stderr).toBe(1);
    const a = reportSchema.parse(JSON.parse(live.stdout));
    const b = reportSchema.parse(JSON.parse(again.stdout));
    expect([b.score, b.grade]).toEqual([a.score, a.grade]);
    expect(b.checks.map((c) => [c.ruleId, c.status, c.fingerprint])).toEqual(a.checks.map((c) => [c.ruleId, c.status, c.fingerprint]));
    expect((await runCli(['--from-evidence', `${dir}/ev`, '--fail-on', 'none'], {})).code).toBe(0);
    // A newer version's extra probe is kept, not rejected.
    const ev = JSON.parse(saved);
    ev.probes.futureProbe = { status: 'ok', data: { anything: 1 } };
    await writeFile(`${dir}/future.json`, JSON.stringify(ev));
    expect((await runCli(['--from-evidence', `${dir}/future.json`, '--format', 'json'], {})).code).toBe(1);
    // Broken evidence is a usage error naming the field.
    delete ev.session;
    await writeFile(`${dir}/broken.json`, JSON.stringify(ev));
    const broken = await runCli(['--from-evidence', `${dir}/broken.json`], {});
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/is not session-audit evidence:\s+session:/);
  });

  it('a --template that parses but would not finish rendering is exit 2 naming the template, not an internal error or a hang', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'session-audit-template-'));
    expect((await runCli(['demo', '--fail-on', 'none', '--save-evidence', `${dir}/ev`])).code).toBe(0);
    // 12 nested loops over the demo's not-run checks: hundreds of millions of iterations.
    await writeFile(`${dir}/nested.md`, `${'{{#each notRun}}'.repeat(12)}x${'{{/each}}'.repeat(12)}`);
    const run = await runCli(['--from-evidence', `${dir}/ev`, '--format', 'markdown', '--template', `markdown=${dir}/nested.md`], {});
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain('--template for the markdown report: the template takes more than 10,000,000 steps');
    expect(run.stderr).not.toMatch(/internal error|\n\s+at /);
  });
});
