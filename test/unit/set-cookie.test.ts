import { describe, expect, it } from 'vitest';
import { Redactor } from '../../src/http/redact.js';
import { parseSetCookie, type ParsedSetCookie } from '../../src/http/set-cookie.js';
import { NOW, pick, prng } from '../fixtures/evidence.js';

const TOKEN = 's%3AqF9vT2xLmB7wKd4RzH8nYc1EjU6aPg0S';

function parse(line: string, now: Date = NOW, redactor = new Redactor()): ParsedSetCookie {
  const p = parseSetCookie(line, redactor, now);
  if (!p) throw new Error(`expected ${JSON.stringify(line)} to parse`);
  return p;
}

describe('parseSetCookie: flags', () => {
  it('reads Secure and HttpOnly case-insensitively', () => {
    const p = parse(`sid=${TOKEN}; path=/; SECURE; httponly`);
    expect(p.name).toBe('sid');
    expect(p.secure).toBe(true);
    expect(p.httpOnly).toBe(true);
    expect(p.path).toBe('/');
    expect(p.problems).toEqual([]);
  });

  it('leaves Secure and HttpOnly false when absent', () => {
    const p = parse(`sid=${TOKEN}; Path=/`);
    expect(p.secure).toBe(false);
    expect(p.httpOnly).toBe(false);
    expect(p.partitioned).toBe(false);
    expect(p.sameSite).toBeUndefined();
  });

  it('records Partitioned', () => {
    expect(parse('sid=abcd; Secure; Partitioned').partitioned).toBe(true);
  });
});

describe('parseSetCookie: SameSite', () => {
  it.each([
    ['Strict', 'strict'],
    ['LAX', 'lax'],
    ['none', 'none'],
    ['  Lax  ', 'lax'],
  ] as const)('SameSite=%s → %s', (raw, expected) => {
    const p = parse(`sid=abcd; SameSite=${raw}`);
    expect(p.sameSite).toBe(expected);
    expect(p.sameSiteRaw).toBe(raw.trim());
    expect(p.problems).toEqual([]);
  });

  it('SameSite=Bogus is "invalid", keeps the raw value and records a problem', () => {
    const p = parse('sid=abcd; SameSite=Bogus');
    expect(p.sameSite).toBe('invalid');
    expect(p.sameSiteRaw).toBe('Bogus');
    expect(p.problems).toEqual(['SameSite "Bogus" is not Strict, Lax or None']);
  });

  it('an empty SameSite= is invalid too', () => {
    const p = parse('sid=abcd; SameSite');
    expect(p.sameSite).toBe('invalid');
    expect(p.sameSiteRaw).toBe('');
  });
});

describe('parseSetCookie: lifetime and deletion', () => {
  it('a cookie without Max-Age or Expires is a browser-session cookie', () => {
    const p = parse(`sid=${TOKEN}`);
    expect(p.lifetimeSeconds).toBeUndefined();
    expect(p.deletion).toBe(false);
  });

  it('Max-Age gives the lifetime in seconds', () => {
    const p = parse('sid=abcd; Max-Age=3600');
    expect(p.maxAge).toBe(3600);
    expect(p.lifetimeSeconds).toBe(3600);
    expect(p.deletion).toBe(false);
  });

  it('Expires gives the lifetime relative to the `now` argument', () => {
    const p = parse('sid=abcd; Expires=Sun, 01 Jun 2025 14:00:00 GMT');
    expect(p.expires).toBe('2025-06-01T14:00:00.000Z');
    expect(p.expiresRaw).toBe('Sun, 01 Jun 2025 14:00:00 GMT');
    expect(p.lifetimeSeconds).toBe(7200);
    expect(p.deletion).toBe(false);
    // Same line judged at a later clock: the date is now in the past.
    const later = parse('sid=abcd; Expires=Sun, 01 Jun 2025 14:00:00 GMT', new Date('2025-06-02T00:00:00Z'));
    expect(later.deletion).toBe(true);
    expect(later.lifetimeSeconds).toBeUndefined();
  });

  it('a Date header ahead of the clock that wrote Expires (a proxy\'s) does not shorten the lifetime: the longer reading counts', () => {
    const local = new Date('2025-06-01T12:00:00Z');
    const dateAhead = new Date('2025-06-01T13:00:00Z');
    const p = parseSetCookie('sid=abcd; Expires=Sun, 01 Jun 2025 12:20:00 GMT', new Redactor(), dateAhead, local);
    expect(p?.lifetimeSeconds).toBe(1200);
    expect(p?.deletion).toBe(false);
    // Both clocks past the date: a deletion.
    const gone = parseSetCookie('sid=; Expires=Thu, 01 Jan 1970 00:00:00 GMT', new Redactor(), dateAhead, local);
    expect(gone?.deletion).toBe(true);
  });

  it('Max-Age takes precedence over Expires, in either order', () => {
    const a = parse('sid=abcd; Expires=Wed, 01 Jan 2031 00:00:00 GMT; Max-Age=60');
    const b = parse('sid=abcd; Max-Age=60; Expires=Wed, 01 Jan 2031 00:00:00 GMT');
    for (const p of [a, b]) {
      expect(p.lifetimeSeconds).toBe(60);
      expect(p.deletion).toBe(false);
      expect(p.expires).toBe('2031-01-01T00:00:00.000Z');
    }
    // A past Expires does not make it a deletion when Max-Age is positive.
    const c = parse('sid=abcd; Max-Age=60; Expires=Thu, 01 Jan 1970 00:00:00 GMT');
    expect(c.deletion).toBe(false);
    expect(c.lifetimeSeconds).toBe(60);
    // And Max-Age=0 deletes even with a future Expires.
    const d = parse('sid=abcd; Expires=Wed, 01 Jan 2031 00:00:00 GMT; Max-Age=0');
    expect(d.deletion).toBe(true);
    expect(d.lifetimeSeconds).toBeUndefined();
  });

  it.each(['0', '-1', '-86400'])('Max-Age=%s is a deletion', (v) => {
    const p = parse(`sid=; Max-Age=${v}`);
    expect(p.deletion).toBe(true);
    expect(p.maxAge).toBe(Number(v));
    expect(p.lifetimeSeconds).toBeUndefined();
  });

  it('a past Expires is a deletion', () => {
    const p = parse('sid=deleted; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/');
    expect(p.deletion).toBe(true);
    expect(p.lifetimeSeconds).toBeUndefined();
    expect(p.expires).toBe('1970-01-01T00:00:00.000Z');
  });

  it('an Expires equal to `now` is a deletion', () => {
    expect(parse('sid=x1; Expires=Sun, 01 Jun 2025 12:00:00 GMT').deletion).toBe(true);
  });

  it('a huge Max-Age is clamped to a safe integer instead of losing precision', () => {
    const p = parse('sid=abcd; Max-Age=99999999999999999999999');
    expect(p.maxAge).toBe(Number.MAX_SAFE_INTEGER);
    expect(p.deletion).toBe(false);
    const n = parse('sid=abcd; Max-Age=-99999999999999999999999');
    expect(n.maxAge).toBe(-1);
    expect(n.deletion).toBe(true);
  });

  it('an invalid Expires is recorded as a problem and ignored', () => {
    const p = parse('sid=abcd; Expires=next tuesday');
    expect(p.expires).toBeUndefined();
    expect(p.expiresRaw).toBe('next tuesday');
    expect(p.lifetimeSeconds).toBeUndefined();
    expect(p.deletion).toBe(false);
    expect(p.problems).toEqual(['Expires "next tuesday" is not a cookie date (ignored)']);
  });

  it.each(['1h', '+60', '60.5', '', 'abc'])('an invalid Max-Age "%s" is recorded as a problem and ignored', (v) => {
    const p = parse(`sid=abcd; Max-Age=${v}`);
    expect(p.maxAge).toBeUndefined();
    expect(p.lifetimeSeconds).toBeUndefined();
    expect(p.deletion).toBe(false);
    expect(p.problems).toEqual([`Max-Age "${v}" is not a number (ignored)`]);
  });

  it('an invalid Max-Age falls back to a valid Expires', () => {
    const p = parse('sid=abcd; Max-Age=soon; Expires=Sun, 01 Jun 2025 13:00:00 GMT');
    expect(p.maxAge).toBeUndefined();
    expect(p.lifetimeSeconds).toBe(3600);
    expect(p.problems).toHaveLength(1);
  });

  it('a later invalid Expires does not cancel an earlier valid one', () => {
    const p = parse('sid=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Expires=bogus');
    expect(p.expires).toBe('1970-01-01T00:00:00.000Z');
    expect(p.deletion).toBe(true);
  });
});

describe('parseSetCookie: Domain and Path', () => {
  it('strips the leading dot of Domain and lower-cases it, keeping the raw value', () => {
    const p = parse('sid=abcd; Domain=.Example.TEST');
    expect(p.domain).toBe('example.test');
    expect(p.domainRaw).toBe('.Example.TEST');
  });

  it('an empty Domain leaves the cookie host-only', () => {
    const p = parse('sid=abcd; Domain=');
    expect(p.domain).toBeUndefined();
    expect(p.domainRaw).toBe('');
  });

  it('a Path that does not start with "/" is a problem and ignored', () => {
    const p = parse('sid=abcd; Path=app');
    expect(p.path).toBeUndefined();
    expect(p.problems).toEqual(['Path "app" does not start with "/" (ignored)']);
  });

  it('ignores unknown attributes', () => {
    const p = parse('sid=abcd; Priority=High; Version=1; Comment=hi');
    expect(p.problems).toEqual([]);
    expect(p.secure).toBe(false);
  });
});

describe('parseSetCookie: malformed lines', () => {
  it('a line without "=" is a nameless cookie with a problem', () => {
    const p = parse('garbage');
    expect(p.name).toBe('');
    expect(p.value.length).toBe('garbage'.length);
    expect(p.problems).toEqual(['no "=" in the name-value pair (a nameless cookie)']);
    expect(p.line).toBe('garbage'.slice(0, 1) + '…');
  });

  it('"=novalue" has an empty name and a problem', () => {
    const p = parse('=novalue');
    expect(p.name).toBe('');
    expect(p.value.length).toBe(7);
    expect(p.problems).toEqual(['empty cookie name']);
  });

  it.each(['', '   ', ';', '=', ' = ; Secure'])('returns undefined for a line with neither name nor value: %j', (line) => {
    expect(parseSetCookie(line, new Redactor(), NOW)).toBeUndefined();
  });

  it('returns undefined for a non-string', () => {
    expect(parseSetCookie(42 as unknown as string, new Redactor(), NOW)).toBeUndefined();
  });

  it('flags non-ASCII characters', () => {
    const p = parse('sid=café; Path=/');
    expect(p.problems).toEqual(['contains non-ASCII characters']);
  });

  it('flags control characters (but not a tab)', () => {
    expect(parse('sid=ab\u0001cd').problems).toEqual(['contains control characters (browsers reject the cookie)']);
    expect(parse('sid=ab\u007fcd').problems).toEqual(['contains control characters (browsers reject the cookie)']);
    expect(parse('sid=abcd;\tSecure').problems).toEqual([]);
  });

  it('flags an over-long line and an over-long name+value', () => {
    const big = 'x'.repeat(9000);
    const p = parse(`sid=${big}`);
    expect(p.problems).toContain('line longer than 8192 characters');
    expect(p.problems).toContain('name and value exceed 4096 bytes (browsers drop it)');
  });
});

describe('parseSetCookie: masking', () => {
  const values = [TOKEN, '0123456789abcdef', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl'];

  it.each(values)('the masked line never contains the raw value %s', (value) => {
    const p = parse(`sid=${value}; Path=/; Secure; HttpOnly`);
    expect(p.line).not.toContain(value);
    expect(p.line).toBe(`sid=${p.value.masked}; Path=/; Secure; HttpOnly`);
    expect(p.value.raw).toBeUndefined();
    expect(p.value.length).toBe(value.length);
    expect(JSON.stringify(p)).not.toContain(value);
  });

  it('masks a nameless value and a padded value too', () => {
    const a = parse(`${TOKEN}; Secure`);
    expect(a.line).not.toContain(TOKEN);
    expect(a.line).toBe(`${a.value.masked}; Secure`);
    const b = parse(`sid =  ${TOKEN}  ; Secure`);
    expect(b.line).not.toContain(TOKEN);
    expect(b.name).toBe('sid');
  });

  it('shows the raw value only with new Redactor(true)', () => {
    const p = parse(`sid=${TOKEN}; Path=/`, NOW, new Redactor(true));
    expect(p.line).toBe(`sid=${TOKEN}; Path=/`);
    expect(p.value.raw).toBe(TOKEN);
  });

  it('equal values get equal fingerprints within one redactor', () => {
    const r = new Redactor();
    const a = parse(`sid=${TOKEN}`, NOW, r);
    const b = parse(`other=${TOKEN}; Secure`, NOW, r);
    const c = parse(`sid=${TOKEN}x`, NOW, r);
    expect(a.value.fp).toBe(b.value.fp);
    expect(a.value.fp).not.toBe(c.value.fp);
  });
});

describe('parseSetCookie: robustness', () => {
  it('never throws on a few hundred random lines, and keeps its invariants', () => {
    const rand = prng(0x5e551011);
    const pieces = [
      'sid', '=', ';', ' ', 'a', 'Z', '9', '%3A', '"', ',', '\t', '\u0000', '\u0007', 'é', '😀', '\\',
      'Secure', 'HttpOnly', 'SameSite=', 'Lax', 'None', 'Bogus', 'Domain=', '.', 'Example.Test', 'Path=', '/',
      'Max-Age=', '-', '0', '86400', '99999999999999999999', 'Expires=', 'Thu, 01 Jan 1970 00:00:00 GMT',
      'Wed, 31 Dec 9999 23:59:59 GMT', 'Fri, 32 Foo 20x', 'Partitioned', '__Host-', '==', ';;',
    ];
    const redactor = new Redactor();
    let parsed = 0;
    for (let i = 0; i < 400; i += 1) {
      const n = Math.floor(rand() * 24);
      let line = '';
      for (let j = 0; j < n; j += 1) line += pick(rand, pieces);
      let p: ParsedSetCookie | undefined;
      expect(() => {
        p = parseSetCookie(line, redactor, NOW);
      }, line).not.toThrow();
      if (p === undefined) continue;
      parsed += 1;
      expect(typeof p.name).toBe('string');
      expect(typeof p.line).toBe('string');
      expect(Array.isArray(p.problems)).toBe(true);
      expect(typeof p.deletion).toBe('boolean');
      if (p.deletion) expect(p.lifetimeSeconds).toBeUndefined();
      if (p.lifetimeSeconds !== undefined) expect(p.lifetimeSeconds).toBeGreaterThan(0);
      if (p.sameSite !== undefined) expect(['strict', 'lax', 'none', 'invalid']).toContain(p.sameSite);
      if (p.domain !== undefined) expect(p.domain).toBe(p.domain.toLowerCase());
      if (p.expires !== undefined) expect(Number.isNaN(Date.parse(p.expires))).toBe(false);
    }
    // The generator must actually exercise the parser, not only produce empty lines.
    expect(parsed).toBeGreaterThan(300);
  });
});
