/**
 * The pipeline: config → probes (HTTP through actors) → evidence → rules → report.
 * Probes that fail store an error as their evidence; only failures that leave nothing to audit
 * (unreachable target, failed login, an oracle that cannot tell) abort with exit code 3.
 */
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { AuditAbortError, UsageError } from './errors.js';
import type { LoadedConfig } from './config/load.js';
import type { Evidence } from './evidence/types.js';
import { HttpClient, HttpError } from './http/client.js';
import { Redactor } from './http/redact.js';
import type { AuditHttp } from './http/actor.js';
import type { ProbeContext } from './probes/context.js';
import { establishSession } from './probes/session.js';
import { probeFixation } from './probes/fixation.js';
import { probeLogout } from './probes/logout.js';
import { probeAdoption } from './probes/adoption.js';
import { probeTokens } from './probes/tokens.js';
import { probeEntropy } from './probes/entropy.js';
import { readWordlist } from './tokens/wordlist.js';
import { logout as logOut } from './auth/login.js';
import { buildReport } from './report/build.js';
import type { Report } from './report/schema.js';
import { toolVersion } from './version.js';

export interface AuditOptions {
  progress?: (text: string) => void;
  /** One line per request, for --verbose (already redacted). */
  log?: (line: string) => void;
}

export interface AuditRun {
  report: Report;
  evidence: Evidence;
  redactor: Redactor;
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

export async function runAudit(loaded: LoadedConfig, opts: AuditOptions = {}): Promise<AuditRun> {
  const { config, password } = loaded;
  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  const redactor = new Redactor(config.showSecrets);
  redactor.rememberPassword(password.reveal());
  const ca = config.ca ? await readCa(config.ca) : undefined;
  // Read before the first request, so a bad path is a usage error (exit 2), not a half-run audit.
  const wordlist = config.wordlist ? await readWordlist(config.wordlist) : [];
  const log = opts.log;
  const client = new HttpClient({
    timeoutMs: config.timeout,
    ...(ca ? { ca } : {}),
    insecure: config.insecure,
  });
  const target = new URL(config.target);
  const http: AuditHttp = { client, redactor, target, headers: config.headers, exchanges: [] };
  if (log) http.log = (line: string) => log(redactor.clean(line));
  const warnings: string[] = [];
  if (config.insecure) warnings.push('TLS certificate verification was turned off (--insecure): a machine in the middle could have answered instead of the target.');
  if (target.protocol === 'http:') warnings.push(`The target is plain http://: credentials and session tokens crossed the network unencrypted.`);
  const ctx: ProbeContext = {
    config,
    password,
    http,
    authCheckUrl: new URL(config.authCheck.url, target),
    loginTarget: { login: config.login, username: config.credentials.username, password, target },
    progress: opts.progress ?? (() => undefined),
  };
  try {
    let base;
    try {
      base = await establishSession(ctx);
    } catch (err) {
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
    if (config.logout) {
      // Leave no session behind that the cookie search made the server open.
      for (const stray of base.strays) await logOut(stray, config.logout, target, 'cleanup: log out search browser').catch(() => undefined);
    }
    const evidence: Evidence = {
      schemaVersion: 1,
      target: redactor.clean(target.href),
      startedAt,
      finishedAt: new Date().toISOString(),
      requests: client.requestCount,
      exchanges: http.exchanges,
      oracle: base.oracle,
      session: base.session,
      probes: { fixation, adoption, logout, tokens, entropy },
      warnings,
    };
    const report = buildReport(evidence, {
      version: toolVersion(),
      durationMs: Date.now() - started,
      failOn: config.failOn,
      minScore: config.minScore,
      policy: config.policy,
    });
    return { report, evidence, redactor };
  } catch (err) {
    // Abort messages quote the target's answers; they must not carry the password or a token.
    if (err instanceof Error) err.message = redactor.clean(err.message);
    throw err;
  } finally {
    await client.close();
  }
}
