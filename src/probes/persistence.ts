/**
 * Session persistence: log in, restart the target with the user's --restart-command, wait until
 * it is ready, replay the saved cookies. A session that dies with the process lived in memory
 * (express-session's MemoryStore and its kin): every deploy or crash logs every user out.
 */
import { spawn } from 'node:child_process';
import { formatDuration } from '../config/duration.js';
import type { RestartConfig } from '../config/schema.js';
import type { PersistenceEvidence, ProbeOutcome } from '../evidence/types.js';
import { errorMessage, newActor, type ProbeContext } from './context.js';
import { checkAlive, InterruptedError, logOutSessions, openSession, replay, sleep } from './lifetime.js';

interface CommandResult {
  exitCode: number | null;
  signal?: string;
  timedOut: boolean;
  durationMs: number;
  output: string;
}

/** How long a stopped restart command gets between SIGTERM and SIGKILL. */
const KILL_GRACE_MS = 2000;

/** Run the command with the system shell in its own process group, so a timeout can end all of it. */
export function runRestartCommand(command: string, timeoutMs: number, signal?: AbortSignal): Promise<CommandResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, { shell: true, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (d: Buffer): void => {
      if (output.length < 20_000) output += d.toString();
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    // A command that starts a server in the background leaves it holding our pipes: stop reading
    // once the shell itself has exited.
    let timedOut = false;
    const signalGroup = (sig: NodeJS.Signals): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, sig);
      } catch {
        // already gone
      }
    };
    // SIGTERM first; a command that ignores it (trap '' TERM) gets SIGKILL a moment later, or the
    // probe (and with it the whole run, --deadline included) would wait for it forever.
    let escalate: NodeJS.Timeout | undefined;
    const killGroup = (): void => {
      signalGroup('SIGTERM');
      escalate ??= setTimeout(() => signalGroup('SIGKILL'), KILL_GRACE_MS);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, timeoutMs);
    const onAbort = (): void => killGroup();
    signal?.addEventListener('abort', onAbort, { once: true });
    child.once('error', (err) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      reject(err);
    });
    child.once('exit', (code, sig) => {
      clearTimeout(timer);
      clearTimeout(escalate);
      signal?.removeEventListener('abort', onAbort);
      const durationMs = Date.now() - started;
      // The last output can still be in the pipes when the shell exits: read until they close, or
      // for a moment at most (a server started in the background keeps them open for good).
      let done = false;
      const finish = (): void => {
        if (done) return;
        done = true;
        clearTimeout(drain);
        child.stdout.destroy();
        child.stderr.destroy();
        child.unref();
        const r: CommandResult = { exitCode: code, timedOut, durationMs, output };
        if (sig) r.signal = sig;
        resolve(r);
      };
      const drain = setTimeout(finish, 250);
      child.once('close', finish);
    });
  });
}

async function waitReady(ctx: ProbeContext, cfg: RestartConfig, deadline: number): Promise<PersistenceEvidence['ready'] | string> {
  const start = Date.now();
  await sleep(cfg.readyWait, ctx.signal);
  // Without a readiness URL or a fixed wait, the target's own address is polled.
  const url = cfg.readyUrl !== undefined ? new URL(cfg.readyUrl, ctx.http.target) : cfg.readyWait > 0 ? undefined : ctx.http.target;
  if (!url) return { by: 'wait', waitedMs: Date.now() - start };
  const prober = newActor(ctx, 'probe');
  for (let attempt = 1; ; attempt += 1) {
    try {
      const res = await prober.send(`persistence: readiness check ${attempt}`, { url, followRedirects: false });
      if (res.status < 500) return { by: 'url', waitedMs: Date.now() - start, status: res.status };
    } catch {
      // not up yet
    }
    if (Date.now() >= deadline) return `the target did not answer ${url.pathname} within ${formatDuration(cfg.timeout)} after the restart command (restart.timeout)`;
    await sleep(Math.min(250, deadline - Date.now()), ctx.signal);
  }
}

export async function probePersistence(ctx: ProbeContext): Promise<ProbeOutcome<PersistenceEvidence>> {
  const cfg = ctx.config.restart;
  if (!cfg) {
    return { status: 'skipped', reason: 'no --restart-command given (restart.command in the config): session-audit cannot restart the target to see whether sessions survive it' };
  }
  try {
    ctx.progress('Session persistence: logging in before the restart');
    const s = await openSession(ctx, 'persistence');
    const before = await checkAlive(ctx, s, 'persistence');
    if (!before.loggedIn) return { status: 'skipped', reason: `the session was not logged in before the restart (${before.why})` };
    ctx.progress('Session persistence: restarting the target');
    const deadline = Date.now() + cfg.timeout;
    const r = await runRestartCommand(cfg.command, cfg.timeout, ctx.signal);
    if (ctx.http.log && r.output.trim()) for (const line of r.output.trim().split('\n')) ctx.http.log(`restart: ${line}`);
    if (ctx.signal?.aborted) throw new InterruptedError();
    const restart: PersistenceEvidence['restart'] = { exitCode: r.exitCode, timedOut: r.timedOut, durationMs: r.durationMs };
    if (r.signal) restart.signal = r.signal;
    if (r.timedOut) return { status: 'error', error: `the restart command did not finish within ${formatDuration(cfg.timeout)} (restart.timeout); it was stopped` };
    if (r.exitCode !== 0) {
      const tail = ctx.http.redactor.clean(r.output.trim().split('\n').slice(-3).join(' ').slice(0, 300));
      return { status: 'error', error: `the restart command exited with ${r.exitCode ?? r.signal}${tail ? ` ("${tail}")` : ''}` };
    }
    ctx.progress('Session persistence: waiting for the target to come back');
    const ready = await waitReady(ctx, cfg, deadline);
    if (typeof ready === 'string') return { status: 'error', error: ready };
    const { obs } = await replay(ctx, s.held, 'persistence: replay of the cookies saved before the restart');
    if (obs.loggedIn) await logOutSessions(ctx, [s.held], 'persistence');
    return { status: 'ok', data: { before, restart, ready, replay: obs } };
  } catch (err) {
    if (err instanceof InterruptedError) throw err;
    return { status: 'error', error: errorMessage(err) };
  }
}
