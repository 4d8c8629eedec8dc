/**
 * Shared by `audit` and `demo`: plan the outputs (several formats from one run), check them
 * before the audit, run it behind a spinner, render each format, write files / stdout, and turn
 * the gate into an exit code. The spinner lives on stderr, only on a TTY and never when CI is
 * set, so stdout carries only the (single) report.
 */
import { constants } from 'node:fs';
import { access, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import chalk from 'chalk';
import { z } from 'zod';
import { ExitCode, UsageError, type ExitCodeValue } from '../errors.js';
import type { LoadedConfig } from '../config/load.js';
import type { GateConfig } from '../config/schema.js';
import type { Evidence } from '../evidence/types.js';
import { FORMATS, isFormat, type FormatName } from '../report/formatters/index.js';
import type { SarifLocation } from '../report/formatters/types.js';
import type { Report } from '../report/schema.js';
import type { AuditOptions } from '../audit.js';
import { interruptsHeld } from '../interrupts.js';
import type { TraceEntry } from '../http/client.js';
import type { Redactor } from '../http/redact.js';

/** What the format and output flags say, as commander hands them over. */
export interface ReportFlags {
  format?: string[];
  output?: string[];
  template?: string[];
  baseline?: string;
  sarifLocation?: string;
  saveEvidence?: string;
  /** --har <file>: an HTTP Archive of every exchange, redacted. */
  har?: string;
  color: boolean;
  verbose: boolean;
}

export interface OutputTarget {
  format: FormatName;
  /** A file; stdout when absent. */
  path?: string;
}

export interface OutputOptions {
  targets: OutputTarget[];
  color: boolean;
  verbose: boolean;
  sarif?: SarifLocation;
  templates: Partial<Record<FormatName, string>>;
  baseline?: ReadonlySet<string>;
  saveEvidence?: string;
  /** --har <file>: an HTTP Archive of every exchange, redacted. */
  har?: string;
  /** Where proxy variables are read from (the demo passes {} so loopback never goes to a proxy). */
  env?: NodeJS.ProcessEnv;
}

const EXTENSIONS: Array<[RegExp, FormatName]> = [
  [/\.json$/i, 'json'],
  [/\.sarif(\.json)?$/i, 'sarif'],
  [/\.(md|markdown)$/i, 'markdown'],
  [/\.html?$/i, 'html'],
  [/\.xml$/i, 'junit'],
];

/** The format a file name implies (report.json → json, x.sarif → sarif, …); else terminal. */
export function formatForPath(path: string): FormatName {
  return EXTENSIONS.find(([re]) => re.test(path))?.[1] ?? 'terminal';
}

/** `sarif=path` → ['sarif', 'path']; a plain path → [undefined, path]. */
function splitFormatted(value: string): [FormatName | undefined, string] {
  const eq = value.indexOf('=');
  if (eq > 0) {
    const name = value.slice(0, eq);
    if (isFormat(name)) {
      const path = value.slice(eq + 1);
      if (!path) throw new UsageError(`--output ${value}: no file after "${name}="`);
      return [name, path];
    }
  }
  if (eq === 0) throw new UsageError(`--output ${value}: no format before "="; write --output <format>=<file> (formats: ${FORMATS.join(', ')}) or just --output <file>.`);
  return [undefined, value];
}

/**
 * --format (repeatable, or a comma list) and --output (repeatable; `format=file` or a plain file)
 * become one list of outputs:
 *   - `--output fmt=file` writes that format to the file (and adds the format);
 *   - a plain `--output file` takes the only --format given, else the one its extension implies
 *     (.json, .sarif, .md, .html, .xml; anything else: terminal) — today's `-o report.json`;
 *   - a --format with no file goes to stdout; stdout carries only one report;
 *   - nothing at all: terminal on stdout.
 */
export function planOutputs(formatFlags: readonly string[] = [], outputFlags: readonly string[] = []): OutputTarget[] {
  const formats: FormatName[] = [];
  const named = formatFlags.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  if (formatFlags.length > 0 && named.length === 0) throw new UsageError(`--format ${formatFlags.join(' ')}: no format named; choose from ${FORMATS.join(', ')}.`);
  for (const f of named) {
    if (!isFormat(f)) throw new UsageError(`--format ${f}: unknown format; choose from ${FORMATS.join(', ')} (repeat --format or separate with commas).`);
    if (!formats.includes(f)) formats.push(f);
  }
  const targets: OutputTarget[] = [];
  for (const o of outputFlags) {
    const [named, path] = splitFormatted(o);
    const format = named ?? (formats.length === 1 ? (formats[0] as FormatName) : formatForPath(path));
    if (targets.some((t) => t.path === path)) throw new UsageError(`--output ${path} is given twice; each report needs its own file.`);
    targets.push({ format, path });
  }
  const toStdout = formats.filter((f) => !targets.some((t) => t.format === f));
  if (toStdout.length > 1) {
    throw new UsageError(`stdout carries only one report, but ${toStdout.join(' and ')} have no file: give --output <format>=<file> for all but one (e.g. --output ${toStdout[1]}=report.${toStdout[1]}).`);
  }
  for (const f of toStdout) targets.push({ format: f });
  if (targets.length === 0) targets.push({ format: 'terminal' });
  return targets;
}

/**
 * Ctrl-C and SIGTERM: the first one aborts the run (requests in flight stop, the report of what
 * was gathered is written, marked incomplete, exit 130); a second Ctrl-C exits at once.
 */
export function trapSignals(controller: AbortController, exit: (code: number) => void = (code) => process.exit(code)): () => void {
  let count = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    count += 1;
    if (count > 1 && interruptsHeld()) {
      process.stderr.write('\nsession-audit: the original password is being restored; session-audit exits as soon as it is back (killing it now could leave the password changed).\n');
      return;
    }
    if (count > 1) {
      process.stderr.write('\nsession-audit: stopped at once (second interrupt); no report written.\n');
      exit(ExitCode.interrupted);
      return;
    }
    process.stderr.write(`\nsession-audit: ${signal} received: stopping the requests in flight and writing what was gathered (press Ctrl-C again to quit at once).\n`);
    controller.abort(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}

/** chalk honours FORCE_COLOR but not NO_COLOR (no-color.org); FORCE_COLOR wins, as in Node itself. */
export function resolveColorLevel(env: NodeJS.ProcessEnv, detected: 0 | 1 | 2 | 3): 0 | 1 | 2 | 3 {
  if (env.FORCE_COLOR !== undefined) return detected;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return 0;
  return detected;
}

const WRITE_ERRORS: Record<string, string> = {
  ENOENT: 'the folder does not exist',
  EISDIR: 'that is a folder',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
};

function writeError(path: string, err: unknown, what = 'the report'): UsageError {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  return new UsageError(`Cannot write ${what} to ${path}: ${WRITE_ERRORS[code] ?? (err as Error).message}.`, 'E_OUTPUT');
}

/** Fail before the audit, not after it, when the report could not be written. */
async function checkWritable(path: string): Promise<void> {
  const existing = await stat(path).catch(() => undefined);
  if (existing?.isDirectory()) throw writeError(path, Object.assign(new Error('is a directory'), { code: 'EISDIR' }));
  try {
    await access(existing ? path : dirname(path), constants.W_OK);
  } catch (err) {
    throw writeError(path, err);
  }
}

async function writeHar(path: string, trace: readonly TraceEntry[], redactor: Redactor): Promise<void> {
  const { buildHar } = await import('../http/har.js');
  const { toolVersion } = await import('../version.js');
  try {
    await writeFile(path, `${JSON.stringify(buildHar(trace, redactor, toolVersion()), null, 2)}\n`);
  } catch (err) {
    throw writeError(path, err);
  }
  process.stderr.write(`HTTP trace of ${trace.length} request${trace.length === 1 ? '' : 's'} written to ${path} (secrets masked)\n`);
}

async function readUserFile(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`Cannot read ${what} ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : String((err as Error).message)}.`, 'E_INPUT_READ');
  }
}

/** Only the part of a previous JSON report the baseline needs. */
const baselineSchema = z.object({
  schemaVersion: z.literal(1),
  checks: z.array(z.object({ status: z.string(), fingerprint: z.string().optional() })),
});

export async function readBaseline(path: string): Promise<Set<string>> {
  const text = await readUserFile(path, '--baseline');
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new UsageError(`--baseline ${path} is not JSON: give a report written with --format json (or --output json=<file>).`, 'E_BASELINE');
  }
  const parsed = baselineSchema.safeParse(data);
  if (!parsed.success) throw new UsageError(`--baseline ${path} is not a session-audit JSON report (expected schemaVersion 1 and a checks list).`, 'E_BASELINE');
  const failing = parsed.data.checks.filter((c) => c.status === 'fail');
  if (failing.some((c) => c.fingerprint === undefined)) {
    throw new UsageError(`--baseline ${path} was written by a version without finding fingerprints; run the audit once more with --format json to make a new baseline.`, 'E_BASELINE');
  }
  return new Set(failing.map((c) => c.fingerprint as string));
}

/** Everything that can fail before the audit: formats, files, the SARIF location, templates, the baseline. */
export async function prepareOutputs(flags: ReportFlags, ctx: { configPath?: string | undefined }): Promise<OutputOptions> {
  const targets = planOutputs(flags.format, flags.output);
  for (const t of targets) if (t.path) await checkWritable(t.path);
  const out: OutputOptions = { targets, color: flags.color, verbose: flags.verbose, templates: {} };
  if (targets.some((t) => t.format === 'sarif')) {
    const { resolveSarifLocation } = await import('./sarif-location.js');
    out.sarif = resolveSarifLocation({ override: flags.sarifLocation, configPath: ctx.configPath });
  } else if (flags.sarifLocation !== undefined) {
    throw new UsageError('--sarif-location only applies to SARIF output: add --format sarif or --output sarif=<file>.');
  }
  for (const t of flags.template ?? []) {
    const [named, path] = splitFormatted(t);
    const templated = targets.filter((x) => x.format === 'markdown' || x.format === 'html').map((x) => x.format);
    const format = named ?? (/\.html?$/i.test(path) ? 'html' : /\.(md|markdown)$/i.test(path) ? 'markdown' : templated.length === 1 ? templated[0] : undefined);
    if (format !== 'markdown' && format !== 'html') throw new UsageError(`--template ${t}: say which report it is for: --template markdown=<file> or --template html=<file>.`);
    if (!targets.some((x) => x.format === format)) throw new UsageError(`--template ${t}: no ${format} report is being written; add --format ${format} or --output ${format}=<file>.`);
    const text = await readUserFile(path, '--template');
    const { parseTemplate, TemplateError } = await import('../report/template.js');
    try {
      parseTemplate(text);
    } catch (err) {
      if (err instanceof TemplateError) throw new UsageError(`--template ${path}: ${err.message}.`, 'E_TEMPLATE');
      throw err;
    }
    out.templates[format] = text;
  }
  if (flags.baseline !== undefined) out.baseline = await readBaseline(flags.baseline);
  if (flags.har !== undefined) {
    await checkWritable(flags.har);
    out.har = flags.har;
  }
  if (flags.saveEvidence !== undefined) {
    try {
      await mkdir(flags.saveEvidence, { recursive: true });
      await access(flags.saveEvidence, constants.W_OK);
    } catch (err) {
      throw writeError(flags.saveEvidence, err, 'evidence');
    }
    out.saveEvidence = flags.saveEvidence;
  }
  return out;
}

export const EVIDENCE_FILE = 'evidence.json';

/** Render every planned output; write evidence when asked; the gate decides the exit code. */
export async function writeOutputs(report: Report, out: OutputOptions, evidence?: Evidence): Promise<ExitCodeValue> {
  const { loadFormatter } = await import('../report/formatters/index.js');
  if (evidence && out.saveEvidence) {
    const path = join(out.saveEvidence, EVIDENCE_FILE);
    try {
      await writeFile(path, `${JSON.stringify(evidence, null, 2)}\n`);
    } catch (err) {
      throw writeError(path, err, 'evidence');
    }
    process.stderr.write(`Evidence written to ${path} (re-render offline with --from-evidence ${out.saveEvidence})\n`);
  }
  for (const t of out.targets) {
    const formatter = await loadFormatter(t.format);
    const colorLevel = !out.color || t.path ? 0 : resolveColorLevel(process.env, chalk.level);
    const width = t.path || !process.stdout.isTTY ? 100 : Math.min(120, Math.max(60, process.stdout.columns || 100));
    const template = out.templates[t.format];
    let text: string;
    try {
      text = formatter(report, { colorLevel, verbose: out.verbose, width, ...(out.sarif ? { sarif: out.sarif } : {}), ...(template !== undefined ? { template } : {}) });
    } catch (err) {
      // A --template can parse and still not render (nested loops that would not finish): the user's input, not a bug.
      const { TemplateError } = await import('../report/template.js');
      if (template !== undefined && err instanceof TemplateError) throw new UsageError(`--template for the ${t.format} report: ${err.message}.`, 'E_TEMPLATE');
      throw err;
    }
    if (t.path) {
      try {
        await writeFile(t.path, text);
      } catch (err) {
        throw writeError(t.path, err);
      }
      process.stderr.write(`Score ${report.score}/100, grade ${report.grade}; ${t.format} report written to ${t.path}\n`);
    } else {
      process.stdout.write(text);
    }
  }
  return report.gate.passed ? ExitCode.ok : ExitCode.gateFailed;
}

export async function auditAndReport(loaded: LoadedConfig, out: OutputOptions): Promise<ExitCodeValue> {
  const { runAudit } = await import('../audit.js');
  const { Redactor } = await import('../http/redact.js');
  // A terminal that reports 0 columns makes ora redraw forever; no spinner there.
  const interactive = Boolean(process.stderr.isTTY) && (process.stderr.columns ?? 0) > 0 && !process.env.CI && !out.verbose;
  const spinner = interactive ? (await import('ora')).default({ stream: process.stderr, text: 'Starting the audit' }).start() : undefined;
  const verboseLog = out.verbose ? (line: string) => process.stderr.write(`→ ${line}\n`) : undefined;
  // The countdown updates every second; the verbose log gets it every 30 seconds at most.
  let lastWaitLine = 0;
  const progress = (text: string): void => {
    if (spinner) spinner.text = text;
    else if (out.verbose) {
      if (text.startsWith('Waiting ')) {
        if (Date.now() - lastWaitLine < 30_000) return;
        lastWaitLine = Date.now();
      }
      process.stderr.write(`• ${text}\n`);
    }
  };
  const controller = new AbortController();
  const untrap = trapSignals(controller);
  const redactor = new Redactor(loaded.config.showSecrets);
  const trace: TraceEntry[] = [];
  const auditOpts: AuditOptions = { progress, signal: controller.signal, redactor };
  if (verboseLog) auditOpts.log = verboseLog;
  if (out.har) auditOpts.trace = trace;
  if (out.env) auditOpts.env = out.env;
  if (out.baseline) auditOpts.baseline = out.baseline;
  let run;
  try {
    run = await runAudit(loaded, auditOpts);
  } catch (err) {
    // A failed login is when the trace helps most: write it before reporting the failure.
    if (out.har && trace.length > 0) await writeHar(out.har, trace, redactor).catch(() => undefined);
    throw err;
  } finally {
    spinner?.stop();
    untrap();
  }
  if (out.har) await writeHar(out.har, trace, redactor);
  // Secrets are scrubbed field by field, so a scrub can never break the report's structure.
  const { mapStrings } = await import('../report/sanitize.js');
  const report = mapStrings(run.report, (s) => run.redactor.clean(s));
  const evidence = out.saveEvidence ? withoutRawValues(mapStrings(run.evidence, (s) => run.redactor.clean(s))) : undefined;
  const code = await writeOutputs(report, out, evidence);
  if (controller.signal.aborted) {
    process.stderr.write('session-audit: the run was interrupted; the report is incomplete and the gate failed.\n');
    return ExitCode.interrupted;
  }
  return code;
}

/** --from-evidence: rules, score, gate and formatters on saved evidence; no network, no password. */
export async function reportFromEvidence(dir: string, gate: GateConfig, out: OutputOptions): Promise<ExitCodeValue> {
  const path = (await stat(dir).catch(() => undefined))?.isDirectory() ? join(dir, EVIDENCE_FILE) : dir;
  const text = await readUserFile(path, '--from-evidence');
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new UsageError(`--from-evidence ${path} is not JSON: give the folder written by --save-evidence.`, 'E_EVIDENCE');
  }
  const { parseEvidence } = await import('../evidence/schema.js');
  const parsed = parseEvidence(data);
  if (!parsed.ok) throw new UsageError(`--from-evidence ${path} is not session-audit evidence:\n  ${parsed.problems.join('\n  ')}`, 'E_EVIDENCE');
  const ev = parsed.evidence;
  const { buildReport } = await import('../report/build.js');
  const { gateOptions } = await import('../audit.js');
  const { toolVersion } = await import('../version.js');
  const durationMs = Math.max(0, Date.parse(ev.finishedAt) - Date.parse(ev.startedAt)) || 0;
  const report = buildReport(ev, { version: toolVersion(), durationMs, ...gateOptions(gate), ...(out.baseline ? { baseline: out.baseline } : {}) });
  // Saved evidence never holds raw values; drop any a hand-edited file added, unless --show-secrets.
  return writeOutputs(gate.showSecrets ? report : withoutRawValues(report), out);
}

/** Evidence on disk (an artifact, a ticket attachment) never holds a raw token: drop ValueRef.raw. */
export function withoutRawValues<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v: unknown) => withoutRawValues(v)) as T;
  if (value !== null && typeof value === 'object') {
    const isRef = 'masked' in value && 'fp' in value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (!(isRef && k === 'raw')) out[k] = withoutRawValues(v);
    return out as T;
  }
  return value;
}
