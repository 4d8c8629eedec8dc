/**
 * Shared by `audit` and `demo`: run the audit behind a spinner, render the report, write it to
 * stdout or a file, and turn the gate into an exit code. The spinner lives on stderr, only on a
 * TTY and never when CI is set, so stdout carries only the report.
 */
import { constants } from 'node:fs';
import { access, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import chalk from 'chalk';
import { ExitCode, UsageError, type ExitCodeValue } from '../errors.js';
import type { LoadedConfig } from '../config/load.js';
import type { FormatName } from '../report/formatters/index.js';
import type { AuditOptions } from '../audit.js';
import type { TraceEntry } from '../http/client.js';
import type { Redactor } from '../http/redact.js';

/** --format when given; else json for an -o file ending in .json; else terminal. */
export function chooseFormat(format: FormatName | undefined, output: string | undefined): FormatName {
  return format ?? (output?.toLowerCase().endsWith('.json') ? 'json' : 'terminal');
}

export interface OutputOptions {
  format: FormatName;
  output?: string;
  color: boolean;
  verbose: boolean;
  /** --har <file>: an HTTP Archive of every exchange, redacted. */
  har?: string;
  /** Where proxy variables are read from (the demo passes {} so loopback never goes to a proxy). */
  env?: NodeJS.ProcessEnv;
}

/**
 * Ctrl-C and SIGTERM: the first one aborts the run (requests in flight stop, the report of what
 * was gathered is written, marked incomplete, exit 130); a second Ctrl-C exits at once.
 */
export function trapSignals(controller: AbortController, exit: (code: number) => void = (code) => process.exit(code)): () => void {
  let count = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    count += 1;
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

function writeError(path: string, err: unknown): UsageError {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  return new UsageError(`Cannot write the report to ${path}: ${WRITE_ERRORS[code] ?? (err as Error).message}.`, 'E_OUTPUT');
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

export async function auditAndReport(loaded: LoadedConfig, out: OutputOptions): Promise<ExitCodeValue> {
  if (out.output) await checkWritable(out.output);
  if (out.har) await checkWritable(out.har);
  const { runAudit } = await import('../audit.js');
  const { Redactor } = await import('../http/redact.js');
  const { loadFormatter } = await import('../report/formatters/index.js');
  // A terminal that reports 0 columns makes ora redraw forever; no spinner there.
  const interactive = Boolean(process.stderr.isTTY) && (process.stderr.columns ?? 0) > 0 && !process.env.CI && !out.verbose;
  const spinner = interactive ? (await import('ora')).default({ stream: process.stderr, text: 'Starting the audit' }).start() : undefined;
  const verboseLog = out.verbose ? (line: string) => process.stderr.write(`→ ${line}\n`) : undefined;
  const progress = (text: string): void => {
    if (spinner) spinner.text = text;
    else if (out.verbose) process.stderr.write(`• ${text}\n`);
  };
  const controller = new AbortController();
  const untrap = trapSignals(controller);
  const redactor = new Redactor(loaded.config.showSecrets);
  const trace: TraceEntry[] = [];
  const auditOpts: AuditOptions = { progress, signal: controller.signal, redactor };
  if (verboseLog) auditOpts.log = verboseLog;
  if (out.har) auditOpts.trace = trace;
  if (out.env) auditOpts.env = out.env;
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
  const formatter = await loadFormatter(out.format);
  const colorLevel = !out.color || out.output ? 0 : resolveColorLevel(process.env, chalk.level);
  const width = out.output || !process.stdout.isTTY ? 100 : Math.min(120, Math.max(60, process.stdout.columns || 100));
  // Secrets are scrubbed field by field, so a scrub can never break the report's structure.
  const { mapStrings } = await import('../report/sanitize.js');
  const report = mapStrings(run.report, (s) => run.redactor.clean(s));
  const text = formatter(report, { colorLevel, verbose: out.verbose, width });
  if (out.output) {
    try {
      await writeFile(out.output, text);
    } catch (err) {
      throw writeError(out.output, err);
    }
    process.stderr.write(`Score ${run.report.score}/100, grade ${run.report.grade}; ${out.format} report written to ${out.output}\n`);
  } else {
    process.stdout.write(text);
  }
  if (controller.signal.aborted) {
    process.stderr.write('session-audit: the run was interrupted; the report above is incomplete and the gate failed.\n');
    return ExitCode.interrupted;
  }
  return run.report.gate.passed ? ExitCode.ok : ExitCode.gateFailed;
}
