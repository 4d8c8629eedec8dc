import { writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { buildReport, type BuildOptions } from '../../src/report/build.js';
import html from '../../src/report/formatters/html.js';
import junit from '../../src/report/formatters/junit.js';
import markdown from '../../src/report/formatters/markdown.js';
import type { Report } from '../../src/report/schema.js';
import { escapeHtml, escapeMarkdown, parseTemplate, renderTemplate, TemplateError } from '../../src/report/template.js';
import { buildEvidence, fixationOk, idleTimeoutOk, logoutOk, oracle, POLICY, TOKEN } from '../fixtures/evidence.js';
import { dumpDom, textOf } from '../helpers/chromium.js';

const OPTS: BuildOptions = { version: '1.0.0', durationMs: 10, failOn: 'high', minScore: undefined, policy: POLICY };
const CTX = { colorLevel: 0 as const, verbose: false };

function weakReport(): Report {
  return buildReport(
    buildEvidence({
      line: `connect.sid=s%3A${TOKEN}; Path=/`,
      https: false,
      stack: 'express-session',
      fixation: fixationOk({ unchanged: ['connect.sid'], rotated: [], replay: oracle(true, 9) }),
      logout: logoutOk({ cookieActions: [{ name: 'connect.sid', action: 'kept' }], replay: oracle(true, 22) }),
      adoption: { status: 'skipped', reason: 'no planted cookie' },
    }),
    OPTS,
  );
}

const HOSTILE = `"><img src=x onerror="document.title='pwned'"><script>document.title='pwned'</script>@everyone [x](javascript:alert(1)) | ~~`;

/** A report whose target-derived strings (messages, evidence, cookie names, target) carry markup. */
function hostileReport(): Report {
  const r = weakReport();
  r.target = `http://127.0.0.1/${HOSTILE}`;
  r.warnings = [HOSTILE];
  r.checks = r.checks.map((c) => ({ ...c, cookie: HOSTILE, message: `${c.message} ${HOSTILE}`, evidence: [...c.evidence, `Set-Cookie: ${HOSTILE}=1`] }));
  return r;
}

describe('template engine', () => {
  it('escapes every value, loops, conditionals, else, @index and parent lookups', () => {
    const t = '{{#each items}}{{@index}}:{{name}}/{{title}}{{#if on}}+{{else}}-{{/if}};{{/each}}{{#unless items}}none{{/unless}}';
    expect(renderTemplate(t, { title: 'T<', items: [{ name: '<b>', on: true }, { name: 'x', on: false }] }, escapeHtml)).toBe('0:&lt;b&gt;/T&lt;+;1:x/T&lt;-;');
    expect(renderTemplate(t, { items: [] }, escapeHtml)).toBe('none');
    expect(renderTemplate('{{#each xs}}{{.}}{{else}}empty{{/each}}', { xs: [] }, escapeHtml)).toBe('empty');
  });

  it('a block tag alone on its line leaves no blank line', () => {
    expect(renderTemplate('a\n{{#if x}}\nb\n{{/if}}\nc\n', { x: true }, escapeHtml)).toBe('a\nb\nc\n');
  });

  it('reads only own properties: no prototype, constructor or __proto__ access', () => {
    expect(renderTemplate('[{{constructor.name}}][{{__proto__}}][{{x.toString}}][{{x.length}}]', { x: 'abc' }, escapeHtml)).toBe('[][][][]');
  });

  it('has no raw output: triple braces are not a way around escaping', () => {
    expect(() => parseTemplate('{{{x}}}')).toThrow(TemplateError);
  });

  it('reports broken templates with the line', () => {
    expect(() => parseTemplate('a\n{{#each xs}}')).toThrow('line 2: {{#each xs}} is never closed');
    expect(() => parseTemplate('{{#if a}}{{/each}}')).toThrow('closes {{#if}}');
    expect(() => parseTemplate('{{#with a}}{{/with}}')).toThrow('unknown block');
    expect(() => parseTemplate('{{a b}}')).toThrow('not a value name');
  });

  // The tag regex backtracked: a stray "{{" and 2,000 spaces took minutes, 100,000 "{{" with no
  // "}}" about 40 seconds; these render at once now (vitest's timeout is the failure before).
  it('a stray "{{" with no "}}" is plain text, whatever follows it', () => {
    expect(renderTemplate(`{{${' '.repeat(2000)}`, {}, escapeHtml)).toBe(`{{${' '.repeat(2000)}`);
    expect(renderTemplate(`${'{{'.repeat(100_000)}x`, {}, escapeHtml)).toBe(`${'{{'.repeat(100_000)}x`);
    expect(renderTemplate(`${'{{#\n'.repeat(50_000)}y`, {}, escapeHtml)).toBe(`${'{{#\n'.repeat(50_000)}y`);
    expect(renderTemplate('{{ # if x }}y{{ / if }}', { x: true }, escapeHtml)).toBe('y');
    expect(renderTemplate('{{a}b}} {{ x }}', { x: 1 }, escapeHtml)).toBe('{{a}b}} 1');
  });

  it('many tags and lines still report the right line', () => {
    expect(() => parseTemplate(`${'{{x}}'.repeat(100_000)}\n\n{{a b}}`)).toThrow('line 3:');
  });

  it('nested loops that would not finish fail with a TemplateError instead of hanging', () => {
    const view = { xs: Array.from({ length: 21 }, (_, i) => i) };
    expect(renderTemplate('{{#each xs}}{{#each xs}}{{.}}{{/each}}{{/each}}', view, escapeHtml)).toHaveLength(21 * 32);
    // 21^8 iterations with an empty body: nothing is written, but it would run for hours.
    expect(() => renderTemplate(`${'{{#each xs}}'.repeat(8)}${'{{/each}}'.repeat(8)}`, view, escapeHtml)).toThrow(/would not finish/);
  });

  it('markdown escaping keeps target text inert: no HTML, no links, no mentions, no table breaks', () => {
    const out = escapeMarkdown('<b>|x</b> @team [a](javascript:b) https://x.test\nnext');
    expect(out).not.toMatch(/<|\n|(?<!\\)\||@|javascript:|https:/);
  });
});

describe('markdown', () => {
  it('grade, score, gate, a table row per finding, collapsible evidence', () => {
    const r = weakReport();
    const md = markdown(r, CTX);
    expect(md).toContain(`### session-audit: grade ${r.grade} (${r.score}/100), gate failed`);
    const findings = r.checks.filter((c) => c.status === 'fail');
    const rows = md.split('\n').filter((l) => /^\| (critical|high|medium|low) \|/.test(l));
    expect(rows).toHaveLength(findings.length);
    expect(r.summary.notApplicable).toBeGreaterThan(0);
    // + the not-run list and the not-applicable list, each counted apart from the findings.
    expect(md.match(/<details><summary>/g)?.length).toBe(findings.length + 2);
    expect(md).toContain(`<details><summary>${r.summary.notApplicable} not applicable</summary>`);
    expect(md).toContain(`<details><summary>${r.summary.skipped - r.summary.notApplicable + r.summary.errors} not run (skipped or in error)</summary>`);
    expect(md).toContain('no planted cookie');
    expect(md).not.toContain(TOKEN);
  });

  it('hostile server text cannot inject HTML, links, mentions or break the table', () => {
    const md = markdown(hostileReport(), CTX);
    expect(md).not.toContain('<img');
    expect(md).not.toContain('<script');
    expect(md).not.toContain('@everyone');
    expect(md).not.toContain('](javascript');
    for (const row of md.split('\n').filter((l) => /^\| (critical|high|medium|low) \|/.test(l))) {
      expect(row.split(/(?<!\\)\|/).length - 2).toBe(4); // still four cells
    }
  });

  it('a custom template renders the same view', () => {
    expect(markdown(weakReport(), { ...CTX, template: 'Grade {{grade}}: {{#each findings}}{{ruleId}} {{/each}}' })).toMatch(/^Grade F: session-fixation logout-revocation /);
  });
});

describe('html', () => {
  it('is self-contained: viewport, CSP without scripts, no external URL in any src/href', () => {
    const page = html(weakReport(), CTX);
    expect(page).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(page).toMatch(/Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'/);
    expect(page).not.toMatch(/<script|<link|\s(src|href)=/i);
    expect(page).not.toContain(TOKEN);
  });

  it('escapes everything that came from the target', () => {
    const page = html(hostileReport(), CTX);
    expect(page).not.toContain('<img');
    expect(page).not.toContain('<script');
    expect(page).toContain('&lt;script&gt;');
  });

  it('headless Chromium: hostile text shows as text, creates no element and runs nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'session-audit-html-'));
    const file = join(dir, 'hostile.html');
    await writeFile(file, html(hostileReport(), CTX));
    const dom = await dumpDom(file);
    expect(dom).not.toMatch(/<img|<script/i);
    expect(dom).toMatch(/<title>session-audit F: /);
    expect(dom).not.toContain('<title>pwned</title>');
    expect(textOf(dom)).toContain(`<script>document.title='pwned'</script>`);
  });
});

describe('junit', () => {
  it('well-formed XML: one testcase per check, failure / skipped / error by status', () => {
    const r = weakReport();
    r.checks[1] = { ...r.checks[1]!, status: 'error', message: 'probe failed' };
    const xml = junit(r, CTX);
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false, isArray: (name) => name === 'testcase' }).parse(xml);
    const cases = doc.testsuites.testsuite.testcase as Array<Record<string, unknown>>;
    expect(cases).toHaveLength(r.checks.length);
    const by = (k: string) => cases.filter((c) => k in c).length;
    expect(by('failure')).toBe(r.checks.filter((c) => c.status === 'fail').length);
    expect(by('skipped')).toBe(r.checks.filter((c) => c.status === 'skipped').length);
    expect(by('error')).toBe(1);
    expect(doc.testsuites['@_tests']).toBe(String(r.summary.checks));
  });

  it('stays well-formed with hostile text and control characters', () => {
    const r = hostileReport();
    r.checks[0] = { ...r.checks[0]!, message: `a\u0000b\u001bc ]]> <![CDATA[ &bogus; "'` };
    const xml = junit(r, CTX);
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml).not.toContain('<script');
  });
});

describe('lifetime and incomplete runs in every format', () => {
  // Evidence of a run cut short after the idle-timeout probe measured a session that outlived 30m.
  function cutShort(): Report {
    const ev = buildEvidence({ idleTimeout: idleTimeoutOk({ replay: { ...oracle(true, 41), atMs: 1_980_000 } }) });
    ev.incomplete = 'The run was stopped (SIGINT) before every check finished; unfinished checks are marked error.';
    ev.advertised = [{ cookie: '__Host-sid', source: 'max-age', seconds: 1800 }];
    return buildReport(ev, OPTS);
  }

  it('markdown, html, junit and sarif all show the advertised and the measured lifetime, and say the run is incomplete', async () => {
    const report = cutShort();
    const { default: sarif } = await import('../../src/report/formatters/sarif.js');
    const outputs = {
      markdown: markdown(report, CTX),
      html: html(report, CTX),
      junit: junit(report, CTX),
      sarif: sarif(report, { ...CTX, sarif: { uri: 'session-audit.config.json', lines: { target: 2, login: 3, logout: 4 } } }),
    };
    for (const [name, text] of Object.entries(outputs)) {
      // Each format escapes its own way (Markdown backslashes, HTML/XML entities): match plain words.
      expect(text, name).toMatch(/Host-sid\S*\s30m\s\S*Max-Age/);
      expect(text, name).toMatch(/idle-timeout probe, idle for 33m\S*\sstill valid/);
      expect(text, name).toMatch(/The run was stopped \S*SIGINT/);
    }
    expect(JSON.parse(outputs.sarif).runs[0].invocations[0].executionSuccessful).toBe(false);
  });
});
