import { cookieRule } from './cookie-rule.js';
import { EXPRESS_SESSION_COOKIE } from './snippets.js';

export default cookieRule(
  {
    id: 'cookie-prefix',
    name: 'SessionCookieWithoutHostPrefix',
    title: 'Session cookie without a __Host- (or __Secure-) prefix, or with a broken one',
    severity: 'low',
    why: 'The __Host- prefix makes browsers refuse the cookie unless it is Secure, host-only and Path=/, so a sibling subdomain or a plain-HTTP page cannot plant or overwrite it (cookie tossing, a path to session fixation). A prefix whose rules are not met makes browsers drop the cookie.',
    fix: 'Name the session cookie __Host-<name> and set it with Secure, Path=/ and no Domain (or __Secure-<name> with Secure if it must be shared with subdomains).',
    snippets: { 'express-session': EXPRESS_SESSION_COOKIE },
    cwe: [565],
    asvs: ['5.0: V3.3.3', '4.0.3: 3.4.4'],
    wstg: ['WSTG-SESS-02'],
    requires: ['session'],
  },
  (line, cookie) => {
    const lower = cookie.name.toLowerCase();
    if (lower.startsWith('__host-')) {
      const broken: string[] = [];
      if (!line.secure) broken.push('no Secure');
      if (line.domain !== undefined) broken.push(`Domain=${line.domainRaw ?? line.domain}`);
      if (line.path !== '/') broken.push(line.path === undefined ? 'no Path=/' : `Path=${line.path}`);
      return broken.length === 0
        ? { status: 'pass', message: `${cookie.name} uses the __Host- prefix correctly.` }
        : { status: 'fail', severity: 'medium', message: `Session cookie ${cookie.name} breaks the __Host- prefix rules (${broken.join(', ')}); browsers reject it.` };
    }
    if (lower.startsWith('__secure-')) {
      return line.secure
        ? { status: 'pass', message: `${cookie.name} uses the __Secure- prefix correctly.` }
        : { status: 'fail', severity: 'medium', message: `Session cookie ${cookie.name} has the __Secure- prefix without Secure; browsers reject it.` };
    }
    return { status: 'fail', message: `Session cookie ${cookie.name} has no __Host- or __Secure- prefix, so a subdomain or an HTTP page can overwrite it.` };
  },
);
