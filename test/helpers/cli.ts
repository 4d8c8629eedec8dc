/** Spawning the built CLI (npm run build first) as a user runs it, with CI set and a clean env. */
import { spawn } from 'node:child_process';
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
  /** Working directory of the CLI (default: this process's). */
  cwd?: string;
  /** Called with the child right after spawning (to send it a signal later). */
  onSpawn?: (child: import('node:child_process').ChildProcess) => void;
}

export function runCli(args: string[], env: Record<string, string> = {}, opts: CliOptions = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH ?? '', CI: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(opts.cwd ? { cwd: opts.cwd } : {}),
    });
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
