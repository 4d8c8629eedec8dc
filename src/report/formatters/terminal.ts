/** The human view: findings grouped by severity, each with evidence and fix; a closing summary. */
import { lifetimeSummary } from '../lifetime-summary.js';
import { Chalk, type ChalkInstance } from 'chalk';
import { formatDuration } from '../../config/duration.js';
import type { Report, ReportCheck } from '../schema.js';
import { mapStrings, stripControls } from '../sanitize.js';
import type { Formatter } from './types.js';

const ORDER = ['critical', 'high', 'medium', 'low'] as const;

function indent(text: string, pad: string): string {
  return text
    .split('\n')
    .map((l) => (l ? pad + l : l))
    .join('\n');
}

function wrap(text: string, width: number): string[] {
  const words = text.split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    if (line && line.length + 1 + w.length > width) {
      lines.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) lines.push(line);
  return lines;
}

/** A marked list item, wrapped, continuation lines indented under the text. */
function bullet(mark: string, text: string, width: number): string[] {
  const [first, ...rest] = wrap(text, width - 4);
  return [`  ${mark} ${first ?? ''}`, ...rest.map((r) => `    ${r}`)];
}

function gradeColor(c: ChalkInstance, grade: string): ChalkInstance {
  if (grade.startsWith('A')) return c.green.bold;
  if (grade.startsWith('B')) return c.greenBright.bold;
  if (grade.startsWith('C')) return c.yellow.bold;
  if (grade.startsWith('D')) return c.redBright.bold;
  return c.red.bold;
}

function sevColor(c: ChalkInstance, sev: string): ChalkInstance {
  return sev === 'critical' ? c.bgRed.white.bold : sev === 'high' ? c.red.bold : sev === 'medium' ? c.yellow.bold : c.cyan.bold;
}

function finding(c: ChalkInstance, f: ReportCheck, width: number, shown: Set<string>): string {
  const out: string[] = [];
  const gateNote =
    f.suppressed?.by === 'ignore'
      ? ` ${c.dim(`(ignored: ${f.suppressed.reason}${f.suppressed.until ? `, until ${f.suppressed.until}` : ''})`)}`
      : f.suppressed?.by === 'baseline'
        ? ` ${c.dim('(known: in the baseline)')}`
        : f.level === 'warn' || f.level === 'off'
          ? ` ${c.dim(`(${f.level})`)}`
          : '';
  out.push(`  ${c.red('✗')} ${c.bold(f.title)} ${c.dim(`[${f.ruleId}]`)}${gateNote}`);
  for (const l of wrap(f.message, width - 4)) out.push(`    ${l}`);
  if (f.evidence.length > 0) {
    out.push(`    ${c.dim('Evidence:')}`);
    for (const e of f.evidence) {
      const [first, ...rest] = wrap(e, width - 8);
      out.push(`      ${c.dim('·')} ${first ?? ''}`);
      for (const r of rest) out.push(`        ${r}`);
    }
    if (f.exchangeIds.length > 0) out.push(`      ${c.dim(`proof: requests #${f.exchangeIds.join(', #')} (listed by --verbose and in --format json)`)}`);
  }
  out.push(`    ${c.dim('Why:')} ${wrap(f.why, width - 9).join(`\n         `)}`);
  out.push(`    ${c.dim('Fix:')} ${wrap(f.fix, width - 9).join(`\n         `)}`);
  if (f.snippet && shown.has(f.snippet)) out.push(c.dim('      (same code change as above)'));
  else if (f.snippet) {
    shown.add(f.snippet);
    out.push(c.gray(indent(f.snippet, '      ')));
  }
  const refs = [...f.references.cwe, ...f.references.asvs, ...f.references.wstg];
  if (refs.length) out.push(`    ${c.dim(`Refs: ${refs.join(' · ')}`)}`);
  return out.join('\n');
}

const terminal: Formatter = (rawReport, ctx) => {
  // Text that came from the target must not drive the terminal (escape sequences, fake lines).
  const report = mapStrings(rawReport, stripControls);
  const c = new Chalk({ level: ctx.colorLevel });
  const width = ctx.width ?? 100;
  const out: string[] = [];
  out.push(`${c.bold('session-audit')} ${report.tool.version} — ${report.target}`);
  const cookies = report.session.cookies.map((k) => `${k.name}${ctx.verbose ? `=${k.value.raw ?? k.value.masked}` : ''}`).join(', ');
  const how = report.session.identifiedBy === 'behaviour' ? 'found by behaviour' : report.session.identifiedBy === 'hint' ? 'from --session-cookie' : 'all cookies set at login';
  out.push(`Session cookie: ${c.bold(cookies || '(none)')} ${c.dim(`(${how}${report.session.stack ? `; looks like ${report.session.stack}` : ''})`)}`);
  if (report.session.note) out.push(c.dim(report.session.note));
  if (report.incomplete) out.push(c.red.bold(`INCOMPLETE RUN — ${report.incomplete.reason}`));
  const lifetime = lifetimeSummary(report.lifetime);
  if (lifetime) out.push(...wrap(`Lifetime: advertised ${lifetime.advertised} · measured ${lifetime.measured}`, width));
  for (const w of report.warnings) out.push(c.yellow(`⚠ ${w}`));
  out.push('');

  const failed = report.checks.filter((k) => k.status === 'fail');
  const shownSnippets = new Set<string>();
  for (const sev of ORDER) {
    const group = failed.filter((f) => f.severity === sev);
    if (group.length === 0) continue;
    out.push(sevColor(c, sev)(`${sev.toUpperCase()} (${group.length})`));
    for (const f of group) out.push(finding(c, f, width, shownSnippets), '');
  }
  if (failed.length === 0) out.push(c.green('No findings.'), '');

  const passed = report.checks.filter((k) => k.status === 'pass');
  if (passed.length) {
    out.push(c.green(`Passed (${passed.length})`));
    for (const p of passed) out.push(...bullet(c.green('✓'), `${p.ruleId}${p.cookie ? ` (${p.cookie})` : ''} — ${p.message}`, width));
    out.push('');
  }
  const notRun = report.checks.filter((k) => (k.status === 'skipped' && !k.notApplicable) || k.status === 'error');
  const notApplicable = report.checks.filter((k) => k.status === 'skipped' && k.notApplicable);
  if (notApplicable.length) {
    out.push(c.dim(`Not applicable (${notApplicable.length})`));
    for (const s of notApplicable) out.push(...bullet(c.dim('·'), `${s.ruleId}: ${s.message}`, width));
    out.push('');
  }
  if (notRun.length) {
    out.push(c.yellow(`Not run (${notRun.length}) — not counted as passes`));
    for (const s of notRun) out.push(...bullet(s.status === 'error' ? c.red('!') : c.yellow('–'), `${s.ruleId} ${s.status}: ${s.message}`, width));
    out.push('');
  }

  const s = report.summary;
  const grade = gradeColor(c, report.grade)(`Grade ${report.grade}`) + (report.gradeNote ? c.dim(` (${report.gradeNote})`) : '');
  out.push(
    `${c.bold(`Score ${report.score}/100`)}  ${grade}   ${s.failed} failed · ${s.passed} passed · ${s.skipped - s.notApplicable} skipped${s.notApplicable > 0 ? ` · ${s.notApplicable} not applicable` : ''} · ${s.errors} errors   ` +
      c.dim(`${report.requests} requests in ${formatDuration(report.durationMs)}`),
  );
  const notRunCount = notRun.length;
  const notRunText = notRunCount > 0 ? ` (${notRunCount} check${notRunCount === 1 ? '' : 's'} did not run)` : '';
  const g = report.gate;
  const setAside = [g.known ? `${g.known} known from the baseline` : '', g.ignored ? `${g.ignored} ignored` : ''].filter(Boolean).join(', ');
  out.push(g.passed ? c.green(`Gate: passed${notRunText}${setAside ? ` (${setAside})` : ''}`) : c.red(`Gate: FAILED — ${g.reasons.join('; ')}${setAside ? ` (${setAside})` : ''}`));
  for (const w of g.warnings ?? []) out.push(c.yellow(`  ! ${w}`));
  return `${out.join('\n')}\n`;
};

export default terminal;
