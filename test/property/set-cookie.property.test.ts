import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSetCookie, responseDate } from '../../src/http/set-cookie.js';
import { Redactor } from '../../src/http/redact.js';
import { check, hostileString } from './settings.js';

const attribute = fc.oneof(
  hostileString(40),
  fc.tuple(fc.constantFrom('Expires', 'Max-Age', 'Domain', 'Path', 'SameSite', 'Secure', 'HttpOnly', 'Partitioned', 'expires', 'MAX-AGE'), hostileString(40)).map(([k, v]) => `${k}=${v}`),
  fc.date({ noInvalidDate: false }).map((d) => `Expires=${Number.isNaN(d.getTime()) ? 'Invalid Date' : d.toUTCString()}`),
  fc.integer().map((n) => `Max-Age=${n}`),
);

const line = fc.oneof(
  hostileString(300),
  fc.tuple(hostileString(30), hostileString(60), fc.array(attribute, { maxLength: 8 })).map(([n, v, attrs]) => [`${n}=${v}`, ...attrs].join('; ')),
);

describe('parseSetCookie over arbitrary lines', () => {
  it('never throws, and the parsed line never carries a value of 10+ characters unmasked', () => {
    check(line, (text) => {
      const redactor = new Redactor(false);
      const parsed = parseSetCookie(text, redactor, new Date('2026-01-01T00:00:00Z'));
      if (parsed === undefined) return;
      expect(typeof parsed.name).toBe('string');
      expect(Array.isArray(parsed.problems)).toBe(true);
      if (parsed.lifetimeSeconds !== undefined) expect(Number.isNaN(parsed.lifetimeSeconds)).toBe(false);
      if (parsed.expires !== undefined) expect(Number.isNaN(Date.parse(parsed.expires))).toBe(false);
    });
  });

  it('masks any value of 10+ safe characters in the line it keeps', () => {
    check(fc.tuple(fc.stringMatching(/^[a-z]{1,10}$/), fc.stringMatching(/^[A-Za-z0-9]{10,60}$/), fc.array(attribute, { maxLength: 5 })), ([name, value, attrs]) => {
      const parsed = parseSetCookie([`${name}=${value}`, ...attrs].join('; '), new Redactor(false));
      expect(parsed).toBeDefined();
      expect(parsed?.line.includes(value)).toBe(false);
      expect(parsed?.value.raw).toBeUndefined();
    });
  });
});

describe('cookie dates (responseDate, tough-cookie parseDate) over arbitrary text', () => {
  it('never throws and always returns a valid date (the fallback when the text is not a date)', () => {
    const fallback = new Date('2026-01-01T00:00:00Z');
    check(fc.oneof(hostileString(80), fc.date({ noInvalidDate: true }).map((d) => d.toUTCString())), (text) => {
      const d = responseDate(text, fallback);
      expect(Number.isNaN(d.getTime())).toBe(false);
    });
  });

  it('reads back every well-formed IMF-fixdate from 1601 to 9999', () => {
    check(fc.date({ min: new Date('1601-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }), (date) => {
      const whole = new Date(Math.floor(date.getTime() / 1000) * 1000);
      expect(responseDate(whole.toUTCString(), new Date(0)).getTime()).toBe(whole.getTime());
    });
  });
});
