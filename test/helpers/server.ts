import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';

export interface RunningApp {
  /** Base URL without trailing slash, e.g. `http://127.0.0.1:40123`. */
  url: string;
  close(): Promise<void>;
}

/**
 * Anything node's http server can call: a plain `RequestListener` or an express
 * application (express 4 or 5; both are `(req, res, next?) => void` functions).
 */
export type Handler =
  | http.RequestListener
  | ((req: http.IncomingMessage, res: http.ServerResponse) => unknown);

export interface ListenOptions {
  /** PEM strings. When given, the server speaks HTTPS and `url` starts with `https://`. */
  tls?: { key: string; cert: string };
}

/**
 * Listen on 127.0.0.1 with an ephemeral port. `close()` also destroys
 * keep-alive sockets so a test never hangs waiting for idle connections.
 */
export async function listen(handler: Handler, opts: ListenOptions = {}): Promise<RunningApp> {
  const listener = handler as http.RequestListener;
  const server: http.Server = opts.tls
    ? https.createServer({ key: opts.tls.key, cert: opts.tls.cert }, listener)
    : http.createServer(listener);

  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', onError);
      resolve();
    });
  });

  const { port } = server.address() as AddressInfo;
  const url = `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  let closing: Promise<void> | undefined;

  return {
    url,
    close(): Promise<void> {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
