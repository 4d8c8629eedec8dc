/**
 * A small forward proxy, as Burp or ZAP act: plain requests in absolute form are forwarded, and
 * CONNECT opens a tunnel. Every request and tunnel is recorded. `hosts` maps names that do not
 * resolve (under .invalid) to 127.0.0.1 ports, so a target reachable *only* through the proxy
 * proves the traffic went through it.
 */
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface ProxyRecord {
  kind: 'connect' | 'forward';
  /** host:port for CONNECT; the absolute URL for a forwarded request. */
  target: string;
}

export interface ForwardProxy {
  url: string;
  records: ProxyRecord[];
  close(): Promise<void>;
}

export async function startForwardProxy(hosts: Record<string, number> = {}): Promise<ForwardProxy> {
  const records: ProxyRecord[] = [];
  const sockets = new Set<net.Socket>();
  const resolve = (host: string, port: number): { host: string; port: number } => {
    const mapped = hosts[host];
    return mapped !== undefined ? { host: '127.0.0.1', port: mapped } : { host, port };
  };
  const server = http.createServer((req, res) => {
    records.push({ kind: 'forward', target: req.url ?? '' });
    let url: URL;
    try {
      url = new URL(req.url ?? '');
    } catch {
      res.writeHead(400).end('absolute-form request expected');
      return;
    }
    const to = resolve(url.hostname, Number(url.port || 80));
    const upstream = http.request({ host: to.host, port: to.port, method: req.method, path: url.pathname + url.search, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.rawHeaders);
      up.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end('bad gateway'));
    req.pipe(upstream);
  });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    records.push({ kind: 'connect', target: req.url ?? '' });
    sockets.add(client);
    const [host = '', port = '443'] = (req.url ?? '').split(/:(?=\d+$)/);
    const to = resolve(host, Number(port));
    const upstream = net.connect(to.port, to.host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    upstream.on('error', end);
    client.on('error', end);
    client.on('close', end);
  });
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    records,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
