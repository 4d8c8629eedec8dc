import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'vitest';
import { runAudit } from '../../src/audit.js';
import { Secret, validateConfig } from '../../src/config/load.js';
import { startDemo } from '../../src/demo/app.js';
import { startRedis } from '../helpers/redis.js';
import { PASSWORD } from '../helpers/contract.js';
import * as redisApp from '../apps/redis-session.js';
import * as legacy from '../apps/passport-legacy.js';
import * as current from '../apps/passport-current.js';
import * as cs from '../apps/cookie-session.js';
import * as msw from '../apps/msw-scenarios.js';
import { createClient } from 'redis';

const form = (url: string, extra: object = {}) => ({ target: url, login: { url: '/login', type: 'form' }, credentials: { username: 'alice' }, authCheck: { url: '/me' }, logout: { url: '/logout' }, ...extra });
const json = (url: string, page?: string) => ({ target: url, login: { url: '/api/login', type: 'json', ...(page ? { page } : {}) }, credentials: { username: 'alice' }, authCheck: { url: '/me' }, logout: { url: '/logout' } });

function dump(name: string, run: Awaited<ReturnType<typeof runAudit>>) {
  const r = run.report;
  console.log(`===== ${name}: grade ${r.grade} score ${r.score} gate ${r.gate.passed} req ${r.requests}/${run.evidence.exchanges.length}`);
  console.log(JSON.stringify(r.session));
  for (const c of r.checks) console.log(`  ${c.ruleId} ${c.status} ${c.severity} ${c.cookie ?? ''} :: ${c.message} ${c.evidence.join(' | ')}`);
  console.log(JSON.stringify(run.evidence.probes.fixation));
}

it('scratch', async () => {
  const pw = 'demo-pass-xyz';
  let d = await startDemo({ fixed: false, password: pw });
  dump('demo-vuln', await runAudit({ config: validateConfig(form(d.url) as any), password: new Secret(pw) }));
  await d.close();
  d = await startDemo({ fixed: true, password: pw });
  const dir = mkdtempSync(join(tmpdir(), 'sa-')); writeFileSync(join(dir, 'ca.pem'), d.ca!);
  const fx = await runAudit({ config: validateConfig(form(d.url, { ca: join(dir, 'ca.pem') }) as any), password: new Secret(pw) });
  dump('demo-fixed', fx);
  console.log(JSON.stringify(fx.evidence.exchanges.filter(e => e.actor === 'second-device').map(e => [e.purpose, e.sentCookies.map(c => c.name)])));
  await d.close();
  const redis = await startRedis();
  const rc = createClient({ url: redis.url }); await rc.connect();
  let a = await redisApp.start({ redisUrl: redis.url });
  dump('redis', await runAudit({ config: validateConfig(form(a.url) as any), password: new Secret(PASSWORD) }));
  const keys = await rc.keys('sess:*'); console.log(keys, await Promise.all(keys.map(k => rc.get(k))));
  await a.close(); await rc.close(); await redis.stop();
  for (const [n, m] of [['legacy', legacy], ['current', current]] as const) {
    a = await m.start();
    dump(n + ' form', await runAudit({ config: validateConfig(form(a.url) as any), password: new Secret(PASSWORD) }));
    dump(n + ' json', await runAudit({ config: validateConfig(json(a.url) as any), password: new Secret(PASSWORD) }));
    dump(n + ' json+page', await runAudit({ config: validateConfig(json(a.url, '/login') as any), password: new Secret(PASSWORD) }));
    await a.close();
  }
  a = await cs.start();
  dump('cookie-session', await runAudit({ config: validateConfig(form(a.url) as any), password: new Secret(PASSWORD) }));
  await a.close();
  for (const s of msw.SCENARIOS) {
    a = await msw.start(s);
    try {
      const run = await runAudit({ config: validateConfig(json(a.url) as any), password: new Secret(PASSWORD) });
      dump('msw ' + s, run);
      const login = run.evidence.exchanges.find(e => e.purpose.includes('submit credentials'));
      console.log(JSON.stringify(login, null, 1));
    } catch (e) { console.log('msw', s, 'ERR', e); }
    await a.close();
  }
}, 60000);
