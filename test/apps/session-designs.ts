/**
 * Hand-written session designs that frameworks produce in many variants, on node:http: a
 * remember-me token (single-use or not, revoked at logout or not), an ID rotated on every
 * request, a logout that deletes the cookie with the wrong Path, an extra auth cookie bound to
 * the session, a stateless HMAC token, and one session per user. JSON login at {prefix}/login
 * (alice / the given password), {prefix}/me, POST {prefix}/logout.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listen, type RunningApp } from '../helpers/server.js';

export type Design =
  | 'remember-rotate' // single-use remember-me token, revoked at logout
  | 'remember-rotate-norevoke' // single-use remember-me token, NOT revoked at logout
  | 'rotate-every' // session ID replaced on every request; landing page also sets theme=dark
  | 'badpath' // cookie Path=/app, logout deletes it with Path=/
  | 'authcookie' // pre-login sid kept at login, but auth also needs a cookie set at login
  | 'jwt' // stateless HMAC token in a cookie
  | 'single'; // a login ends the user's other sessions

interface Session {
  user?: string;
  auth?: string;
}

const rnd = (): string => randomBytes(18).toString('base64url');

export async function start(design: Design, password: string): Promise<RunningApp> {
  const sessions = new Map<string, Session>();
  const remember = new Map<string, string>();
  let current: string | undefined; // 'single': the user's one valid session
  const key = randomBytes(16);
  const path = design === 'badpath' ? '/app' : '/';
  const prefix = design === 'badpath' ? '/app' : '';
  const sidLine = (v: string): string => `sid=${v}; Path=${path}; HttpOnly; SameSite=Lax`;
  const del = (name: string, p = path): string => `${name}=; Path=${p}; Max-Age=0; HttpOnly; SameSite=Lax`;
  const sign = (user: string): string => {
    const body = Buffer.from(JSON.stringify({ user })).toString('base64url');
    return `${body}.${createHmac('sha256', key).update(body).digest('base64url')}`;
  };
  const verify = (token: string | undefined): string | undefined => {
    const [body, mac] = (token ?? '').split('.');
    if (!body || createHmac('sha256', key).update(body).digest('base64url') !== mac) return undefined;
    return (JSON.parse(Buffer.from(body, 'base64url').toString()) as { user?: string }).user;
  };

  const handle = (req: IncomingMessage, res: ServerResponse, body: string): void => {
    const url = new URL(req.url ?? '/', 'http://x');
    const cookies = Object.fromEntries((req.headers.cookie ?? '').split(/;\s*/).filter(Boolean).map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]));
    const out: string[] = [];
    let sid = cookies.sid;
    let s = sid ? sessions.get(sid) : undefined;
    if (!s && cookies.remember && remember.has(cookies.remember)) {
      const user = remember.get(cookies.remember) as string;
      if (design.startsWith('remember-rotate')) {
        remember.delete(cookies.remember);
        const t = rnd();
        remember.set(t, user);
        out.push(`remember=${t}; Path=/; Max-Age=2592000; HttpOnly; SameSite=Lax`);
      }
      sid = rnd();
      s = { user };
      sessions.set(sid, s);
      out.push(sidLine(sid));
    }
    if (design === 'rotate-every' && s && sid) {
      sessions.delete(sid);
      sid = rnd();
      sessions.set(sid, s);
      out.push(sidLine(sid));
    }
    if (design === 'single' && sid !== current && s?.user) s = undefined;
    const user = design === 'jwt' ? verify(cookies.token) : design === 'authcookie' ? (s?.user && cookies.auth === s.auth ? s.user : undefined) : s?.user;
    const send = (status: number, text: string): void => {
      res.statusCode = status;
      if (out.length) res.setHeader('set-cookie', out);
      res.end(text);
    };

    if (url.pathname === '/' || url.pathname === `${prefix}/`) {
      if ((design === 'rotate-every' || design === 'authcookie') && !s) {
        sid = rnd();
        s = {};
        sessions.set(sid, s);
        out.push(sidLine(sid));
      }
      if (design === 'rotate-every') out.push('theme=dark; Path=/');
      return send(200, 'home');
    }
    if (url.pathname === `${prefix}/login` && req.method === 'POST') {
      let creds: { username?: unknown; password?: unknown } = {};
      try {
        creds = JSON.parse(body) as typeof creds;
      } catch {
        // not JSON: bad credentials
      }
      if (creds.username !== 'alice' || creds.password !== password) return send(401, '{"error":"bad credentials"}');
      if (design === 'jwt') {
        out.push(`token=${sign('alice')}; Path=/; HttpOnly; SameSite=Lax`);
        return send(200, '{"ok":true}');
      }
      if (design === 'authcookie') {
        if (!s || !sid) {
          sid = rnd();
          s = {};
          sessions.set(sid, s);
          out.push(sidLine(sid));
        }
        s.user = 'alice';
        s.auth = rnd();
        out.push(`auth=${s.auth}; Path=/; HttpOnly; SameSite=Lax`);
        return send(200, '{"ok":true}');
      }
      if (sid) sessions.delete(sid);
      sid = rnd();
      sessions.set(sid, { user: 'alice' });
      out.push(sidLine(sid));
      if (design === 'single') current = sid;
      if (design.startsWith('remember')) {
        const t = rnd();
        remember.set(t, 'alice');
        out.push(`remember=${t}; Path=/; Max-Age=2592000; HttpOnly; SameSite=Lax`);
      }
      return send(200, '{"ok":true}');
    }
    if (url.pathname === `${prefix}/me`) return user ? send(200, JSON.stringify({ user })) : send(401, '{"error":"not logged in"}');
    if (url.pathname === `${prefix}/logout` && req.method === 'POST') {
      if (sid) sessions.delete(sid);
      if (cookies.remember && design !== 'remember-rotate-norevoke') remember.delete(cookies.remember);
      if (design === 'jwt') out.push(del('token', '/'));
      else out.push(design === 'badpath' ? del('sid', '/') : del('sid'));
      if (design.startsWith('remember')) out.push(del('remember', '/'));
      if (design === 'authcookie') out.push(del('auth', '/'));
      return send(200, '{"ok":true}');
    }
    return send(404, 'not found');
  };

  return listen((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => handle(req, res, body));
  });
}
