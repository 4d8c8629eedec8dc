/**
 * Errors that end a run with a documented exit code. Anything else that escapes is a bug and
 * is reported as one (exit 2 is not used for bugs: they exit 70, see cli/index.ts).
 */
export const ExitCode = {
  /** The gate passed. */
  ok: 0,
  /** The gate failed: a finding at or above --fail-on, or a score below --min-score. */
  gateFailed: 1,
  /** Usage or configuration error: bad flag, bad config file, missing password variable. */
  usage: 2,
  /** The audit could not run: target unreachable, login failed, oracle cannot tell. */
  auditFailed: 3,
  /** Stopped by Ctrl-C (SIGINT) or SIGTERM; whatever report existed was written, marked incomplete. */
  interrupted: 130,
  /** An unexpected internal error (a bug in session-audit). */
  internal: 70,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export class SessionAuditError extends Error {
  readonly exitCode: ExitCodeValue;
  readonly code: string;
  constructor(code: string, message: string, exitCode: ExitCodeValue) {
    super(message);
    this.name = 'SessionAuditError';
    this.code = code;
    this.exitCode = exitCode;
  }
}

/** Bad flag, bad config file, missing password variable: exit 2. */
export class UsageError extends SessionAuditError {
  constructor(message: string, code = 'E_USAGE') {
    super(code, message, ExitCode.usage);
    this.name = 'UsageError';
  }
}

/** The audit cannot go on (unreachable target, login failed, oracle cannot tell): exit 3. */
export class AuditAbortError extends SessionAuditError {
  constructor(message: string, code = 'E_AUDIT') {
    super(code, message, ExitCode.auditFailed);
    this.name = 'AuditAbortError';
  }
}

/** The password-change probe could not put the original password back: exit 3, loudly. */
export class PasswordRestoreError extends SessionAuditError {
  /** Where the temporary password was written (mode 0600), if it could be written. */
  readonly file: string | undefined;
  constructor(message: string, file: string | undefined) {
    super('E_PASSWORD_NOT_RESTORED', message, ExitCode.auditFailed);
    this.name = 'PasswordRestoreError';
    this.file = file;
  }
}

/** Ctrl-C before there was anything to report: exit 130. */
export class InterruptedError extends SessionAuditError {
  constructor(message = 'Interrupted (Ctrl-C or SIGTERM).') {
    super('E_INTERRUPTED', message, ExitCode.interrupted);
    this.name = 'InterruptedError';
  }
}
