import { describe, expect, it } from 'vitest';
import { decodeEntities, extractCsrfMeta, extractForms, parseAttributes } from '../../src/auth/html.js';
import { guessUsernameField, pickLoginForm } from '../../src/auth/login.js';

const PAGE = new URL('https://app.example.test/login');

const TWO_FORMS = `<!doctype html>
<html><head>
<meta charset="utf-8">
<meta name="csrf-token" content="tok&amp;en+/=">
</head><body>
<form action="/search" method="get" class="search">
  <input type="search" name="q" placeholder="Search">
  <button type="submit">Go</button>
</form>
<form method="post" action="/session?next=%2Fhome&amp;x=1">
  <input type="hidden" name="_csrf" value="a&lt;b&gt;&quot;c&#39;d&#x26;e">
  <input type="hidden" name="authenticity_token" value='single "quoted" value'>
  <input type=hidden name=utf8 value=&#x2713;>
  <label>Email <input type="email" name="user[email]" autocomplete="username"></label>
  <label>Password <input type="password" name="user[password]"></label>
  <input type="checkbox" name="remember_me" value="1" checked>
  <input type="checkbox" name="newsletter" value="yes">
  <input type="submit" name="commit" value="Log in">
</form>
</body></html>`;

describe('extractForms', () => {
  it('finds both forms with their method, action and password flag', () => {
    const forms = extractForms(TWO_FORMS);
    expect(forms).toHaveLength(2);
    expect(forms[0]).toEqual({ action: '/search', method: 'GET', inputs: [{ name: 'q', value: '', type: 'search' }], hasPassword: false });
    expect(forms[1]?.method).toBe('POST');
    expect(forms[1]?.action).toBe('/session?next=%2Fhome&x=1');
    expect(forms[1]?.hasPassword).toBe(true);
  });

  it('decodes entities in hidden inputs and reads single-quoted and unquoted attributes', () => {
    const login = extractForms(TWO_FORMS)[1];
    expect(login?.inputs).toEqual([
      { name: '_csrf', value: `a<b>"c'd&e`, type: 'hidden' },
      { name: 'authenticity_token', value: 'single "quoted" value', type: 'hidden' },
      { name: 'utf8', value: '✓', type: 'hidden' },
      { name: 'user[email]', value: '', type: 'email' },
      { name: 'user[password]', value: '', type: 'password' },
      { name: 'remember_me', value: '1', type: 'checkbox' },
    ]);
  });

  it('ignores forms and inputs inside HTML comments and scripts', () => {
    const html = `
      <!-- <form method="post" action="/old-login"><input type="password" name="pw"></form> -->
      <script>const tpl = '<form method="post" action="/js"><input type="password" name="x"></form>';</script>
      <form method="post" action="/login">
        <!-- <input type="hidden" name="debug" value="1"> -->
        <input name="username"><input type="password" name="password">
      </form>`;
    const forms = extractForms(html);
    expect(forms).toHaveLength(1);
    expect(forms[0]?.action).toBe('/login');
    expect(forms[0]?.inputs.map((i) => i.name)).toEqual(['username', 'password']);
  });

  it('reads a quoted ">" inside an attribute without ending the tag', () => {
    const forms = extractForms('<form method="post" data-x="a>b"><input type="hidden" name="t" value="1>2"></form>');
    expect(forms[0]?.inputs).toEqual([{ name: 't', value: '1>2', type: 'hidden' }]);
  });

  it('defaults the method to GET, drops an empty action, and closes an unclosed form', () => {
    const forms = extractForms('<FORM action="  "><INPUT NAME="a" VALUE="1"><form method=POST><input name=b>');
    expect(forms).toEqual([
      { method: 'GET', inputs: [{ name: 'a', value: '1', type: 'text' }], hasPassword: false },
      { method: 'POST', inputs: [{ name: 'b', value: '', type: 'text' }], hasPassword: false },
    ]);
  });

  it('skips nameless inputs, buttons, unchecked boxes and inputs outside any form', () => {
    const forms = extractForms('<input name="outside"><form><input value="x"><button name="go">Go</button><input type="radio" name="r" value="a"><input type="radio" name="r" value="b" checked><input type="checkbox" name="c" checked></form>');
    expect(forms[0]?.inputs).toEqual([
      { name: 'r', value: 'b', type: 'radio' },
      { name: 'c', value: 'on', type: 'checkbox' },
    ]);
  });

  it('a checked radio without a value submits "on", like a checkbox', () => {
    const forms = extractForms('<form method="post"><input type="radio" name="r" checked></form>');
    expect(forms[0]?.inputs).toEqual([{ name: 'r', value: 'on', type: 'radio' }]);
  });

  it('never throws on broken markup', () => {
    for (const html of ['', '<', '<form', '<form method="post', '<<form>>', '</form></form>', '<input name="a"', '<!--', '<form><input name="a" value="&#99999999;"></form>']) {
      expect(() => extractForms(html)).not.toThrow();
    }
    expect(extractForms('<form><input name="a" value="&#99999999;&#0;&bogus;"></form>')[0]?.inputs[0]?.value).toBe('&#99999999;&#0;&bogus;');
  });
});

describe('parseAttributes / decodeEntities', () => {
  it('lower-cases names and keeps the first occurrence', () => {
    expect(parseAttributes(' NAME="a" name="b" Checked value=x')).toEqual({ name: 'a', checked: '', value: 'x' });
  });

  it('decodes named, decimal and hex entities once', () => {
    expect(decodeEntities('&amp;lt; &lt;&GT; &#65;&#x42;&#X43; &nbsp;')).toBe('&lt; <> ABC \u00a0');
  });
});

describe('extractCsrfMeta', () => {
  it('reads a csrf-token meta tag and decodes its content', () => {
    expect(extractCsrfMeta(TWO_FORMS)).toEqual({ name: 'csrf-token', value: 'tok&en+/=' });
  });

  it.each([
    ['<meta content="abc" name="CSRF-Token">', 'csrf-token'],
    ["<meta name='csrf_token' content='abc'>", 'csrf_token'],
    ['<meta name=_csrf content=abc>', '_csrf'],
    ['<meta name="xsrf-token" content="abc" />', 'xsrf-token'],
  ])('accepts %s', (html, name) => {
    expect(extractCsrfMeta(html)).toEqual({ name, value: 'abc' });
  });

  it('ignores other meta tags and an empty content', () => {
    expect(extractCsrfMeta('<meta name="csrf-param" content="authenticity_token"><meta name="csrf-token" content="">')).toBeUndefined();
    expect(extractCsrfMeta('<meta name="viewport" content="width=device-width">')).toBeUndefined();
  });

  it('ignores a commented-out csrf-token meta tag', () => {
    const html = '<head><!-- <meta name="csrf-token" content="stale"> --><meta name="csrf-token" content="live"></head>';
    expect(extractCsrfMeta(html)).toEqual({ name: 'csrf-token', value: 'live' });
  });
});

describe('pickLoginForm', () => {
  it('picks the form with a password field, not the search form', () => {
    const forms = extractForms(TWO_FORMS);
    expect(pickLoginForm(forms, PAGE)).toBe(forms[1]);
  });

  it('returns undefined when no form has a password field', () => {
    expect(pickLoginForm(extractForms('<form><input name="q"></form>'), PAGE)).toBeUndefined();
  });

  it('prefers the password form that posts to the preferred action', () => {
    const html = `<form method="post" action="/signup"><input name="email"><input type="password" name="pw"></form>
      <form method="post" action="login"><input name="email"><input type="password" name="pw"></form>`;
    const forms = extractForms(html);
    expect(pickLoginForm(forms, PAGE)).toBe(forms[0]);
    expect(pickLoginForm(forms, PAGE, new URL('https://app.example.test/login'))).toBe(forms[1]);
    // No match for the preferred action: the first password form.
    expect(pickLoginForm(forms, PAGE, new URL('https://app.example.test/elsewhere'))).toBe(forms[0]);
  });

  it('a form without action posts to the page itself', () => {
    const forms = extractForms('<form method="post" action="/x"><input type="password" name="a"></form><form method="post"><input type="password" name="b"></form>');
    expect(pickLoginForm(forms, PAGE, PAGE)).toBe(forms[1]);
  });
});

describe('guessUsernameField', () => {
  it('takes the last text-like input before the password field', () => {
    const login = extractForms(TWO_FORMS)[1];
    expect(login && guessUsernameField(login)).toBe('user[email]');
    const html = '<form method="post"><input name="company"><input type="tel" name="phone"><input type="password" name="pw"><input name="otp"></form>';
    expect(guessUsernameField(extractForms(html)[0]!)).toBe('phone');
  });

  it('skips hidden inputs', () => {
    const html = '<form method="post"><input type="hidden" name="_csrf" value="x"><input type="text" name="login"><input type="hidden" name="tz" value="UTC"><input type="password" name="pw"></form>';
    expect(guessUsernameField(extractForms(html)[0]!)).toBe('login');
  });

  it('falls back to a text-like input after the password field', () => {
    const html = '<form method="post"><input type="password" name="pw"><input type="email" name="mail"></form>';
    expect(guessUsernameField(extractForms(html)[0]!)).toBe('mail');
  });

  it('returns undefined when there is no text-like input', () => {
    const html = '<form method="post"><input type="hidden" name="_csrf" value="x"><input type="password" name="pw"></form>';
    expect(guessUsernameField(extractForms(html)[0]!)).toBeUndefined();
  });
});
