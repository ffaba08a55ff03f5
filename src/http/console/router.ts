import express, { type Request, type Response, type Router } from 'express';
import type { AppDeps } from '../../deps';
import { AppError } from '../../errors/app-error';
import { authenticateOperatorKey } from '../../ops/operator-keys-repo';
import { CONSOLE_ASSETS } from './assets';
import { bullBoard } from './bull-board';
import { checkCsrf, consoleSessions, signedIn } from './console-auth';
import { sessionCookie } from './cookies';
import { CONSOLE_CSP, consolePage, signInPage, type SignInError } from './pages';

/** Where the console is mounted; bull-board sits under it. */
export const CONSOLE_PATH = '/console';
const QUEUES_PATH = `${CONSOLE_PATH}/queues`;

/**
 * bull-board's page has inline styles and links a web font from Google: the policy lets the styles through
 * and keeps every request on this origin (the font falls back to the system's).
 */
const BOARD_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'self'";

const TENANT_KEY = /^vk_(test|live)_/;
const isHttps = (req: Request) => req.secure || req.headers['x-forwarded-proto'] === 'https';

function sendPage(res: Response, status: number, html: string): void {
  res
    .status(status)
    .set({
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Security-Policy': CONSOLE_CSP,
      'Cache-Control': 'no-store',
      'Referrer-Policy': 'no-referrer',
      'X-Content-Type-Options': 'nosniff',
    })
    .send(html);
}

/**
 * The ops and finance console: a sign-in form that trades an operator key for a session cookie, the page
 * (its data and actions are the /v1/ops routes, which accept that cookie), its static files and bull-board.
 * Mounted at CONSOLE_PATH, outside the API's route table: it is pages for people, not API.
 */
export function consoleRouter(deps: AppDeps): Router {
  const router = express.Router();
  const sessions = consoleSessions(deps);
  const assets = new Map<string, string>();

  router.get('/', async (req, res) => {
    const me = await signedIn(deps, req);
    sendPage(res, 200, me ? consolePage(me.session.csrfToken) : signInPage());
  });

  router.post('/sign-in', express.urlencoded({ extended: false, limit: '4kb', parameterLimit: 4 }), async (req, res) => {
    const key: unknown = (req.body as Record<string, unknown> | undefined)?.key;
    const presented = typeof key === 'string' ? key.trim() : '';
    const refuse = (status: number, error: SignInError) => sendPage(res, status, signInPage(error));
    // A form another site posts (login CSRF: signing a person into someone else's session) is refused.
    if (req.headers['sec-fetch-site'] === 'cross-site') return refuse(403, 'invalid');
    if (!deps.keys.parseOperator(presented)) return TENANT_KEY.test(presented) ? refuse(403, 'tenant') : refuse(401, 'invalid');
    const operatorKey = await authenticateOperatorKey(deps.db, deps.keys, presented);
    if (!operatorKey) return refuse(401, 'invalid');
    const { token } = await sessions.open(operatorKey.id);
    deps.logger.info({ audit: 'console_sign_in', operatorKeyId: operatorKey.id }, 'console session opened');
    res.setHeader('Set-Cookie', sessionCookie(token, sessions.ttlSeconds, isHttps(req)));
    res.redirect(303, CONSOLE_PATH);
  });

  router.post('/sign-out', async (req, res) => {
    const me = await signedIn(deps, req);
    if (me) {
      checkCsrf(req, me.session);
      await sessions.close(me.token);
      deps.logger.info({ audit: 'console_sign_out', operatorKeyId: me.operator.keyId }, 'console session closed');
    }
    res.setHeader('Set-Cookie', sessionCookie('', 0, isHttps(req)));
    res.status(204).end();
  });

  router.get('/assets/:file', (req, res) => {
    const name = req.params.file;
    const asset = Object.hasOwn(CONSOLE_ASSETS, name) ? CONSOLE_ASSETS[name] : undefined;
    if (!asset) throw new AppError('resource_not_found', { params: { resource: 'asset' }, param: 'file' });
    if (!assets.has(name)) assets.set(name, asset.read());
    res.set({ 'Content-Type': asset.type, 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff' }).send(assets.get(name));
  });

  // bull-board, read-only, for signed-in operators; without a session, back to the sign-in form.
  const board = bullBoard(deps, QUEUES_PATH);
  router.use('/queues', async (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      throw new AppError('method_not_allowed', { params: { method: req.method, path: req.originalUrl.split('?')[0] ?? '' } });
    }
    if (!(await signedIn(deps, req))) return res.redirect(303, CONSOLE_PATH);
    res.set({ 'Cache-Control': 'no-store', 'Content-Security-Policy': BOARD_CSP, 'X-Content-Type-Options': 'nosniff' });
    board(req, res, next);
  });

  return router;
}
