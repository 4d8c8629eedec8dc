/**
 * Session token decoders over arbitrary input (issue 6): the cookie value comes from the audited
 * server, so every decoder, the secret search, the forger and the personal-data scan must take
 * anything without throwing or hanging, and the decoders must give back what the real libraries
 * (jsonwebtoken, cookie-signature, keygrip, zlib as itsdangerous uses it) put in.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import fc from 'fast-check';
import jwt from 'jsonwebtoken';
import Keygrip from 'keygrip';
import signature from 'cookie-signature';
import { describe, expect, it } from 'vitest';
import { loginResponseJwt } from '../../src/probes/tokens.js';
import { RULES } from '../../src/rules/index.js';
import { crack, toCandidates } from '../../src/tokens/crack.js';
import { algNoneToken, forge, tamperedJwt } from '../../src/tokens/forge.js';
import {
  decodeExpressSession,
  decodeFlask,
  decodeJwt,
  decodeKeygrip,
  decodeSealed,
  decodeSessionCookie,
  decodeSignedJson,
  fromBase64,
  safeDecodeURIComponent,
  type DecodedToken,
} from '../../src/tokens/formats.js';
import { analyseIds, fips140 } from '../../src/tokens/entropy.js';
import { findPersonalData } from '../../src/tokens/personal.js';
import { builtInSecrets } from '../../src/tokens/secrets.js';
import { readWordlist } from '../../src/tokens/wordlist.js';
import { buildEvidence, entropyOk, POLICY } from '../fixtures/evidence.js';
import { check, hostileString } from './settings.js';

const b64url = (b: Buffer | string): string => Buffer.from(b).toString('base64url');
const HASHES = ['sha1', 'sha256', 'sha384', 'sha512'];
const FORMATS = ['express-session', 'keygrip', 'jwt', 'flask', 'signed-json', 'iron', 'rails-encrypted', 'laravel-encrypted', 'opaque'];
/** A few candidates: the arbitrary-input properties check that the search runs, not what it finds. */
const FEW = toCandidates(['keyboard cat', 'secret', 'dev', '', 'x'.repeat(200)]);
const BUILT_IN = builtInSecrets();

/** Any JSON value, including the shapes that break naive code: deep nesting, huge numbers, unicode, prototype keys. */
const json: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string({ unit: 'grapheme', maxLength: 20 }),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.constantFrom(Number.MAX_SAFE_INTEGER, -Number.MAX_VALUE, 1e308, 5e-324, 0),
    fc.boolean(),
    fc.constant(null),
    tie('array'),
    tie('object'),
  ),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(
    fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('alg', 'typ', 'exp', 'iat', 'nbf', 'email', 'password', 'role', 'iv', 'value', 'mac', '__proto__', 'constructor', 'toString')),
    tie('value'),
    { maxKeys: 6 },
  ),
})).value;

/** JSON text that JSON.stringify never writes: numbers past double range, 1,000-deep nesting, raw control and lone surrogates. */
const oddJsonText = fc.oneof(
  fc.bigInt({ min: -(10n ** 400n), max: 10n ** 400n }).map((n) => `{"alg":"HS256","exp":${n}}`),
  fc.nat({ max: 1000 }).map((d) => `{"alg":"HS256","a":${'['.repeat(d)}${']'.repeat(d)}}`),
  fc.nat({ max: 1000 }).map((d) => `${'{"a":'.repeat(d)}1${'}'.repeat(d)}`),
  fc.constantFrom('{"alg":"HS256","x":"\ud800"}', '{"alg":1e999}', '{"alg":"HS256"', 'null', '[]', '"HS256"', '{"alg":"HS256","__proto__":{"alg":"none"}}'),
);

/** A header: the real algorithms, odd ones, and names that are also Object.prototype members. */
const header = fc.oneof(
  fc.record({ alg: fc.constantFrom('HS256', 'HS384', 'HS512', 'RS256', 'none', 'constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', ''), typ: fc.constant('JWT') }),
  fc.record({ alg: fc.string({ unit: 'grapheme', maxLength: 30 }) }),
  json,
);

const b64part = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9_-]{0,60}$/),
  fc.uint8Array({ maxLength: 80 }).map((b) => b64url(Buffer.from(b))),
  json.map((v) => b64url(JSON.stringify(v) ?? 'undefined')),
  oddJsonText.map(b64url),
);

const jwtShaped = fc.oneof(
  fc.tuple(header.map((h) => b64url(JSON.stringify(h) ?? '')), json.map((p) => b64url(JSON.stringify(p) ?? '')), b64part).map((p) => p.join('.')),
  fc.tuple(b64part, b64part, b64part).map((p) => p.join('.')),
  fc.tuple(oddJsonText, oddJsonText, fc.uint8Array({ maxLength: 64 })).map(([h, p, s]) => `${b64url(h)}.${b64url(p)}.${b64url(Buffer.from(s))}`),
  fc.tuple(fc.constantFrom('Bearer ', 'bearer\t', ' ', ''), fc.tuple(b64part, b64part, b64part)).map(([pre, p]) => encodeURIComponent(pre + p.join('.'))),
);

/** itsdangerous shape: optional '.', base64url payload (compressed or not, corrupt or not), a 4-8 character timestamp, a 27-character signature. */
const flaskShaped = fc
  .tuple(
    fc.oneof(
      json.map((v) => b64url(JSON.stringify(v) ?? '')),
      json.map((v) => `.${b64url(deflateSync(JSON.stringify(v) ?? ''))}`),
      fc.uint8Array({ maxLength: 60 }).map((b) => `.${b64url(Buffer.from(b))}`),
      // A real deflate stream with bytes flipped or cut short.
      fc.tuple(json, fc.nat(), fc.integer({ min: 1, max: 255 }), fc.boolean()).map(([v, at, x, cut]) => {
        const d = Buffer.from(deflateSync(JSON.stringify(v) ?? 'null'));
        if (cut) return `.${b64url(d.subarray(0, at % d.length))}`;
        d[at % d.length] = (d[at % d.length] as number) ^ x;
        return `.${b64url(d)}`;
      }),
      fc.stringMatching(/^\.?[A-Za-z0-9_-]{1,60}$/),
    ),
    fc.stringMatching(/^[A-Za-z0-9_-]{4,8}$/),
    fc.oneof(fc.stringMatching(/^[A-Za-z0-9_-]{27}$/), fc.stringMatching(/^[A-Za-z0-9_-]{0,40}$/)),
  )
  .map((p) => p.join('.'));

const expressShaped = fc
  .tuple(fc.constantFrom('s:', 's%3A', 'S:', ''), hostileString(40), fc.oneof(fc.stringMatching(/^[A-Za-z0-9+/]{43}$/), fc.stringMatching(/^[A-Za-z0-9+/=_-]{0,50}$/)), fc.boolean())
  .map(([pre, id, sig, enc]) => (enc ? encodeURIComponent(`${pre}${id}.${sig}`.replace(/[\ud800-\udfff]/g, '')) : `${pre}${id}.${sig}`));

const keygripSig = fc.oneof(
  fc.constantFrom(20, 32, 64, 21, 0).chain((n) => fc.uint8Array({ minLength: n, maxLength: n }).map((b) => b64url(Buffer.from(b)))),
  hostileString(90),
);

const anyValue = fc.oneof(hostileString(300), fc.stringMatching(/^[A-Za-z0-9_=+/-]{0,200}$/), jwtShaped, flaskShaped, expressShaped, json.map((v) => Buffer.from(JSON.stringify(v) ?? '').toString('base64')));

/** Everything the decoders promise about a result, whatever the input. */
function expectWellFormed(t: DecodedToken): void {
  expect(FORMATS).toContain(t.format);
  expect(typeof t.description).toBe('string');
  if (t.signed) {
    expect(HASHES).toContain(t.signed.hash);
    expect(t.signed.signature.length).toBeGreaterThan(0);
    expect(Buffer.isBuffer(t.signed.message)).toBe(true);
  }
  if (t.jwt) expect(t.state).toBe(t.jwt.payload);
}

describe('token decoders over arbitrary cookie values', () => {
  it('decodeSessionCookie and each decoder never throw, and every result is well formed', () => {
    check(fc.tuple(hostileString(20), anyValue, keygripSig), ([name, raw, sig]) => {
      const t = decodeSessionCookie(name, raw, new Map([[`${name}.sig`, sig]]));
      expectWellFormed(t);
      for (const d of [decodeExpressSession(raw), decodeJwt(raw), decodeKeygrip(name, raw, sig), decodeFlask(raw), decodeSignedJson(raw), decodeSealed(name, raw)]) {
        if (d) expectWellFormed(d);
      }
      expect(typeof safeDecodeURIComponent(raw)).toBe('string');
      fromBase64(raw);
    });
  });

  it('the secret search, the forger, alg:none and the personal-data scan never throw on a decoded token', () => {
    check(fc.tuple(hostileString(20), anyValue, keygripSig), ([name, raw, sig]) => {
      const t = decodeSessionCookie(name, raw, new Map([[`${name}.sig`, sig]]));
      if (t.signed) {
        const r = crack(t.signed, FEW);
        expect(r.tried).toBeGreaterThan(0);
        const f = forge(name, raw, t, Buffer.from('keyboard cat'));
        if (f) for (const v of Object.values(f.cookies)) expect(typeof v).toBe('string');
      }
      if (t.jwt) {
        algNoneToken(t, raw, 'none');
        tamperedJwt(raw);
      }
      if (t.state !== undefined) {
        const found = findPersonalData(t.state);
        expect(found.length).toBeLessThanOrEqual(30);
        for (const p of found) expect(p.field.length).toBeLessThanOrEqual(80);
      }
    });
  });

  it('JWT-shaped values: a token is recognised only with an object payload and a string alg, and is signed only for HS256/384/512', () => {
    check(jwtShaped, (raw) => {
      const t = decodeJwt(raw);
      if (!t) return;
      expectWellFormed(t);
      expect(typeof t.jwt?.header.alg).toBe('string');
      if (t.signed) expect(['HS256', 'HS384', 'HS512']).toContain(t.jwt?.header.alg);
      // The secret search must survive whatever the header named (an alg of "constructor" once reached createHmac).
      if (t.signed) crack(t.signed, FEW);
    });
  });

  it('loginResponseJwt never throws on arbitrary response bodies and only returns tokens decodeJwt accepts', () => {
    const body = fc.oneof(
      hostileString(200),
      json.map((v) => JSON.stringify(v) ?? ''),
      fc.tuple(fc.constantFrom('token', 'access_token', 'jwt', 'idToken', 'data'), jwtShaped, fc.boolean()).map(([k, t, nest]) => JSON.stringify(nest ? { data: { [k]: t } } : { [k]: t })),
    );
    check(body, (text) => {
      const r = loginResponseJwt(text);
      if (r) expect(decodeJwt(r.token)).toBeDefined();
    });
  });
});

describe('Flask (zlib) payloads: inflation is capped', () => {
  const CAP = 1 << 20;
  it('a compressed JSON payload decodes to the same state up to the cap, and is refused (not inflated) past it', () => {
    // JSON strings of one repeated character: a few KB of deflate that inflate to megabytes.
    check(
      fc.tuple(fc.integer({ min: 0, max: 2 * CAP }), fc.constantFrom('a', ' ', '0', 'é'), fc.stringMatching(/^[A-Za-z0-9_-]{27}$/)),
      ([n, ch, sig]) => {
        const text = JSON.stringify(ch.repeat(n));
        const cookie = `.${b64url(deflateSync(text))}.ZzAbCd.${sig}`;
        const t = decodeFlask(cookie);
        if (Buffer.byteLength(text) <= CAP) expect(t?.state).toBe(ch.repeat(n));
        else expect(t).toBeUndefined();
      },
      15,
    );
  });

  it('a zip bomb (16 MB of zeros in 16 KB) is refused quickly as not a Flask session', () => {
    const bomb = `.${b64url(deflateSync(Buffer.alloc(16 * CAP)))}.ZzAbCd.${'A'.repeat(27)}`;
    check(fc.constantFrom(bomb, `${bomb}x`, bomb.slice(0, 5000)), (cookie) => {
      expect(decodeSessionCookie('session', cookie).format).toBe('opaque');
    }, 5);
  });

  it('round-trips arbitrary JSON objects through zlib as itsdangerous compresses them', () => {
    check(fc.tuple(json, fc.stringMatching(/^[A-Za-z0-9_-]{27}$/)), ([state, sig]) => {
      const text = JSON.stringify(state);
      if (text === undefined) return;
      const t = decodeFlask(`.${b64url(deflateSync(text))}.ZzAbCd.${sig}`);
      expect(t?.format).toBe('flask');
      expect(t?.state).toEqual(JSON.parse(text));
    });
  });
});

/**
 * A claim set jsonwebtoken accepts: any JSON values, without the registered time claims (it wants
 * numbers there) and without Object.prototype names (its claim validator looks keys up in a plain
 * object and fails on "toString"; its Object.assign copy turns "__proto__" into a prototype).
 */
const claims = fc.dictionary(
  fc.string({ unit: 'grapheme', maxLength: 12 }).filter((k) => !['iat', 'exp', 'nbf'].includes(k) && !(k in Object.prototype)),
  json,
  { maxKeys: 6 },
);

describe('round trips through the real signing libraries', () => {
  const secret = fc.constantFrom(...BUILT_IN);
  const alg = fc.constantFrom('HS256', 'HS384', 'HS512') as fc.Arbitrary<'HS256' | 'HS384' | 'HS512'>;

  it('a jsonwebtoken JWT with arbitrary claims decodes to the same claims, and its built-in secret is found', () => {
    check(fc.tuple(claims, secret, alg), ([payload, s, algorithm]) => {
      const token = jwt.sign(payload, s.bytes, { algorithm });
      const t = decodeSessionCookie('token', token);
      expect(t.format).toBe('jwt');
      expect(t.jwt?.payload).toEqual(jwt.decode(token));
      expect(t.jwt?.payload).toMatchObject(JSON.parse(JSON.stringify(payload)) as object);
      expect(t.signed?.hash).toBe(`sha${algorithm.slice(2)}`);
      expect(crack(t.signed as NonNullable<DecodedToken['signed']>, BUILT_IN).found?.text).toBe(s.text);
    }, 12);
  });

  it('an express-session cookie (cookie-signature) with an arbitrary ID: a built-in secret is found, a random 32-byte one is not', () => {
    const id = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 });
    // Mostly weak secrets: a random one costs a search of the whole list (~30,000 HMACs).
    check(fc.tuple(id, secret, fc.nat(3).map((n) => n > 0)), ([value, s, weak]) => {
      const key = weak ? s.bytes : randomBytes(32);
      const cookie = encodeURIComponent(`s:${signature.sign(value, key as unknown as string)}`);
      const t = decodeSessionCookie('connect.sid', cookie);
      expect(t).toMatchObject({ format: 'express-session', id: value, clientSide: false });
      const found = crack(t.signed as NonNullable<DecodedToken['signed']>, BUILT_IN).found;
      if (weak) expect(found?.text).toBe(s.text);
      else expect(found).toBeUndefined();
    }, 12);
  });

  it('a keygrip (cookie-session) cookie with arbitrary JSON state: state read back, built-in key found', () => {
    const keys = BUILT_IN.filter((c) => c.text === c.bytes.toString('utf8'));
    check(fc.tuple(fc.dictionary(fc.string({ maxLength: 8 }), json, { maxKeys: 4 }), fc.constantFrom(...keys), fc.constantFrom('sha1', 'sha256')), ([state, k, hash]) => {
      const value = Buffer.from(JSON.stringify(state)).toString('base64');
      const sig = Keygrip([k.text], hash).sign(`session=${value}`);
      const t = decodeSessionCookie('session', value, new Map([['session.sig', sig]]));
      expect(t).toMatchObject({ format: 'keygrip', clientSide: true });
      expect(t.state).toEqual(JSON.parse(JSON.stringify(state)));
      expect(crack(t.signed as NonNullable<DecodedToken['signed']>, BUILT_IN).found?.text).toBe(k.text);
    }, 8);
  });
});

describe('forging with a found secret gives what the real library accepts', () => {
  const key = fc.constantFrom('keyboard cat', 'secret', 'key1', 'shhhhh', 'some secret hurr');

  it('jsonwebtoken verifies a forged JWT, whose payload differs from the original', () => {
    check(fc.tuple(claims, key, fc.constantFrom('HS256', 'HS384', 'HS512') as fc.Arbitrary<'HS256' | 'HS384' | 'HS512'>, fc.boolean()), ([payload, k, algorithm, timestamp]) => {
      const token = jwt.sign(payload, k, { algorithm, noTimestamp: !timestamp });
      const f = forge('token', token, decodeSessionCookie('token', token), Buffer.from(k));
      const forged = f?.cookies.token ?? '';
      expect(forged).not.toBe(token);
      expect(jwt.verify(forged, k, { algorithms: [algorithm] })).not.toEqual(jwt.decode(token));
    }, 100);
  });

  it('cookie-signature unsigns a forged express-session cookie to the same ID', () => {
    check(fc.tuple(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 }), key), ([id, k]) => {
      const cookie = encodeURIComponent(`s:${signature.sign(id, k)}`);
      const f = forge('connect.sid', cookie, decodeSessionCookie('connect.sid', cookie), Buffer.from(k));
      expect(signature.unsign(decodeURIComponent(f?.cookies['connect.sid'] ?? '').slice(2), k)).toBe(id);
    }, 100);
  });

  it('keygrip verifies a forged cookie-session cookie, whose JSON state gained a field', () => {
    check(fc.tuple(fc.dictionary(fc.string({ maxLength: 8 }), json, { maxKeys: 4 }), key), ([state, k]) => {
      const value = Buffer.from(JSON.stringify(state)).toString('base64');
      const jar = new Map([['session.sig', Keygrip([k]).sign(`session=${value}`)]]);
      const f = forge('session', value, decodeSessionCookie('session', value, jar), Buffer.from(k));
      expect(Keygrip([k]).verify(`session=${f?.cookies.session ?? ''}`, f?.cookies['session.sig'] ?? '')).toBe(true);
      expect(JSON.parse(Buffer.from(f?.cookies.session ?? '', 'base64').toString('utf8'))).toMatchObject({ session_audit: 'forged' });
    }, 100);
  });
});

describe('--wordlist files of arbitrary bytes', () => {
  it('every non-empty line (CR LF or LF, BOM dropped) becomes one candidate holding its exact bytes, once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sa-wordlist-'));
    try {
      const line = fc.uint8Array({ maxLength: 20 }).map((b) => Buffer.from(b.filter((x) => x !== 0x0a)));
      await fc.assert(
        fc.asyncProperty(fc.array(line, { maxLength: 30 }), fc.boolean(), fc.boolean(), async (lines, crlf, bom) => {
          const file = join(dir, 'list.txt');
          const body = Buffer.concat(lines.flatMap((l) => [l, Buffer.from(crlf ? '\r\n' : '\n')]));
          await writeFile(file, bom ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body]) : body);
          const words = await readWordlist(file);
          const expected = [...new Map(lines.map((l) => (crlf ? l : l[l.length - 1] === 0x0d ? l.subarray(0, -1) : l)).filter((l) => l.length > 0).map((l) => [l.toString('latin1'), l])).values()];
          expect(words.map((w) => w.bytes.toString('hex'))).toEqual(expected.map((l) => l.toString('hex')));
        }),
        { numRuns: 40, interruptAfterTimeLimit: 10_000, markInterruptAsFailure: true },
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('entropy estimate', () => {
  const rule = RULES.find((r) => r.meta.id === 'token-entropy');
  const judge = (ids: string[]) => {
    if (!rule) throw new Error('token-entropy rule missing');
    const r = rule.check(buildEvidence({ entropy: entropyOk({ collected: ids.length, analysis: analyseIds(ids) }) }), POLICY);
    return r[0];
  };

  it('never throws or hangs on arbitrary samples, and its numbers are consistent', () => {
    check(fc.array(hostileString(40), { maxLength: 30 }), (ids) => {
      const a = analyseIds(ids);
      expect(a.samples).toBe(ids.length);
      expect(Number.isFinite(a.estimatedBits) && a.estimatedBits >= 0).toBe(true);
      expect(a.estimatedBits).toBeLessThanOrEqual(a.boundBits + 0.1);
      expect(a.constantPositions).toBeLessThanOrEqual(a.minLength);
      expect(a.duplicates).toBeGreaterThanOrEqual(0);
      expect(a.duplicates).toBeLessThanOrEqual(Math.max(0, ids.length - 1));
    });
  });

  it('fips140 never throws on arbitrary bit streams', () => {
    check(fc.array(fc.integer({ min: 0, max: 1 }), { maxLength: 500 }), (bits) => {
      const f = fips140(Uint8Array.from(bits));
      expect(f.bits).toBe(bits.length);
    });
  });

  const encodings = fc.constantFrom<BufferEncoding>('hex', 'base64url', 'base64');

  it('IDs from crypto.randomBytes (12+ bytes) are never judged weak at the high-severity threshold', () => {
    check(fc.tuple(fc.integer({ min: 12, max: 48 }), fc.integer({ min: 10, max: 60 }), encodings), ([bytes, n, enc]) => {
      const ids = Array.from({ length: n }, () => randomBytes(bytes).toString(enc));
      const r = judge(ids);
      expect(r?.severity === 'high' && r.status === 'fail').toBe(false);
    }, 60);
  });

  const randomHex = (len: number, n: number): string[] => Array.from({ length: n }, () => randomBytes(len).toString('hex').slice(0, len));
  const randomDigits = (len: number, n: number): string[] => Array.from({ length: n }, () => Array.from(randomBytes(len), (b) => String(b % 10)).join(''));

  it('IDs with a constant prefix get fewer estimated bits than random IDs of the same length and alphabet', () => {
    check(fc.tuple(fc.stringMatching(/^[0-9a-f]{1,16}$/), fc.integer({ min: 8, max: 40 }), fc.integer({ min: 10, max: 60 })), ([prefix, tail, n]) => {
      const len = prefix.length + tail;
      const prefixed = randomHex(tail, n).map((t) => prefix + t);
      expect(analyseIds(prefixed).estimatedBits).toBeLessThan(analyseIds(randomHex(len, n)).estimatedBits);
    }, 60);
  });

  it('counter IDs (alone or before a random part) get fewer estimated bits than random IDs of the same length', () => {
    check(
      fc.tuple(fc.integer({ min: 0, max: 10 ** 11 }), fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 10, max: 60 }), fc.integer({ min: 0, max: 20 })),
      ([start, step, n, tail]) => {
        const counters = Array.from({ length: n }, (_, i) => String(start + i * step).padStart(12, '0'));
        const ids = tail === 0 ? counters : counters.map((c) => c + randomDigits(tail, 1)[0]);
        expect(analyseIds(ids).estimatedBits).toBeLessThan(analyseIds(randomDigits(12 + tail, n)).estimatedBits);
      },
      60,
    );
  });
});
