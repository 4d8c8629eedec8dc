/**
 * SARIF 2.1.0 for code scanning (GitHub and others). A view of the Report; rule descriptors come
 * from rule meta. GitHub accepts a result only with a physical location in the repository, so
 * every result points at one repository-relative file (the config file, at the line that
 * declares the target or the login / logout block the finding concerns; or --sarif-location).
 * The audited URL is never a `uri`: it goes in the message and the properties.
 */
import { RULES } from '../../rules/index.js';
import type { Rule } from '../../rules/types.js';
import { ruleDocsUrl, DOCS_URL } from '../../version.js';
import type { Report, ReportCheck } from '../schema.js';
import type { Formatter, SarifLocation } from './types.js';

/** GitHub's bands: over 9.0 critical, 7.0–8.9 high, 4.0–6.9 medium, 0.1–3.9 low. Kept off the edges. */
export const SECURITY_SEVERITY = { critical: '9.3', high: '7.5', medium: '5.5', low: '2.5' } as const;

/** GitHub shows at most 10 tags per rule (and rejects more than 20). */
const MAX_TAGS = 9;

type Level = 'error' | 'warning' | 'note' | 'none';

function sentence(text: string): string {
  const t = text.trim();
  return /[.!?]$/.test(t) ? t : `${t}.`;
}

export function ruleTags(rule: Rule): string[] {
  return ['security', 'session-management', ...rule.meta.cwe.map((n) => `external/cwe/cwe-${n}`)].slice(0, MAX_TAGS);
}

function descriptor(rule: Rule) {
  const m = rule.meta;
  const refs = [...m.cwe.map((n) => `CWE-${n}`), ...m.asvs.map((a) => `ASVS ${a}`), ...m.wstg];
  const snippets = Object.entries(m.snippets ?? {});
  const markdown = [
    `**Why it matters.** ${m.why}`,
    `**Fix.** ${m.fix}`,
    ...snippets.map(([stack, code]) => `*${stack}:*\n\n\`\`\`\n${code}\n\`\`\``),
    refs.length > 0 ? `References: ${refs.join(', ')}` : '',
  ].filter(Boolean);
  return {
    id: m.id,
    name: m.name,
    shortDescription: { text: m.title },
    fullDescription: { text: m.why },
    help: { text: `${m.fix}${refs.length > 0 ? ` References: ${refs.join(', ')}.` : ''}`, markdown: markdown.join('\n\n') },
    helpUri: ruleDocsUrl(m.id),
    // Under the default gate (fail on high and above) these are the levels a finding gets.
    defaultConfiguration: { level: (m.severity === 'critical' || m.severity === 'high' ? 'error' : 'warning') as Level },
    properties: {
      tags: ruleTags(rule),
      precision: m.precision ?? 'high',
      'security-severity': SECURITY_SEVERITY[m.severity],
    },
  };
}

function lineFor(rule: Rule | undefined, loc: SarifLocation): number {
  const needs = rule?.meta.requires ?? [];
  if (needs.includes('logout')) return loc.lines.logout;
  if (needs.includes('fixation') || needs.includes('adoption')) return loc.lines.login;
  return loc.lines.target;
}

function levelOf(check: ReportCheck): Level {
  if (check.level === 'error') return 'error';
  if (check.level === 'off') return 'note';
  return 'warning';
}

function hostOf(target: string): string {
  try {
    return new URL(target).host;
  } catch {
    return 'unknown-host';
  }
}

const sarif: Formatter = (report: Report, ctx) => {
  const loc = ctx.sarif;
  if (!loc) throw new Error('the SARIF formatter needs a repository file to point findings at (ctx.sarif)');
  const rules = RULES;
  const index = new Map(rules.map((r, i) => [r.meta.id, i]));
  const findings = report.checks.filter((c) => c.status === 'fail');
  const results = findings.map((c) => {
    const rule = rules[index.get(c.ruleId) ?? -1];
    const text = [sentence(c.title), sentence(c.message), `Target: ${report.target}.`, c.cookie ? `Cookie: ${c.cookie}.` : '', c.evidence.length > 0 ? `Evidence: ${c.evidence.join(' | ')}` : '']
      .filter(Boolean)
      .join(' ');
    const result: Record<string, unknown> = {
      ruleId: c.ruleId,
      ...(index.has(c.ruleId) ? { ruleIndex: index.get(c.ruleId) } : {}),
      level: levelOf(c),
      message: { text },
      locations: [{ physicalLocation: { artifactLocation: { uri: loc.uri, uriBaseId: '%SRCROOT%' }, region: { startLine: lineFor(rule, loc) } } }],
      partialFingerprints: { primaryLocationLineHash: c.fingerprint },
      properties: {
        target: report.target,
        severity: c.severity,
        'security-severity': SECURITY_SEVERITY[c.severity],
        ...(c.cookie ? { cookie: c.cookie } : {}),
        evidence: c.evidence,
        exchangeIds: c.exchangeIds,
      },
    };
    // No suppression `status`: the 2.1.0 schema first spelt it `state` (fixed by errata), so either
    // spelling fails validation against one published copy; `kind` + `justification` pass both.
    if (c.suppressed?.by === 'ignore') {
      result.suppressions = [{ kind: 'external', justification: `${c.suppressed.reason}${c.suppressed.until ? ` (until ${c.suppressed.until})` : ''}` }];
    }
    if (report.gate.known !== undefined) result.baselineState = c.suppressed?.by === 'baseline' ? 'unchanged' : 'new';
    return result;
  });
  // Checks that could not run are tool notifications, not findings.
  const notifications = report.checks
    .filter((c) => c.status === 'error')
    .map((c) => ({ level: 'error', message: { text: `${c.ruleId}: ${c.message}` }, descriptor: { id: c.ruleId } }));
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'session-audit',
            semanticVersion: report.tool.version,
            informationUri: DOCS_URL,
            rules: rules.map(descriptor),
          },
        },
        automationDetails: { id: `session-audit/${hostOf(report.target)}/` },
        invocations: [
          {
            executionSuccessful: !report.incomplete,
            startTimeUtc: report.startedAt,
            endTimeUtc: report.finishedAt,
            ...(notifications.length > 0 ? { toolExecutionNotifications: notifications } : {}),
          },
        ],
        results,
        properties: { score: report.score, grade: report.grade, gate: report.gate, ...(report.lifetime ? { lifetime: report.lifetime } : {}), ...(report.incomplete ? { incomplete: report.incomplete } : {}) },
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
};

export default sarif;
