/**
 * Target apps written for other runtimes (PHP's built-in server, Flask, Django), started as child
 * processes on a free 127.0.0.1 port and stopped after the tests. A missing runtime is a failure
 * with the install command in its message: .ci/run installs them.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import type { RunningApp } from './server.js';
import { freePort } from './redis.js';

export interface ProcessAppSpec {
  /** Executable and arguments; `{port}` is replaced by the chosen port. */
  command: string;
  args: string[];
  env?: Record<string, string>;
  cwd?: string;
  /** Shown when the executable is missing. */
  install: string;
  readyTimeoutMs?: number;
}

/** Does something answer HTTP on 127.0.0.1:port (any status)? */
export function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/', timeout: 500 }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
}

export function available(command: string, probeArgs: string[]): boolean {
  const r = spawnSync(command, probeArgs, { stdio: 'ignore' });
  return r.status === 0;
}

export async function startProcessApp(spec: ProcessAppSpec): Promise<RunningApp> {
  const port = await freePort();
  const args = spec.args.map((a) => a.replace('{port}', String(port)));
  let output = '';
  const child: ChildProcess = spawn(spec.command, args, {
    cwd: spec.cwd,
    env: { PATH: process.env.PATH ?? '', ...spec.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const spawnError = new Promise<never>((_, reject) => {
    child.once('error', (err: NodeJS.ErrnoException) =>
      reject(new Error(err.code === 'ENOENT' ? `${spec.command} not found: ${spec.install}` : err.message)),
    );
  });
  const deadline = Date.now() + (spec.readyTimeoutMs ?? 20_000);
  const ready = (async () => {
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`${spec.command} exited with ${child.exitCode}: ${output.slice(-800)}`);
      if (await answers(port)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`${spec.command} did not answer on port ${port}: ${output.slice(-800)}`);
  })();
  try {
    await Promise.race([ready, spawnError]);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3_000).unref();
      }),
  };
}
