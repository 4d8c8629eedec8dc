import { isIP } from 'node:net';
import { cookieRule } from './cookie-rule.js';

export default cookieRule(
  {
    id: 'cookie-scope',
    name: 'SessionCookieDomainTooBroad',
    title: 'Session cookie scoped to a domain broader than the host',
    severity: 'medium',
    why: 'A Domain attribute makes the browser send the session cookie to every subdomain of that domain as well, not just to the host that set it. Any of those hosts (a forgotten staging site, user content, a compromised marketing page) can then read or overwrite the session.',
    fix: 'Leave out the Domain attribute so the cookie is host-only (or use the __Host- prefix, which forbids Domain).',
    snippets: { 'express-session': "cookie: { domain: undefined /* remove the domain option */, path: '/' }" },
    cwe: [1275],
    asvs: ['5.0: V3.3.3', '4.0.3: 3.4.5'],
    wstg: ['WSTG-SESS-02'],
    requires: ['session'],
  },
  (line, cookie, session) => {
    if (line.domain === undefined) return { status: 'pass', message: `${cookie.name} is host-only (no Domain attribute).` };
    const host = session.host.toLowerCase();
    if (line.domain === host && (isIP(host) !== 0 || host.startsWith('['))) {
      return { status: 'pass', message: `${cookie.name} has Domain=${line.domainRaw ?? line.domain}, an IP address, which has no subdomains: effectively host-only.` };
    }
    if (line.domain === host) {
      return {
        status: 'fail',
        severity: 'low',
        message: `Session cookie ${cookie.name} has Domain=${line.domainRaw ?? line.domain}, which also sends it to every subdomain of ${host}.`,
      };
    }
    return {
      status: 'fail',
      message: `Session cookie ${cookie.name} has Domain=${line.domainRaw ?? line.domain}: every host under ${line.domain} receives the session token, not only ${host}.`,
    };
  },
);
