/**
 * HAR 1.2 as zod, written from the spec (http://www.softwareishard.com/blog/har-12-spec/, the
 * W3C "HTTP Archive (HAR) format" draft): every required field with its type; optional fields and
 * custom `_`-prefixed fields allowed. Strict about names so a typo in our writer shows up.
 */
import { z } from 'zod';

const nameValue = z.object({ name: z.string(), value: z.string(), comment: z.string().optional() });
const cookie = z.object({
  name: z.string(),
  value: z.string(),
  path: z.string().optional(),
  domain: z.string().optional(),
  expires: z.string().nullable().optional(),
  httpOnly: z.boolean().optional(),
  secure: z.boolean().optional(),
  comment: z.string().optional(),
});
/** ISO 8601 with a time zone, e.g. 2009-07-24T19:20:30.45+01:00 or ...Z. */
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
const custom = (key: string): boolean => key.startsWith('_');

function strictWithCustom<T extends z.ZodRawShape>(shape: T) {
  return z.object(shape).catchall(z.unknown()).superRefine((obj, ctx) => {
    for (const key of Object.keys(obj)) {
      if (!(key in shape) && !custom(key)) ctx.addIssue({ code: 'custom', message: `unknown field ${key} (custom fields start with _)` });
    }
  });
}

export const harSchema = z.object({
  log: strictWithCustom({
    version: z.literal('1.2'),
    creator: z.object({ name: z.string(), version: z.string(), comment: z.string().optional() }),
    browser: z.object({ name: z.string(), version: z.string() }).optional(),
    pages: z.array(z.unknown()).optional(),
    comment: z.string().optional(),
    entries: z.array(
      strictWithCustom({
        pageref: z.string().optional(),
        startedDateTime: isoDate,
        time: z.number().nonnegative(),
        request: strictWithCustom({
          method: z.string().min(1),
          url: z.string().url(),
          httpVersion: z.string(),
          cookies: z.array(cookie),
          headers: z.array(nameValue),
          queryString: z.array(nameValue),
          postData: z
            .object({ mimeType: z.string(), params: z.array(z.unknown()).optional(), text: z.string().optional(), comment: z.string().optional() })
            .optional(),
          headersSize: z.number().int(),
          bodySize: z.number().int(),
          comment: z.string().optional(),
        }),
        response: strictWithCustom({
          status: z.number().int(),
          statusText: z.string(),
          httpVersion: z.string(),
          cookies: z.array(cookie),
          headers: z.array(nameValue),
          content: z.object({
            size: z.number().int(),
            compression: z.number().int().optional(),
            mimeType: z.string(),
            text: z.string().optional(),
            encoding: z.string().optional(),
            comment: z.string().optional(),
          }),
          redirectURL: z.string(),
          headersSize: z.number().int(),
          bodySize: z.number().int(),
          comment: z.string().optional(),
        }),
        cache: z.object({ beforeRequest: z.unknown().optional(), afterRequest: z.unknown().optional(), comment: z.string().optional() }),
        timings: z.object({
          blocked: z.number().optional(),
          dns: z.number().optional(),
          connect: z.number().optional(),
          send: z.number().nonnegative(),
          wait: z.number().nonnegative(),
          receive: z.number().nonnegative(),
          ssl: z.number().optional(),
          comment: z.string().optional(),
        }),
        serverIPAddress: z.string().optional(),
        connection: z.string().optional(),
        comment: z.string().optional(),
      }),
    ),
  }),
});

export type HarFile = z.infer<typeof harSchema>;
