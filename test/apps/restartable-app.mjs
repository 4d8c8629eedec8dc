// A login app run as its own process, so a test can restart it: express-session with the default
// MemoryStore (STORE=memory) or connect-redis on a real Redis (STORE=redis, REDIS_URL).
// Env: PORT, PASSWORD, SECRET (stable across restarts, as a deployment's would be); ROTATE=1
// regenerates the session on every logged-in request (a new ID, the old one destroyed).
import express from 'express';
import session from 'express-session';

const { PORT, PASSWORD, SECRET, STORE, REDIS_URL, ROTATE } = process.env;
let store;
if (STORE === 'redis') {
  const { RedisStore } = await import('connect-redis');
  const { createClient } = await import('redis');
  const client = createClient({ url: REDIS_URL });
  client.on('error', () => {});
  await client.connect();
  store = new RedisStore({ client, prefix: 'sess:' });
}
const app = express();
app.use(express.json());
app.use(session({ name: 'sid', secret: SECRET, resave: false, saveUninitialized: false, ...(store ? { store } : {}), cookie: { httpOnly: true, sameSite: 'lax' } }));
app.get('/', (_req, res) => res.type('html').send('<!doctype html><p>home</p>'));
app.post('/api/login', (req, res, next) => {
  if (req.body?.username !== 'alice' || req.body?.password !== PASSWORD) return res.status(401).json({ error: 'invalid credentials' });
  req.session.regenerate((err) => {
    if (err) return next(err);
    req.session.user = 'alice';
    req.session.save((e) => (e ? next(e) : res.json({ ok: true })));
  });
});
if (ROTATE === '1') {
  app.use((req, _res, next) => {
    const user = req.session.user;
    if (!user) return next();
    req.session.regenerate((err) => {
      if (err) return next(err);
      req.session.user = user;
      next();
    });
  });
}
app.get('/me', (req, res) => (req.session.user ? res.json({ user: req.session.user }) : res.status(401).json({ error: 'not logged in' })));
const server = app.listen(Number(PORT), '127.0.0.1');
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
