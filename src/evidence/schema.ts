/**
 * The zod schema of saved evidence (--save-evidence / --from-evidence): an outside input, so it
 * is validated before rules read it. Objects are loose: fields a newer version adds are kept, not
 * rejected. A new probe's evidence is accepted as is (the `probes` object is loose); give it a
 * schema here with one line in `probes` when its rule needs the shape checked.
 */
import { z } from 'zod';
import { exchangeSchema, setCookieSchema } from '../report/schema.js';
import type { Evidence } from './types.js';

const int = z.number().int();
const valueRef = z.looseObject({ masked: z.string(), fp: z.string(), length: z.number(), raw: z.string().optional() });
const setCookie = setCookieSchema.extend({ value: valueRef }).loose();
const oracle = z.looseObject({ exchangeId: int, status: int, loggedIn: z.boolean(), why: z.string() });
const cookieState = z.looseObject({ name: z.string(), domain: z.string(), path: z.string(), value: valueRef });

function probe<T extends z.ZodType>(data: T) {
  return z.discriminatedUnion('status', [
    z.looseObject({ status: z.literal('ok'), data }),
    z.looseObject({ status: z.literal('skipped'), reason: z.string() }),
    z.looseObject({ status: z.literal('error'), error: z.string() }),
  ]);
}

const fixation = z.looseObject({ unchanged: z.array(z.string()), absentBeforeLogin: z.array(z.string()), rotated: z.array(z.string()), replay: oracle.optional() });
const adoption = z.looseObject({
  planted: z.array(z.looseObject({ name: z.string(), value: valueRef })),
  kept: z.array(z.string()),
  loginStatus: int.optional(),
  exchangeIds: z.array(int).optional(),
  replay: oracle.optional(),
});
const logout = z.looseObject({
  logoutExchangeIds: z.array(int),
  logoutStatus: int.optional(),
  beforeLogout: oracle,
  cookieActions: z.array(z.looseObject({ name: z.string(), action: z.enum(['deleted', 'replaced', 'kept']), line: z.string().optional(), deletionIgnored: z.boolean().optional() })),
  victimAfter: oracle,
  replay: oracle,
});

// The lifetime probes: the fields the report's lifetime summary and the lifetime rules read.
const timed = oracle.extend({ atMs: z.number() });
const idleReplay = z.looseObject({ alive: oracle, idleMs: z.number(), replay: timed });
const busy = z.looseObject({ alive: oracle, spacingMs: z.number(), requests: int, busyForMs: z.number(), reissued: z.array(z.looseObject({})), replay: timed, exchangeIds: z.array(int) });
const promise = z.looseObject({ cookie: z.string(), source: z.enum(['max-age', 'expires', 'jwt-exp']), seconds: z.number() });
const expiry = z.looseObject({ promise, marginMs: z.number(), idle: probe(idleReplay), busy: probe(busy) });
const persistence = z.looseObject({
  before: oracle,
  restart: z.looseObject({ durationMs: z.number(), timedOut: z.boolean() }),
  ready: z.looseObject({ waitedMs: z.number() }),
  replay: oracle,
});

export const evidenceSchema = z.looseObject({
  schemaVersion: z.literal(1),
  target: z.string(),
  startedAt: z.string(),
  finishedAt: z.string(),
  requests: int.nonnegative(),
  // A newer version may add actors; the rules never branch on one they do not know.
  exchanges: z.array(exchangeSchema.extend({ actor: z.string(), setCookies: z.array(setCookie) }).loose()),
  oracle: z.looseObject({ anonymous: oracle, afterLogin: oracle }),
  session: z.looseObject({
    identifiedBy: z.enum(['behaviour', 'group', 'hint']),
    note: z.string().optional(),
    cookies: z.array(
      z.looseObject({
        name: z.string(),
        value: valueRef,
        setCookie: setCookie.optional(),
        setCookieExchangeId: int.optional(),
        alsoSetBy: z.array(setCookie).optional(),
        issued: z.enum(['before-login', 'at-login', 'unknown']),
        essential: z.boolean(),
      }),
    ),
    beforeLogin: z.array(cookieState),
    afterLogin: z.array(cookieState),
    loginExchangeIds: z.array(int),
    https: z.boolean(),
    host: z.string(),
    stack: z.string().optional(),
  }),
  // Every probe's outcome has the ok/skipped/error envelope, whatever version wrote it.
  probes: z
    .looseObject({
      fixation: probe(fixation),
      adoption: probe(adoption),
      logout: probe(logout),
      expiry: probe(expiry).optional(),
      idleTimeout: probe(idleReplay).optional(),
      absoluteTimeout: probe(busy).optional(),
      persistence: probe(persistence).optional(),
    })
    .catchall(probe(z.unknown())),
  advertised: z.array(promise).optional(),
  warnings: z.array(z.string()),
  incomplete: z.string().optional(),
});

export type ParsedEvidence = { ok: true; evidence: Evidence } | { ok: false; problems: string[] };

export function parseEvidence(data: unknown): ParsedEvidence {
  const result = evidenceSchema.safeParse(data);
  if (!result.success) return { ok: false, problems: result.error.issues.slice(0, 8).map((i) => `${i.path.map(String).join('.') || '(top level)'}: ${i.message}`) };
  // The schema checks every field the rules read; the rest is carried through as saved.
  return { ok: true, evidence: result.data as unknown as Evidence };
}
