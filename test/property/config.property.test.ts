import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/config/duration.js';
import { flagsToOverlay, validateConfig } from '../../src/config/load.js';
import { parseByteSize } from '../../src/config/schema.js';
import { parseRetryAfter } from '../../src/http/client.js';
import { SessionAuditError, UsageError } from '../../src/errors.js';
import { check, hostileString } from './settings.js';

describe('parseDuration over arbitrary text', () => {
  it('never throws; ok results are finite, non-negative and at most a year', () => {
    check(fc.oneof(hostileString(80), fc.array(fc.tuple(fc.double({ min: 0, max: 1e6, noNaN: true }), fc.constantFrom('ms', 's', 'm', 'h', 'd')), { maxLength: 6 }).map((p) => p.map(([n, u]) => `${n}${u}`).join(''))), (text) => {
      const r = parseDuration(text);
      if (r.ok) {
        expect(Number.isFinite(r.ms)).toBe(true);
        expect(r.ms).toBeGreaterThanOrEqual(0);
        expect(r.ms).toBeLessThanOrEqual(365 * 86_400_000);
      } else expect(r.message.length).toBeGreaterThan(0);
    });
  });

  it('round-trips whole units: <n><unit> is n times the unit', () => {
    check(fc.tuple(fc.integer({ min: 0, max: 300 }), fc.constantFrom<[string, number]>(['ms', 1], ['s', 1000], ['m', 60_000], ['h', 3_600_000])), ([n, [unit, ms]]) => {
      expect(parseDuration(`${n}${unit}`)).toEqual({ ok: true, ms: n * ms });
    });
  });
});

describe('sizes and Retry-After over arbitrary text', () => {
  it('parseByteSize never throws and returns a whole number or undefined', () => {
    check(hostileString(40), (text) => {
      const n = parseByteSize(text);
      if (n !== undefined) expect(Number.isInteger(n) && n >= 0).toBe(true);
    });
  });

  it('parseRetryAfter never throws and never returns a negative or NaN wait', () => {
    check(fc.oneof(hostileString(60), fc.nat().map(String), fc.date({ noInvalidDate: true }).map((d) => d.toUTCString())), (text) => {
      const ms = parseRetryAfter(text, Date.UTC(2026, 0, 1));
      if (ms !== undefined) expect(ms >= 0 && Number.isFinite(ms)).toBe(true);
    });
  });
});

/** Arbitrary JSON shaped loosely like a config file: right keys, wrong values, unknown keys. */
const jsonish: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(
    fc.oneof(fc.constantFrom('target', 'login', 'url', 'type', 'credentials', 'username', 'authCheck', 'logout', 'limits', 'rate', 'deadline', 'scope', 'allow', 'timeout', 'proxy', 'headers', '__proto__', 'constructor'), fc.string({ maxLength: 10 })),
    tie('value'),
    { maxKeys: 6 },
  ),
})).value;

describe('config loading over arbitrary input', () => {
  it('validateConfig either returns a config or throws a UsageError (never anything else)', () => {
    check(jsonish, (input) => {
      if (typeof input !== 'object' || input === null || Array.isArray(input)) return;
      try {
        validateConfig(input as never);
      } catch (err) {
        expect(err).toBeInstanceOf(UsageError);
      }
    });
  });

  it('flag values of any text are refused with a usage error or accepted, never a crash', () => {
    check(fc.record({ timeout: hostileString(20), rate: hostileString(10), maxRequests: hostileString(10), deadline: hostileString(20), maxBody: hostileString(10), header: fc.array(hostileString(30), { maxLength: 2 }) }), (flags) => {
      try {
        const overlay = flagsToOverlay(flags);
        validateConfig({ target: 'https://staging.example.test', login: { url: '/login' }, credentials: { username: 'u' }, authCheck: { url: '/me' }, ...overlay });
      } catch (err) {
        expect(err).toBeInstanceOf(SessionAuditError);
      }
    });
  });
});
