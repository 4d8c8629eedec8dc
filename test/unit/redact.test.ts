import { describe, expect, it } from 'vitest';
import { mask, Redactor } from '../../src/http/redact.js';

const TOKEN = 'sess_7fK2pQ9xLmB4wRd8ZcH1nYv6EjU3aTg0';

describe('mask', () => {
  it('shows "(empty)" for an empty value', () => {
    expect(mask('')).toBe('(empty)');
  });

  it('shows nothing of a value shorter than 4 characters', () => {
    expect(mask('abc')).toBe('…');
  });

  it('shows a quarter of the value', () => {
    expect(mask('0123456789abcdef')).toBe('0123…');
    expect(mask('0123456789abcdefghij')).toBe('01234…');
  });

  it('never shows more than 8 characters', () => {
    expect(mask('x'.repeat(100))).toBe('xxxxxxxx…');
    expect(mask(TOKEN)).toBe('sess_7fK…');
  });
});

describe('Redactor fingerprints', () => {
  it('are 16 hex digits, equal for equal values and different for different values', () => {
    const r = new Redactor();
    const a = r.fingerprint(TOKEN);
    expect(a).toMatch(/^[0-9a-f]{16}$/);
    expect(r.fingerprint(TOKEN)).toBe(a);
    expect(r.fingerprint(`${TOKEN}1`)).not.toBe(a);
    expect(r.ref(TOKEN).fp).toBe(a);
  });

  it('differ across Redactor instances (a per-run key)', () => {
    expect(new Redactor().fingerprint(TOKEN)).not.toBe(new Redactor().fingerprint(TOKEN));
  });

  it('ref() carries the raw value only with showSecrets', () => {
    const hidden = new Redactor().ref(TOKEN);
    expect(hidden).toEqual({ masked: 'sess_7fK…', fp: expect.stringMatching(/^[0-9a-f]{16}$/), length: TOKEN.length });
    expect(hidden.raw).toBeUndefined();
    expect(new Redactor(true).ref(TOKEN).raw).toBe(TOKEN);
  });
});

describe('Redactor.scrub', () => {
  it('returns text unchanged when nothing was remembered', () => {
    expect(new Redactor().scrub(`cookie ${TOKEN}`)).toBe(`cookie ${TOKEN}`);
  });

  it('masks every occurrence of a remembered token', () => {
    const r = new Redactor();
    r.ref(TOKEN);
    const out = r.scrub(`Cookie: sid=${TOKEN}; again ${TOKEN}`);
    expect(out).toBe(`Cookie: sid=${mask(TOKEN)}; again ${mask(TOKEN)}`);
    expect(out).not.toContain(TOKEN);
  });

  it('masks the URL-encoded form of a token', () => {
    const r = new Redactor();
    const token = 's:Ab/Cd+Ef=Gh.IjKlMnOpQrSt';
    r.remember(token);
    const encoded = encodeURIComponent(token);
    expect(encoded).toBe('s%3AAb%2FCd%2BEf%3DGh.IjKlMnOpQrSt');
    const out = r.scrub(`GET /x?sid=${encoded} and raw ${token}`);
    expect(out).not.toContain(encoded);
    expect(out).not.toContain(token);
    expect(out).toBe(`GET /x?sid=${mask(encoded)} and raw ${mask(token)}`);
  });

  it('masks a longer token whole even when a shorter remembered token is inside it', () => {
    const r = new Redactor();
    r.remember('ABCDEFGH');
    r.remember('xxABCDEFGHyyzz');
    expect(r.scrub('v=xxABCDEFGHyyzz')).toBe(`v=${mask('xxABCDEFGHyyzz')}`);
  });

  it('does not remember values shorter than 4 characters', () => {
    const r = new Redactor();
    r.remember('abc');
    expect(r.scrub('abc abc')).toBe('abc abc');
  });

  it('leaves tokens in place with showSecrets', () => {
    const r = new Redactor(true);
    r.ref(TOKEN);
    expect(r.scrub(`sid=${TOKEN}`)).toBe(`sid=${TOKEN}`);
  });
});

describe('Redactor.clean (passwords)', () => {
  const PASSWORD = 'p@ss word!&=(x)';

  it('replaces the plain password with [password]', () => {
    const r = new Redactor();
    r.rememberPassword(PASSWORD);
    expect(r.clean(`{"username":"alice","password":"${PASSWORD}"}`)).toBe('{"username":"alice","password":"[password]"}');
  });

  it('replaces the URL-encoded password', () => {
    const r = new Redactor();
    r.rememberPassword(PASSWORD);
    const enc = encodeURIComponent(PASSWORD);
    expect(enc).toBe('p%40ss%20word!%26%3D(x)');
    expect(r.clean(`GET /login?password=${enc}`)).toBe('GET /login?password=[password]');
  });

  it('replaces the form-encoded password (space as +, parentheses escaped)', () => {
    const r = new Redactor();
    r.rememberPassword(PASSWORD);
    const form = new URLSearchParams({ username: 'alice', password: PASSWORD }).toString();
    expect(form).toBe('username=alice&password=p%40ss+word%21%26%3D%28x%29');
    expect(r.clean(form)).toBe('username=alice&password=[password]');
  });

  it('hides the password even with showSecrets, while showing tokens', () => {
    const r = new Redactor(true);
    r.rememberPassword(PASSWORD);
    r.ref(TOKEN);
    expect(r.clean(`pw=${PASSWORD} sid=${TOKEN}`)).toBe(`pw=[password] sid=${TOKEN}`);
  });

  it('masks remembered tokens as well as passwords', () => {
    const r = new Redactor();
    r.rememberPassword('hunter2hunter2');
    r.ref(TOKEN);
    const out = r.clean(`login hunter2hunter2 → Set-Cookie: sid=${TOKEN}`);
    expect(out).toBe(`login [password] → Set-Cookie: sid=${mask(TOKEN)}`);
  });

  it('ignores an empty password instead of mangling the text', () => {
    const r = new Redactor();
    r.rememberPassword('');
    expect(r.clean('nothing to hide')).toBe('nothing to hide');
  });
});
