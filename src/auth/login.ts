/**
 * Login drivers. `json` posts a JSON body; `form` fetches the login page, finds the form with a
 * password field and submits it with every hidden input (CSRF tokens); the actor adds the page's
 * csrf-token meta value and double-submit cookies as headers, as the site's own scripts would.
 * Both take a jar snapshot right before the credentials go out: that is the browser's pre-login
 * state, which the fixation probe compares against.
 */
import { AuditAbortError } from '../errors.js';
import type { LoginConfig, LogoutConfig } from '../config/schema.js';
import type { Secret } from '../config/load.js';
import type { Actor, ActorResponse, JarSnapshot } from '../http/actor.js';
import { mask } from '../http/redact.js';
import { decodeEntities, extractForms, type HtmlForm } from './html.js';
import { fillTemplate, toFormFields } from './template.js';

export interface LoginTarget {
  login: LoginConfig;
  username: string;
  password: Secret;
  target: URL;
}

export interface LoginResult {
  response: ActorResponse;
  /** The jar right before the credentials were sent. */
  beforeSubmit: JarSnapshot;
  exchangeIds: number[];
}

function resolve(pathOrUrl: string, base: URL): URL {
  return new URL(pathOrUrl, base);
}

/**
 * A short, readable excerpt of a response the target sent: secrets removed before and after HTML
 * entities are decoded (a server may echo the password escaped), tags and control characters
 * (terminal escape sequences) removed, anything that looks like a token masked.
 */
export function excerpt(body: string, clean: (text: string) => string): string {
  const head = clean(body.slice(0, 4000));
  const text = clean(decodeEntities(head))
    .replace(/<[^<>]{0,400}>/g, ' ')
    .replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[A-Za-z0-9._~+/=-]{20,}/g, (t) => mask(t));
  return text.length > 160 ? `${text.slice(0, 160)}…` : text;
}

/** Pick the login form: the one with a password field, preferring one that posts to `preferAction`. */
export function pickLoginForm(forms: HtmlForm[], page: URL, preferAction?: URL): HtmlForm | undefined {
  const withPassword = forms.filter((f) => f.hasPassword);
  if (preferAction) {
    const match = withPassword.find((f) => resolve(f.action ?? page.href, page).href === preferAction.href);
    if (match) return match;
  }
  return withPassword[0];
}

/** The username field of a login form: the last visible text-like input before the password. */
export function guessUsernameField(form: HtmlForm): string | undefined {
  const textLike = new Set(['text', 'email', 'tel', 'username']);
  const pwIndex = form.inputs.findIndex((i) => i.type === 'password');
  const before = form.inputs.slice(0, pwIndex === -1 ? form.inputs.length : pwIndex).filter((i) => textLike.has(i.type));
  if (before.length > 0) return (before[before.length - 1] as { name: string }).name;
  return form.inputs.find((i) => textLike.has(i.type))?.name;
}

export async function login(actor: Actor, t: LoginTarget, label = 'login'): Promise<LoginResult> {
  const vars = { username: t.username, password: t.password.reveal() };
  const submitUrl = resolve(t.login.url, t.target);
  const ids: number[] = [];
  const headers: Record<string, string> = { ...t.login.headers };

  if (t.login.type === 'json') {
    if (t.login.page) {
      const page = await actor.send(`${label}: fetch page for CSRF token`, { url: resolve(t.login.page, t.target) });
      ids.push(...page.exchangeIds);
    }
    const body = fillTemplate(t.login.body ?? { username: '{{username}}', password: '{{password}}' }, vars);
    const beforeSubmit = actor.snapshot();
    const response = await actor.send(`${label}: submit credentials (JSON)`, {
      method: t.login.method,
      url: submitUrl,
      headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    ids.push(...response.exchangeIds);
    return { response, beforeSubmit, exchangeIds: ids };
  }

  const pageUrl = resolve(t.login.page ?? t.login.url, t.target);
  const page = await actor.send(`${label}: fetch login form`, { url: pageUrl });
  ids.push(...page.exchangeIds);
  if (page.status >= 400) {
    throw new AuditAbortError(`The login page ${pageUrl.pathname} answered ${page.status}; expected a page with a login form. Check --login / login.page.`, 'E_LOGIN_PAGE');
  }
  const forms = extractForms(page.body);
  const form = pickLoginForm(forms, page.url, t.login.page ? submitUrl : undefined);
  if (!form) {
    throw new AuditAbortError(
      `No form with a password field on ${page.url.pathname} (found ${forms.length} form${forms.length === 1 ? '' : 's'}). ` +
        'If the login page is rendered by JavaScript, use --login-type json with the API endpoint the page posts to.',
      'E_LOGIN_FORM',
    );
  }
  const action = resolve(form.action ?? page.url.href, page.url);
  if (action.origin !== t.target.origin) {
    throw new AuditAbortError(`The login form posts to ${action.origin}, outside the target; session-audit sends credentials only to ${t.target.origin}.`, 'E_LOGIN_SCOPE');
  }
  if (form.method !== 'POST') {
    throw new AuditAbortError(`The login form on ${page.url.pathname} submits with ${form.method}, which would put the password in the URL; session-audit will not send it.`, 'E_LOGIN_GET');
  }
  const fields = new URLSearchParams();
  const configured = t.login.body ? toFormFields(t.login.body, vars) : undefined;
  for (const input of form.inputs) {
    if (configured && input.name in configured) continue;
    if (input.type === 'password') fields.append(input.name, vars.password);
    else fields.append(input.name, input.value);
  }
  if (configured) {
    for (const [k, v] of Object.entries(configured)) fields.set(k, v);
  } else {
    const userField = guessUsernameField(form);
    if (!userField) {
      throw new AuditAbortError(`Cannot tell which field of the login form is the username; name it in login.body, e.g. {"email": "{{username}}", "password": "{{password}}"}.`, 'E_LOGIN_FIELDS');
    }
    fields.set(userField, vars.username);
  }
  const beforeSubmit = actor.snapshot();
  const response = await actor.send(`${label}: submit login form`, {
    method: 'POST',
    url: action,
    headers: { 'content-type': 'application/x-www-form-urlencoded', referer: page.url.href, ...headers },
    body: fields.toString(),
  });
  ids.push(...response.exchangeIds);
  return { response, beforeSubmit, exchangeIds: ids };
}

/** A short, secret-free description of a failed login response. */
export function describeLoginResponse(res: ActorResponse, clean: (text: string) => string): string {
  const text = excerpt(res.body, clean);
  return `${res.status}${text ? ` (“${text}”)` : ''}`;
}

export async function logout(actor: Actor, cfg: LogoutConfig, target: URL, label = 'logout'): Promise<ActorResponse & { allExchangeIds: number[] }> {
  const url = resolve(cfg.url, target);
  const headers: Record<string, string> = { ...cfg.headers };
  const ids: number[] = [];
  let hidden: Record<string, string> = {};
  if (cfg.page) {
    const page = await actor.send(`${label}: fetch page for CSRF token`, { url: resolve(cfg.page, target) });
    ids.push(...page.exchangeIds);
    const form = extractForms(page.body).find((f) => resolve(f.action ?? page.url.href, page.url).pathname === url.pathname);
    if (form) hidden = Object.fromEntries(form.inputs.map((i) => [i.name, i.value]));
  }
  let body: string | undefined;
  if (cfg.type === 'json') {
    headers['content-type'] = 'application/json';
    body = JSON.stringify({ ...hidden, ...(cfg.body ?? {}) });
  } else if (cfg.type === 'form' || Object.keys(hidden).length > 0 || cfg.body) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams({ ...hidden, ...toFormFields(cfg.body ?? {}, {}) }).toString();
  }
  const res = await actor.send(`${label}: ${cfg.method} ${url.pathname}`, body === undefined || cfg.method === 'GET' ? { method: cfg.method, url, headers } : { method: cfg.method, url, headers, body });
  ids.push(...res.exchangeIds);
  return { ...res, allExchangeIds: ids };
}
