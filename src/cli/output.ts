/**
 * Shared by `audit` and `demo`: run the audit behind a spinner, render the report, write it to
 * stdout or a file, and turn the gate into an exit code. The spinner lives on stderr, only on a
 * TTY and never when CI is set, so stdout carries only the report.
 */
import { constants } from 'node:fs';
import { access, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import chalk from 'chalk';
import { ExitCode, InterruptedError, UsageError, type ExitCodeValue } from '../errors.js';
import type { LoadedConfig } from '../config/load.js';
import type { FormatName } from '../report/formatters/index.js';

/** --format when given; else json for an -o file ending in .json; else terminal. */
export function chooseFormat(format: FormatName | undefined, output: string | undefined): FormatName {
  return format ?? (output?.toLowerCase().endsWith('.json') ? 'json' : 'terminal');
}

export interface OutputOptions {
  format: FormatName;
  output?: string;
  color: boolean;
  verbose: boolean;
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

export async function auditAndReport(loaded: LoadedConfig, out: OutputOptions): Promise<ExitCodeValue> {
  if (out.output) await checkWritable(out.output);
  const { runAudit } = await import('../audit.js');
  const { loadFormatter } = await import('../report/formatters/index.js');
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
  // Ctrl-C / SIGTERM end the waits at once; a password the audit changed is restored before exit.
  const controller = new AbortController();
  const onSignal = (sig: NodeJS.Signals): void => {
    if (controller.signal.aborted) return;
    if (spinner) spinner.text = `Stopping (${sig}): cleaning up`;
    else process.stderr.write(`session-audit: ${sig} received, stopping (a changed password is restored first)\n`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let run;
  try {
    run = await runAudit(loaded, verboseLog ? { progress, log: verboseLog, signal: controller.signal } : { progress, signal: controller.signal });
  } catch (err) {
    spinner?.stop();
    if (err instanceof InterruptedError) {
      // The handlers stay: a second Ctrl-C while the process exits must not kill it mid-write.
      process.stderr.write('session-audit: interrupted; no report was written.\n');
      return ExitCode.interrupted;
    }
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    throw err;
  }
  spinner?.stop();
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
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
  return run.report.gate.passed ? ExitCode.ok : ExitCode.gateFailed;
}
