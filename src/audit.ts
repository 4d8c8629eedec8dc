/**
 * The pipeline: config → probes (HTTP through actors) → evidence → rules → report.
 * Probes that fail store an error as their evidence; only failures that leave nothing to audit
 * (unreachable target, failed login, an oracle that cannot tell) abort with exit code 3.
 */
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { AuditAbortError, InterruptedError, PasswordRestoreError, UsageError } from './errors.js';
import type { LoadedConfig } from './config/load.js';
import type { Evidence } from './evidence/types.js';
import { HttpClient, HttpError, type TraceEntry } from './http/client.js';
import { Redactor } from './http/redact.js';
import type { AuditHttp } from './http/actor.js';
import type { ProbeContext } from './probes/context.js';
import { establishSession } from './probes/session.js';
import { probeFixation } from './probes/fixation.js';
import { probeLogout } from './probes/logout.js';
import { probeAdoption } from './probes/adoption.js';
import { advertisedOf, runWaitingProbes, type WaitingOutcomes } from './probes/timeouts.js';
import { probePersistence } from './probes/persistence.js';
import { probePasswordChange } from './probes/password-change.js';
import { probeTokens } from './probes/tokens.js';
import { probeEntropy } from './probes/entropy.js';
import { readWordlist } from './tokens/wordlist.js';
import { logout as logOut } from './auth/login.js';
import { buildReport, type BuildOptions } from './report/build.js';
import type { GateConfig } from './config/schema.js';
import type { Report } from './report/schema.js';
import { toolVersion } from './version.js';
import { formatDuration } from './config/duration.js';

export interface AuditOptions {
  /** Fingerprints from --baseline. */
  baseline?: ReadonlySet<string>;
  progress?: (text: string) => void;
  /** One line per request, for --verbose (already redacted). */
  log?: (line: string) => void;
  /**
   * Aborting it (Ctrl-C, SIGTERM) stops requests in flight and refuses new ones; the report of
   * what was gathered is still built, marked incomplete (waits end at once; a password the audit
   * changed is restored first). Probes see it as `ctx.signal`.
   */
  signal?: AbortSignal;
  /**
   * Every request and response is appended here, for the HAR trace (--har). Raw values: write it
   * only through buildHar with the same redactor. Owned by the caller, so a failed login still
   * leaves its trace.
   */
  trace?: TraceEntry[];
  /** The run's redactor, when the caller needs it after a failure (to redact the trace). */
  redactor?: Redactor;
  /** Where HTTP_PROXY/HTTPS_PROXY/NO_PROXY are read from (default process.env). */
  env?: NodeJS.ProcessEnv;
}

export interface AuditRun {
  report: Report;
  evidence: Evidence;
  redactor: Redactor;
  /** Every request sent, in order, when `trace` was given. Holds raw values: redact it. */
  trace: TraceEntry[];
}

/** Loopback hosts, where plain http never crosses a network. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || h === '::1';
}

/**
 * Plain http off loopback sends the password or the session cookie in clear: only with
 * --allow-http. Checked for the target and every scope.allow origin (an http SSO host would
 * receive the password).
 */
export function checkTransport(target: URL, allowHttp: boolean, allowed: readonly string[] = []): void {
  if (allowHttp) return;
  for (const origin of [target.origin, ...allowed]) {
    const u = new URL(origin);
    if (u.protocol === 'http:' && !isLoopbackHost(u.hostname)) {
      const what = origin === target.origin ? `The target ${origin}` : `The scope.allow origin ${origin}`;
      throw new UsageError(
        `${what} is plain http:// and not on this machine: logging in would send the password and the session cookie across the network unencrypted. ` +
          'Use the https:// URL, or pass --allow-http (allowHttp in the config) if this is a test network where that is acceptable; the report will then flag it.',
        'E_PLAIN_HTTP',
      );
    }
  }
}

async function readPem(flag: string, path: string, kind: 'CERTIFICATE' | 'PRIVATE KEY'): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new UsageError(`Cannot read ${flag} file ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String((err as Error).message)}.`, 'E_TLS_FILE');
  }
  const marker = kind === 'CERTIFICATE' ? /-----BEGIN CERTIFICATE-----/ : /-----BEGIN (RSA |EC |ENCRYPTED )?PRIVATE KEY-----/;
  if (!marker.test(text)) throw new UsageError(`${flag} file ${path} holds no PEM ${kind.toLowerCase()} (expected -----BEGIN ${kind}-----).`, 'E_TLS_FILE');
  if (/ENCRYPTED PRIVATE KEY|Proc-Type: 4,ENCRYPTED/.test(text)) throw new UsageError(`${flag} file ${path} is encrypted with a passphrase; give an unencrypted key.`, 'E_TLS_FILE');
  return text;
}

async function readCa(path: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new UsageError(`Cannot read --ca file ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String((err as Error).message)}.`, 'E_CA_READ');
  }
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) {
    throw new UsageError(`--ca file ${path} holds no PEM certificate (expected -----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----).`, 'E_CA_FORMAT');
  }
  blocks.forEach((block, i) => {
    try {
      new X509Certificate(block);
    } catch {
      throw new UsageError(`--ca file ${path}: certificate ${i + 1} of ${blocks.length} is not a valid X.509 certificate.`, 'E_CA_FORMAT');
    }
  });
  return text;
}

/** The config keys that decide verdicts and the gate, as buildReport takes them. */
export function gateOptions(config: GateConfig): Omit<BuildOptions, 'version' | 'durationMs'> {
  return { failOn: config.failOn, minScore: config.minScore, minGrade: config.minGrade, policy: config.policy, assert: config.assert, ignore: config.ignore, preset: config.extends };
}

export async function runAudit(loaded: LoadedConfig, opts: AuditOptions = {}): Promise<AuditRun> {
  const { config, password } = loaded;
  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  const redactor = opts.redactor ?? new Redactor(config.showSecrets);
  redactor.rememberPassword(password.reveal());
  const target = new URL(config.target);
  checkTransport(target, config.allowHttp, config.scope.allow);
  const ca = config.ca ? await readCa(config.ca) : undefined;
  const cert = config.cert ? await readPem('--cert', config.cert, 'CERTIFICATE') : undefined;
  const key = config.key ? await readPem('--key', config.key, 'PRIVATE KEY') : undefined;
  // Read before the first request, so a bad path is a usage error (exit 2), not a half-run audit.
  const wordlist = config.wordlist ? await readWordlist(config.wordlist) : [];
  const log = opts.log;
  const trace: TraceEntry[] = opts.trace ?? [];
  const limits = config.limits;
  const client = new HttpClient({
    timeoutMs: config.timeout,
    ...(ca ? { ca } : {}),
    ...(cert && key ? { cert, key } : {}),
    ...(config.proxy ? { proxy: config.proxy } : {}),
    env: opts.env ?? process.env,
    insecure: config.insecure,
    maxBodyBytes: limits.maxBody,
    scope: [target.origin, ...config.scope.allow],
    limits: {
      maxRequests: limits.maxRequests,
      deadlineAt: started + limits.deadline,
      concurrency: limits.concurrency,
      retryAfterMaxMs: limits.retryAfterMax,
      ...(limits.rate !== undefined ? { rate: limits.rate } : {}),
    },
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.trace ? { onTrace: (e: TraceEntry) => trace.push(e) } : {}),
    // Shown as progress (the spinner, or a `•` line with --verbose): the user sees why nothing moves.
    onWait: (text: string) => opts.progress?.(redactor.clean(text)),
  });
  const http: AuditHttp = { client, redactor, target, headers: config.headers, exchanges: [], maxRedirects: limits.maxRedirects };
  if (log) http.log = (line: string) => log(redactor.clean(line));
  const warnings: string[] = [];
  if (config.insecure) warnings.push('TLS certificate verification was turned off (--insecure): a machine in the middle could have answered instead of the target.');
  if (target.protocol === 'http:') {
    warnings.push(
      isLoopbackHost(target.hostname)
        ? 'The target is plain http:// on loopback: fine for a local test, but the password and session cookie would cross a network in clear anywhere else.'
        : 'Credentials sent in clear: the target is plain http:// (allowed with --allow-http), so the password and session tokens crossed the network unencrypted.',
    );
  }
  if (client.via) warnings.push(`Requests went through ${client.via}.`);
  const ctx: ProbeContext = {
    config,
    password,
    http,
    authCheckUrl: new URL(config.authCheck.url, target),
    loginTarget: { login: config.login, username: config.credentials.username, password, target },
    progress: opts.progress ?? (() => undefined),
  };
  // Probes wait on ctx.signal: it fires on Ctrl-C and at the --deadline, so no wait outlives the
  // run's time budget (requests are refused past the deadline by the client as well).
  const deadline = new AbortController();
  const deadlineTimer = setTimeout(() => deadline.abort('deadline'), Math.max(0, started + limits.deadline - Date.now()));
  deadlineTimer.unref();
  ctx.signal = opts.signal ? AbortSignal.any([opts.signal, deadline.signal]) : deadline.signal;
  const interrupted = (): boolean => opts.signal?.aborted === true;
  try {
    let base;
    try {
      base = await establishSession(ctx);
    } catch (err) {
      if (interrupted()) throw new InterruptedError('Interrupted before a logged-in session was established: there is nothing to report.');
      if (err instanceof HttpError) throw new AuditAbortError(`The audit could not run: ${err.message}`, err.code);
      throw err;
    }
    const fixation = await probeFixation(ctx, base);
    // Before logout: a --prove request needs the victim's session to still exist on the server.
    const tokens = await probeTokens(ctx, base, wordlist);
    // Logout runs before the adoption probe's second login, so a server that allows one session
    // per user cannot end the victim's session behind the logout test's back.
    const logout = await probeLogout(ctx, base);
    const adoption = await probeAdoption(ctx, base);
    // Last: sampling logins could end the victim's session on a one-session-per-user server.
    const entropy = await probeEntropy(ctx, base, tokens);
    if (config.logout && !interrupted()) {
      // Leave no session behind that the cookie search made the server open.
      for (const stray of base.strays) await logOut(stray, config.logout, target, 'cleanup: log out search browser').catch(() => undefined);
    }
    // All waiting probes at once (each with its own sessions), then the restart (it ends in-memory
    // sessions, so it must not overlap the waits), then the password change (it may end them all).
    // An interrupt ends waits at once; the probes it cut short are errors, never verdicts, and a
    // password the audit changed is restored before the probe gives up (or the run exits 3).
    const cut = (): { status: 'error'; error: string } => ({
      status: 'error',
      error: interrupted()
        ? 'The run was interrupted before this probe finished.'
        : `The audit deadline (--deadline ${formatDuration(limits.deadline)}) passed before this probe finished; raise it to let the check run.`,
    });
    const waiting: WaitingOutcomes = await unlessInterrupted(
      ctx.signal,
      () => runWaitingProbes(ctx, base),
      () => ({ expiry: cut(), idleTimeout: cut(), absoluteTimeout: cut() }),
    );
    const persistence = await unlessInterrupted(ctx.signal, () => probePersistence(ctx), cut);
    const passwordChange = await unlessInterrupted(ctx.signal, () => probePasswordChange(ctx), cut);
    const incomplete = incompleteReason(opts.signal, [fixation, tokens, logout, adoption, entropy, ...Object.values(waiting), persistence, passwordChange]);
    const evidence: Evidence = {
      schemaVersion: 1,
      target: redactor.clean(target.href),
      startedAt,
      finishedAt: new Date().toISOString(),
      requests: client.requestCount,
      exchanges: http.exchanges,
      oracle: base.oracle,
      session: base.session,
      probes: { fixation, adoption, logout, tokens, entropy, ...waiting, persistence, passwordChange },
      advertised: advertisedOf(base),
      warnings,
      ...(incomplete ? { incomplete } : {}),
    };
    const report = buildReport(evidence, {
      version: toolVersion(),
      durationMs: Date.now() - started,
      ...gateOptions(config),
      ...(opts.baseline ? { baseline: opts.baseline } : {}),
    });
    return { report, evidence, redactor, trace };
  } catch (err) {
    // Abort messages quote the target's answers; they must not carry the password or a token.
    if (err instanceof Error) err.message = redactor.clean(err.message);
    throw err;
  } finally {
    clearTimeout(deadlineTimer);
    await client.close();
  }
}

/**
 * Run a probe; an interrupt before or during it gives the fallback outcome (an error, never a verdict).
 * A password that could not be restored (PasswordRestoreError) always propagates: exit 3.
 */
async function unlessInterrupted<T>(signal: AbortSignal | undefined, run: () => Promise<T>, fallback: () => T): Promise<T> {
  // No early return on an aborted signal: a probe that is not configured still says `skipped`.
  try {
    return await run();
  } catch (err) {
    if (err instanceof InterruptedError || (signal?.aborted && !(err instanceof PasswordRestoreError))) return fallback();
    throw err;
  }
}

/** Why the run did not finish every check: interrupted, or a limit cut probes short. */
function incompleteReason(signal: AbortSignal | undefined, outcomes: Array<{ status: string; error?: string }>): string | undefined {
  if (signal?.aborted) {
    const why = typeof signal.reason === 'string' ? signal.reason : 'interrupted';
    return `The run was stopped (${why}) before every check finished; unfinished checks are marked error.`;
  }
  const cut = outcomes.find((o) => o.status === 'error' && /--max-requests|--deadline/.test(o.error ?? ''));
  if (cut) return `A limit cut the run short: ${cut.error}`;
  return undefined;
}
