import { cookieRule } from './cookie-rule.js';

/** Default session cookie names and the frameworks that use them. Keys are lower case. */
export const DEFAULT_NAMES: Record<string, string> = {
  'connect.sid': 'express-session (Node.js)',
  phpsessid: 'PHP',
  jsessionid: 'Java servlet containers (Tomcat, Jetty, Spring)',
  'asp.net_sessionid': 'ASP.NET',
  '.aspxauth': 'ASP.NET forms authentication',
  '.aspnetcore.session': 'ASP.NET Core',
  '.aspnetcore.cookies': 'ASP.NET Core cookie authentication',
  sessionid: 'Django',
  session: 'Flask / cookie-session',
  'session.sig': 'cookie-session (signature cookie)',
  'express:sess.sig': 'cookie-session 1.x (signature cookie)',
  'express:sess': 'cookie-session 1.x',
  'koa.sess': 'koa-session',
  'koa:sess': 'koa-session',
  laravel_session: 'Laravel',
  _session_id: 'Ruby on Rails',
  'rack.session': 'Rack',
  ci_session: 'CodeIgniter',
  cfid: 'ColdFusion',
  cftoken: 'ColdFusion',
  play_session: 'Play Framework',
  'next-auth.session-token': 'NextAuth.js',
  '__secure-next-auth.session-token': 'NextAuth.js',
  'authjs.session-token': 'Auth.js',
  '__secure-authjs.session-token': 'Auth.js',
  'sails.sid': 'Sails.js',
  'beaker.session.id': 'Beaker (Pylons/Pyramid)',
  cakephp: 'CakePHP',
  symfony: 'Symfony',
  zendsessionid: 'Zend Framework',
  'wp-settings': 'WordPress',
};

const DEFAULT_PATTERNS: Array<[RegExp, string]> = [
  [/^aspsessionid[a-z]{8}$/i, 'classic ASP'],
  [/^sess[0-9a-f]{32}$/i, 'Drupal'],
  [/^ssess[0-9a-f]{32}$/i, 'Drupal (HTTPS)'],
  [/^wordpress_(logged_in_)?[0-9a-f]{32}$/i, 'WordPress'],
  [/^_[a-z0-9_]+_session$/i, 'Ruby on Rails'],
];

export function frameworkForName(name: string): string | undefined {
  const lower = name.toLowerCase();
  const direct = DEFAULT_NAMES[lower];
  if (direct) return direct;
  for (const [re, fw] of DEFAULT_PATTERNS) if (re.test(name)) return fw;
  return undefined;
}

export default cookieRule(
  {
    id: 'cookie-name-fingerprint',
    name: 'SessionCookieDefaultName',
    title: "Session cookie uses a framework's default name",
    severity: 'low',
    why: 'A default session cookie name tells an attacker which framework and session library the site runs, which narrows the search for known vulnerabilities and default secrets. It also often signals that the session settings were never reviewed.',
    fix: 'Give the session cookie a neutral name of your own, ideally with the __Host- prefix (for example __Host-sid).',
    snippets: { 'express-session': "app.use(session({ name: '__Host-sid', /* ... */ }));" },
    cwe: [200],
    asvs: [],
    wstg: ['WSTG-INFO-08', 'WSTG-SESS-01'],
    requires: ['session'],
  },
  (_line, cookie) => {
    const fw = frameworkForName(cookie.name);
    return fw
      ? { status: 'fail', message: `Session cookie ${cookie.name} is the default name of ${fw}, which fingerprints the stack.` }
      : { status: 'pass', message: `${cookie.name} is not a known framework default.` };
  },
);
