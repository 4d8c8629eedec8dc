/**
 * Token decoders, the secret search and forging, proven against the libraries that sign real
 * session cookies: cookie-signature (express-session), keygrip (cookie-session, koa-session),
 * jsonwebtoken, and Python's itsdangerous through Flask (python3-flask). Forged tokens are
 * verified by the same libraries, so "forged" means "the library accepts it".
 */
import { execFileSync } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import jwt from 'jsonwebtoken';
import Keygrip from 'keygrip';
import signature from 'cookie-signature';
import { crack, toCandidates, verifier } from '../../src/tokens/crack.js';
import { algNoneToken, forge, tamperedJwt } from '../../src/tokens/forge.js';
import { decodeSessionCookie } from '../../src/tokens/formats.js';
import { FixedMessageHmacSha256 } from '../../src/tokens/hmac-sha256.js';
import { findPersonalData } from '../../src/tokens/personal.js';
import { builtInSecrets } from '../../src/tokens/secrets.js';
import { loginResponseJwt } from '../../src/probes/tokens.js';

const PYTHON = '/usr/bin/python3';
const BUILT_IN = builtInSecrets();
const found = (name: string, value: string, jar = new Map<string, string>()): string | undefined => {
  const t = decodeSessionCookie(name, value, jar);
  if (!t.signed) throw new Error(`${name} not decoded as signed (${t.format})`);
  return crack(t.signed, BUILT_IN).found?.text;
};

describe('HMAC-SHA256 with a fixed message', () => {
  it('equals node:crypto for messages and keys around every block boundary', () => {
    for (const mlen of [0, 1, 31, 32, 55, 56, 63, 64, 65, 119, 120, 200]) {
      const message = randomBytes(mlen);
      const h = new FixedMessageHmacSha256(message);
      for (const klen of [0, 1, 12, 32, 63, 64, 65, 100]) {
        const key = randomBytes(klen);
        expect(h.digest(key).toString('hex'), `message ${mlen}, key ${klen}`).toBe(createHmac('sha256', key).update(message).digest('hex'));
      }
    }
  });
  it('matches() is true only for the key that made the target', () => {
    const message = Buffer.from('abc.def');
    const key = Buffer.from('keyboard cat');
    const h = new FixedMessageHmacSha256(message, createHmac('sha256', key).update(message).digest());
    expect(h.matches(key)).toBe(true);
    expect(h.matches(Buffer.from('keyboard dog'))).toBe(false);
  });
});

describe('the built-in list', () => {
  it('holds the published defaults and a few thousand entries, without duplicates', () => {
    const texts = BUILT_IN.map((c) => c.text);
    for (const s of ['keyboard cat', 'secret', 'changeme', 'your-256-bit-secret', 'shhhhh', 'dev', 'you-will-never-guess', 'some secret hurr', 'tobemodified']) expect(texts).toContain(s);
    expect(texts.length).toBeGreaterThan(3000);
    expect(new Set(texts).size).toBe(texts.length);
  });
});

describe('express-session (cookie-signature)', () => {
  const id = randomBytes(24).toString('base64url');
  it("finds 'keyboard cat' in a cookie cookie-signature signed, URL-encoded as express-session sets it", () => {
    const cookie = encodeURIComponent(`s:${signature.sign(id, 'keyboard cat')}`);
    const t = decodeSessionCookie('connect.sid', cookie);
    expect(t).toMatchObject({ format: 'express-session', id, clientSide: false });
    expect(found('connect.sid', cookie)).toBe('keyboard cat');
  });
  it('does not find a random 32-byte secret', () => {
    expect(found('connect.sid', encodeURIComponent(`s:${signature.sign(id, randomBytes(32).toString('hex'))}`))).toBeUndefined();
  });
  it('forges the cookie cookie-signature accepts (the same ID: it is a server-side key)', () => {
    const cookie = encodeURIComponent(`s:${signature.sign(id, 'keyboard cat')}`);
    const forged = forge('connect.sid', cookie, decodeSessionCookie('connect.sid', cookie), Buffer.from('keyboard cat'));
    const value = decodeURIComponent(forged?.cookies['connect.sid'] ?? '');
    expect(signature.unsign(value.slice(2), 'keyboard cat')).toBe(id);
  });
});

describe('cookie-session / koa-session (keygrip)', () => {
  const value = Buffer.from(JSON.stringify({ user: 'alice', email: 'alice@example.test' })).toString('base64');
  it("finds 'key1' (cookie-session's README) from the .sig cookie keygrip made over name=value", () => {
    const sig = Keygrip(['key1']).sign(`session=${value}`);
    const t = decodeSessionCookie('session', value, new Map([['session.sig', sig]]));
    expect(t).toMatchObject({ format: 'keygrip', clientSide: true, state: { user: 'alice' } });
    expect(found('session', value, new Map([['session.sig', sig]]))).toBe('key1');
  });
  it("finds koa's README key 'some secret hurr' on a koa.sess cookie", () => {
    const sig = Keygrip(['some secret hurr']).sign(`koa.sess=${value}`);
    expect(found('koa.sess', value, new Map([['koa.sess.sig', sig]]))).toBe('some secret hurr');
  });
  it('does not find a random key; keygrip with SHA-256 is decoded too', () => {
    expect(found('session', value, new Map([['session.sig', Keygrip([randomBytes(32).toString('hex')]).sign(`session=${value}`)]]))).toBeUndefined();
    expect(found('session', value, new Map([['session.sig', Keygrip(['secret'], 'sha256').sign(`session=${value}`)]]))).toBe('secret');
  });
  it('forges a changed session that keygrip verifies', () => {
    const sig = Keygrip(['key1']).sign(`session=${value}`);
    const forged = forge('session', value, decodeSessionCookie('session', value, new Map([['session.sig', sig]])), Buffer.from('key1'));
    const newValue = forged?.cookies.session ?? '';
    expect(newValue).not.toBe(value);
    expect(JSON.parse(Buffer.from(newValue, 'base64').toString())).toMatchObject({ user: 'alice', session_audit: 'forged' });
    expect(Keygrip(['key1']).verify(`session=${newValue}`, forged?.cookies['session.sig'] ?? '')).toBe(true);
  });
});

describe('JWT (jsonwebtoken)', () => {
  it.each(['HS256', 'HS384', 'HS512'] as const)("finds 'secret' in an %s token", (algorithm) => {
    const token = jwt.sign({ sub: '42' }, 'secret', { algorithm, expiresIn: '1h' });
    expect(found('token', token)).toBe('secret');
  });
  it("finds jwt.io's 'your-256-bit-secret' and not a random secret", () => {
    expect(found('token', jwt.sign({ sub: '1' }, 'your-256-bit-secret'))).toBe('your-256-bit-secret');
    expect(found('token', jwt.sign({ sub: '1' }, randomBytes(32)))).toBeUndefined();
  });
  it('decodes alg, exp and iat', () => {
    const t = decodeSessionCookie('token', jwt.sign({ sub: '42', role: 'admin' }, 'k', { expiresIn: '30d' }));
    expect(t.format).toBe('jwt');
    expect(t.jwt?.header.alg).toBe('HS256');
    expect((t.jwt?.payload.exp as number) - (t.jwt?.payload.iat as number)).toBe(30 * 86400);
  });
  it('forges a changed token that jsonwebtoken verifies with the secret', () => {
    const token = jwt.sign({ sub: '42' }, 'secret', { expiresIn: '1h' });
    const forged = forge('token', token, decodeSessionCookie('token', token), Buffer.from('secret'))?.cookies.token ?? '';
    expect(forged).not.toBe(token);
    const payload = jwt.verify(forged, 'secret', { algorithms: ['HS256'] }) as jwt.JwtPayload;
    expect(payload.sub).toBe('42');
  });
  it('builds alg:none variants and a tampered control that jsonwebtoken rejects', () => {
    const token = jwt.sign({ sub: '42' }, 'secret');
    const t = decodeSessionCookie('token', token);
    const none = algNoneToken(t, token, 'none') ?? '';
    expect(none.endsWith('.')).toBe(true);
    expect(jwt.decode(none, { complete: true })?.header.alg).toBe('none');
    expect(() => jwt.verify(none, 'secret', { algorithms: ['HS256'] })).toThrow();
    expect(() => jwt.verify(tamperedJwt(token) ?? '', 'secret', { algorithms: ['HS256'] })).toThrow(/invalid signature/);
  });
});

describe('Flask (itsdangerous via python3-flask)', () => {
  const flask = (secret: string, data: Record<string, unknown>): string =>
    execFileSync(
      PYTHON,
      ['-c', 'import sys,json; from flask import Flask; from flask.sessions import SecureCookieSessionInterface as S; a=Flask("x"); a.secret_key=sys.argv[1]; print(S().get_signing_serializer(a).dumps(json.loads(sys.argv[2])))', secret, JSON.stringify(data)],
      { encoding: 'utf8' },
    ).trim();
  const flaskLoads = (secret: string, cookie: string): string =>
    execFileSync(PYTHON, ['-c', 'import sys,json; from flask import Flask; from flask.sessions import SecureCookieSessionInterface as S; a=Flask("x"); a.secret_key=sys.argv[1]; print(json.dumps(S().get_signing_serializer(a).loads(sys.argv[2])))', secret, cookie], {
      encoding: 'utf8',
    }).trim();

  it("finds 'dev' (the Flask tutorial's key) in a cookie Flask signed, compressed or not", () => {
    const small = flask('dev', { user: 'alice' });
    const big = flask('dev', { user: 'alice', notes: 'x'.repeat(400) });
    expect(big.startsWith('.')).toBe(true); // zlib-compressed payload
    expect(decodeSessionCookie('session', big)).toMatchObject({ format: 'flask', state: { user: 'alice' } });
    expect(found('session', small)).toBe('dev');
    expect(found('session', big)).toBe('dev');
  });
  it('does not find a random key', () => {
    expect(found('session', flask(randomBytes(32).toString('hex'), { user: 'alice' }))).toBeUndefined();
  });
  it('forges a cookie with a new timestamp that Flask loads', () => {
    const cookie = flask('you-will-never-guess', { user: 'alice', csrf: 'x'.repeat(300) });
    const forged = forge('session', cookie, decodeSessionCookie('session', cookie), Buffer.from('you-will-never-guess'))?.cookies.session ?? '';
    expect(forged).not.toBe(cookie);
    expect(JSON.parse(flaskLoads('you-will-never-guess', forged))).toMatchObject({ user: 'alice' });
  });
});

describe('other formats and hostile values', () => {
  it('recognises sealed formats by shape and never reads them', () => {
    expect(decodeSessionCookie('sid', 'Fe26.2**abc*def')).toMatchObject({ format: 'iron', clientSide: true, encrypted: true });
    expect(decodeSessionCookie('sid', randomBytes(24).toString('hex'))).toMatchObject({ format: 'opaque', clientSide: false });
    const handRolled = `${Buffer.from('{"user":"alice"}').toString('base64url')}.${createHmac('sha256', 'k').update('x').digest('base64url')}`;
    expect(decodeSessionCookie('token', handRolled)).toMatchObject({ format: 'signed-json', clientSide: true, state: { user: 'alice' } });
  });
  it('never throws on arbitrary input', () => {
    const hostile = ['', '.', '..', 's:', 's:.', 's:%', '%E0%A4%A', 'a.b.c', '.eJw.abc.def', 'e30.e30.', 'bnVsbA.bnVsbA.x', 'W10.e30.x', '\u0000\uffff', 'x'.repeat(100_000), 'Fe26.2'];
    for (const v of hostile) expect(() => decodeSessionCookie('session', v, new Map([['session.sig', v]]))).not.toThrow();
  });
  it('a verifier of a token of another hash length never matches', () => {
    const t = decodeSessionCookie('token', jwt.sign({ a: 1 }, 'secret', { algorithm: 'HS512' }));
    expect(t.signed && verifier(t.signed)(Buffer.from('secret'))).toBe(true);
    expect(t.signed && crack(t.signed, toCandidates(['nope'])).found).toBeUndefined();
  });
});

describe('personal data in a readable session', () => {
  it('names fields (never values) that look like e-mail, role, password hash', () => {
    const found = findPersonalData({ uid: 7, contact: 'alice@example.test', role: 'admin', password_hash: '$2b$10$abc', prefs: { theme: 'dark' } });
    expect(found).toEqual([
      { field: 'contact', kind: 'e-mail address' },
      { field: 'role', kind: 'role or privilege' },
      { field: 'password_hash', kind: 'password or password hash' },
    ]);
    expect(JSON.stringify(found)).not.toContain('alice@');
  });
  it('an ID, a CSRF token, a cache hash, passport.js state and verification flags are not personal data', () => {
    expect(findPersonalData({ user: 42, csrf: 'abc', _expire: 1, hash: 'd41d8cd9', passport: { user: 7 }, emailVerified: true, phone: null })).toEqual([]);
  });
});

describe("a JWT in the login response's JSON body", () => {
  const token = jwt.sign({ sub: '42' }, 'secret');
  it('is found at the top level or one level down, by its field name', () => {
    expect(loginResponseJwt(JSON.stringify({ ok: true, token }))).toEqual({ field: 'token', token });
    expect(loginResponseJwt(JSON.stringify({ data: { access_token: token } }))).toEqual({ field: 'access_token', token });
  });
  it('only JWT-shaped values in token fields count; anything else is ignored without throwing', () => {
    expect(loginResponseJwt(JSON.stringify({ token: 'opaque-refresh-token-value' }))).toBeUndefined();
    expect(loginResponseJwt(JSON.stringify({ note: token }))).toBeUndefined();
    for (const body of ['', 'null', '[1]', '{', '{"token": 5}', '<html>', '{"a":{"b":{"token":"x"}}}', `{"token":"${'a'.repeat(2_000_000)}"}`]) {
      expect(() => loginResponseJwt(body)).not.toThrow();
    }
  });
});

describe('koa-session (koa 3, keygrip through cookies)', () => {
  it("finds koa's README key in the cookies koa-session sets, and koa accepts a forged session", async () => {
    const { default: Koa } = await import('koa');
    const { default: session } = await import('koa-session');
    const { listen } = await import('../helpers/server.js');
    const app = new Koa();
    app.keys = ['some secret hurr'];
    app.use(session({ key: 'koa.sess', signed: true }, app));
    app.use((ctx) => {
      if (ctx.path === '/login') ctx.session = { user: 'alice' };
      ctx.body = { session: ctx.session?.toJSON() ?? null };
    });
    const server = await listen(app.callback());
    try {
      const res = await fetch(`${server.url}/login`);
      const jar = new Map(res.headers.getSetCookie().map((l) => l.split(';')[0] as string).map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]));
      const value = jar.get('koa.sess') ?? '';
      const token = decodeSessionCookie('koa.sess', value, jar);
      expect(token).toMatchObject({ format: 'keygrip', clientSide: true, state: { user: 'alice' } });
      expect(found('koa.sess', value, jar)).toBe('some secret hurr');
      const forged = forge('koa.sess', value, token, Buffer.from('some secret hurr'));
      const cookie = Object.entries(forged?.cookies ?? {}).map(([k, v]) => `${k}=${v}`).join('; ');
      const me = (await (await fetch(`${server.url}/me`, { headers: { cookie } })).json()) as { session: Record<string, unknown> | null };
      expect(me.session).toMatchObject({ user: 'alice', session_audit: 'forged' });
    } finally {
      await server.close();
    }
  });
});

describe('--wordlist files', () => {
  it('reads lines as raw bytes (CRLF, BOM, blank lines, duplicates), so a Latin-1 secret is found', async () => {
    const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { readWordlist } = await import('../../src/tokens/wordlist.js');
    const dir = await mkdtemp(join(tmpdir(), 'sa-words-'));
    try {
      const latin1 = Buffer.from([0x63, 0x61, 0x66, 0xe9]); // "café" in Latin-1, not valid UTF-8
      const file = join(dir, 'w.txt');
      await writeFile(file, Buffer.concat([Buffer.from('\ufeffone\r\n\ntwo\none\n'), latin1, Buffer.from('\n')]));
      const words = await readWordlist(file);
      expect(words.map((w) => w.bytes.toString('latin1'))).toEqual(['one', 'two', latin1.toString('latin1')]);
      const id = randomBytes(24).toString('base64url');
      const sig = createHmac('sha256', latin1).update(id).digest('base64').replace(/=+$/, '');
      const t = decodeSessionCookie('connect.sid', encodeURIComponent(`s:${id}.${sig}`));
      expect(t.signed && crack(t.signed, words).found?.bytes.equals(latin1)).toBe(true);
      await expect(readWordlist(file, 10)).rejects.toThrow(/larger than/);
      await expect(readWordlist(dir)).rejects.toThrow(/it is a directory/);
      await expect(readWordlist(join(dir, 'nope'))).rejects.toThrow(/no such file/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
