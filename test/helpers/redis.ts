import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import os from 'node:os';

export interface RunningRedis {
  /** e.g. `redis://127.0.0.1:40123` */
  url: string;
  port: number;
  stop(): Promise<void>;
}

const NOT_FOUND = 'redis-server not found: apt-get install redis-server';
const READY_TIMEOUT_MS = 5_000;

/** Ask the OS for a free port on 127.0.0.1 (listen on 0, read it, close). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** One raw `PING` over TCP; resolves true on `+PONG`. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    let buf = '';
    const done = (ok: boolean): void => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(500, () => done(false));
    sock.once('error', () => done(false));
    sock.once('connect', () => sock.write('PING\r\n'));
    sock.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      if (buf.includes('\r\n')) done(buf.startsWith('+PONG'));
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function startOnce(bin: string): Promise<RunningRedis> {
  const port = await freePort();
  const child = spawn(
    bin,
    [
      '--port', String(port),
      '--bind', '127.0.0.1',
      '--save', '',
      '--appendonly', 'no',
      '--dir', os.tmpdir(),
      '--daemonize', 'no',
      '--loglevel', 'warning',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );

  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));

  // Spawn failure (ENOENT) is reported asynchronously through 'error'.
  let spawnError: NodeJS.ErrnoException | undefined;
  child.once('error', (err: NodeJS.ErrnoException) => (spawnError = err));

  // If the test process exits without calling stop(), do not leave redis behind.
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  const stop = async (): Promise<void> => {
    process.off('exit', killOnExit);
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = waitForExit(child);
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
    await exited;
    clearTimeout(timer);
  };

  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (spawnError) {
      process.off('exit', killOnExit);
      if (spawnError.code === 'ENOENT') throw new Error(NOT_FOUND);
      throw new Error(`could not start redis-server: ${spawnError.message}`);
    }
    if (child.exitCode !== null || child.signalCode !== null) {
      process.off('exit', killOnExit);
      throw new Error(`redis-server exited early (code ${child.exitCode}): ${output.trim()}`);
    }
    if (await ping(port)) {
      return { url: `redis://127.0.0.1:${port}`, port, stop };
    }
    await sleep(25);
  }
  await stop();
  throw new Error(`redis-server did not answer PING within ${READY_TIMEOUT_MS} ms: ${output.trim()}`);
}

/**
 * Spawn a throw-away `redis-server` on a free 127.0.0.1 port, no persistence.
 * Set REDIS_SERVER_BIN to use a binary that is not on PATH.
 */
export async function startRedis(): Promise<RunningRedis> {
  const bin = process.env.REDIS_SERVER_BIN ?? 'redis-server';
  let lastError: unknown;
  // The free port can be taken between probe and spawn; retry a couple of times.
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(bin);
    } catch (err) {
      if (err instanceof Error && err.message === NOT_FOUND) throw err;
      lastError = err;
    }
  }
  throw lastError;
}
