/**
 * JUnit XML for CI test tabs (GitLab, Jenkins, Azure): one test case per check; a finding is a
 * <failure>, a skipped check <skipped>, a check in error <error>. Everything from the target is
 * escaped, and characters XML 1.0 cannot carry are replaced.
 */
import { lifetimeSummary } from '../lifetime-summary.js';
import type { Report, ReportCheck } from '../schema.js';
import type { Formatter } from './types.js';

export function xmlEscape(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu, '?')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function caseName(c: ReportCheck): string {
  return c.cookie ? `${c.title} (${c.cookie})` : c.title;
}

function body(c: ReportCheck, report: Report): string {
  const lines = [`${c.message}`, `Target: ${report.target}`, ...c.evidence.map((e) => `Evidence: ${e}`), `Why: ${c.why}`, `Fix: ${c.fix}`];
  if (c.suppressed?.by === 'ignore') lines.push(`Ignored (not failing the gate): ${c.suppressed.reason}`);
  if (c.suppressed?.by === 'baseline') lines.push('Known: already in the baseline (not failing the gate)');
  return xmlEscape(lines.join('\n'));
}

function lifetimeProps(report: Report): string {
  const l = lifetimeSummary(report.lifetime);
  if (!l) return '';
  return `\n      <property name="lifetime.advertised" value="${xmlEscape(l.advertised)}"/>\n      <property name="lifetime.measured" value="${xmlEscape(l.measured)}"/>`;
}

const junit: Formatter = (report) => {
  const s = report.summary;
  const seconds = (report.durationMs / 1000).toFixed(3);
  const cases = report.checks.map((c) => {
    const open = `    <testcase classname="session-audit.${xmlEscape(c.ruleId)}" name="${xmlEscape(caseName(c))}" time="0">`;
    const msg = xmlEscape(c.message);
    switch (c.status) {
      case 'pass':
        return `${open}</testcase>`;
      case 'skipped':
        return `${open}\n      <skipped message="${msg}"/>\n    </testcase>`;
      case 'error':
        return `${open}\n      <error message="${msg}" type="error">${body(c, report)}</error>\n    </testcase>`;
      case 'fail':
        return `${open}\n      <failure message="${msg}" type="${xmlEscape(c.severity)}">${body(c, report)}</failure>\n    </testcase>`;
    }
  });
  const name = xmlEscape(`session-audit ${report.target}`);
  const attrs = `tests="${s.checks}" failures="${s.failed}" errors="${s.errors}" skipped="${s.skipped}" time="${seconds}"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="session-audit" ${attrs}>`,
    `  <testsuite name="${name}" ${attrs} timestamp="${xmlEscape(report.startedAt)}">`,
    `    <properties>\n      <property name="score" value="${report.score}"/>\n      <property name="grade" value="${xmlEscape(report.grade)}"/>\n      <property name="gate" value="${report.gate.passed ? 'passed' : 'failed'}"/>${lifetimeProps(report)}${report.incomplete ? `\n      <property name="incomplete" value="${xmlEscape(report.incomplete.reason)}"/>` : ''}\n    </properties>`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
};

export default junit;
