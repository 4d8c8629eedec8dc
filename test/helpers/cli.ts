/** Spawning the built CLI (npm run build first) as a user runs it, with CI set and a clean env. */
import { spawn, type ChildProcess, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/session-audit.js', import.meta.url));

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** The reader of stdout goes away: after the first chunk (`| head -c1`), or before any output. */
  closeStdout?: 'first-chunk' | 'at-once';
  /** Working directory (default: the test process's). */
  cwd?: string;
  /** Piped to the child's stdin (then closed); without it stdin is /dev/null. */
  stdin?: string;
  /** Called once the child runs (to send it a signal later, for example). */
  onSpawn?: (child: ChildProcess) => void;
}

export function runCli(args: string[], env: Record<string, string> = {}, opts: CliOptions = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH ?? '', CI: '1', ...env },
      stdio: [opts.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      ...(opts.cwd ? { cwd: opts.cwd } : {}),
    }) as ChildProcessByStdio<Writable | null, Readable, Readable>;
    if (opts.stdin !== undefined) child.stdin?.end(opts.stdin);
    opts.onSpawn?.(child);
    let stdout = '';
    let stderr = '';
    if (opts.closeStdout === 'at-once') child.stdout.destroy();
    else if (opts.closeStdout === 'first-chunk') {
      child.stdout.once('data', (d: Buffer) => {
        stdout += d.toString();
        child.stdout.destroy();
      });
    } else child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
