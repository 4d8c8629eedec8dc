/**
 * The HTTP contract shared by every target app in test/apps/, so one audit
 * config fits all of them:
 *
 *   GET  /           200 small HTML
 *   GET  /login      200 HTML: <meta name="csrf-token">, form with _csrf/username/password
 *   POST /login      form; 403 bad CSRF, 401 HTML "Invalid credentials", 302 -> /me
 *   POST /api/login  JSON {username,password}; 200 {"ok":true} / 401 {"error":"invalid credentials"}
 *   GET  /me         200 {"user":"alice"} / 401 {"error":"not logged in"}
 *   POST /logout     app-specific revocation, then 302 -> /login
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type {} from 'express-session';

export const USERNAME = 'alice';
export const PASSWORD = 'correct horse battery staple';

declare module 'express-session' {
  interface SessionData {
    /** CSRF token stored before login (creates the pre-login session). */
    csrf?: string;
    /** Logged-in user (redis-session app only; passport apps use `passport.user`). */
    user?: string;
  }
}

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function checkCredentials(username: unknown, password: unknown): boolean {
  return username === USERNAME && password === PASSWORD;
}

/** Constant-time string comparison; false for non-strings or length mismatch. */
export function safeEqual(a: unknown, b: unknown): boolean {
  if (typeof a !== 'string' || typeof b !== 'string') return false;
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function homePage(title: string): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body><h1>${escapeHtml(title)}</h1><p><a href="/login">Log in</a></p></body></html>
`;
}

export function loginPage(csrf: string): string {
  const t = escapeHtml(csrf);
  return `<!doctype html>
<html>
<head>
<meta charset="utf-8">
<meta name="csrf-token" content="${t}">
<title>Log in</title>
</head>
<body>
<form method="post" action="/login">
<input type="hidden" name="_csrf" value="${t}">
<label>User <input type="text" name="username"></label>
<label>Password <input type="password" name="password"></label>
<button type="submit">Log in</button>
</form>
</body>
</html>
`;
}

export const INVALID_CREDENTIALS_HTML =
  '<!doctype html><html><body><p>Invalid credentials</p></body></html>\n';
export const INVALID_CSRF_HTML = '<!doctype html><html><body><p>Invalid CSRF token</p></body></html>\n';

/** Read a string field from an express body that may be undefined / not an object. */
export function bodyField(body: unknown, name: string): unknown {
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
}

/**
 * express-session based apps: the form's `_csrf` must equal `req.session.csrf`
 * (set by GET /login), otherwise 403.
 */
export const requireSessionCsrf: RequestHandler = (req, res, next) => {
  if (safeEqual(bodyField(req.body, '_csrf'), req.session?.csrf)) {
    next();
    return;
  }
  res.status(403).type('html').send(INVALID_CSRF_HTML);
};

/** Last-resort error handler: log-free 500 so tests see a status, not a hang. */
export const internalError: ErrorRequestHandler = (err: unknown, _req, res, _next) => {
  const message = err instanceof Error ? err.message : String(err);
  res.status(500).json({ error: message });
};
