/**
 * A target that can be restarted from a shell command, as a deployment is: a supervisor (this
 * test process) runs the app as a child on a fixed 127.0.0.1 port and starts it again whenever it
 * exits. `restartCommand` kills the current process and waits until it is gone, so the audit's
 * readiness check can only be answered by the new process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { answers } from './process-app.js';
import { freePort } from './redis.js';

export interface Restartable {
  url: string;
  restartCommand: string;
  /** How many times the app was started. */
  starts(): number;
  close(): Promise<void>;
}

const APP = fileURLToPath(new URL('../apps/restartable-app.mjs', import.meta.url));

export async function startRestartable(env: Record<string, string>): Promise<Restartable> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'session-audit-restart-'));
  const pidFile = join(dir, 'app.pid');
  let child: ChildProcess | undefined;
  let stopping = false;
  let starts = 0;
  const launch = async (): Promise<void> => {
    starts += 1;
    child = spawn(process.execPath, [APP], { env: { PATH: process.env.PATH ?? '', PORT: String(port), ...env }, stdio: 'ignore', cwd: fileURLToPath(new URL('../..', import.meta.url)) });
    await writeFile(pidFile, String(child.pid));
    child.once('exit', () => {
      if (!stopping) void launch();
    });
  };
  await launch();
  const deadline = Date.now() + 10_000;
  while (!(await answers(port))) {
    if (Date.now() > deadline) throw new Error('the restartable app did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `http://127.0.0.1:${port}`,
    restartCommand: `p=$(cat '${pidFile}'); kill "$p"; while kill -0 "$p" 2>/dev/null; do sleep 0.05; done`,
    starts: () => starts,
    async close() {
      stopping = true;
      const c = child;
      if (c && c.exitCode === null && c.signalCode === null) {
        await new Promise<void>((resolve) => {
          c.once('exit', () => resolve());
          c.kill('SIGTERM');
        });
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
