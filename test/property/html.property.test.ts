import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeEntities, extractCsrfMeta, extractForms } from '../../src/auth/html.js';
import { excerpt } from '../../src/auth/login.js';
import { check, hostileString } from './settings.js';

const tagSoup = fc
  .array(fc.oneof(hostileString(20), fc.constantFrom('<form', '<form method="post" action="/x">', '</form>', '<input', ' type="password"', ' name="a"', ' value=\'', '<meta name="csrf-token" content="', '">', '<!--', '-->', '<script>', '</script>', '&amp;', '&#x', '&#99999999;', '<', '>', '"', "'")), { maxLength: 80 })
  .map((parts) => parts.join(''));

describe('HTML from the target (login pages, error pages) over arbitrary input', () => {
  it('extractForms, extractCsrfMeta, decodeEntities and excerpt never throw', () => {
    check(tagSoup, (html) => {
      expect(Array.isArray(extractForms(html))).toBe(true);
      extractCsrfMeta(html);
      expect(typeof decodeEntities(html)).toBe('string');
      expect(excerpt(html, (t) => t).length).toBeLessThanOrEqual(161);
    });
  });
});
