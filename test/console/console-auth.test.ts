import { issueOperatorKey, revokeOperatorKey } from '../../src/ops/operator-keys-repo';
import { startTestApp, type TestApp } from '../helpers/test-app';

/** The console's sign-in, session cookie, CSRF and sign-out over HTTP, without a browser. */
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
}, 60_000);
afterAll(() => app?.close());

const send = (path: string, init: RequestInit = {}) => fetch(`${app.url}${path}`, { redirect: 'manual', ...init });
const signIn = (key: string) =>
  send('/console/sign-in', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ key }),
  });

/** Signs a new operator in; answers its key id, the cookie to send and the page's CSRF token. */
async function session() {
  const operator = await issueOperatorKey(app.deps.db, app.deps.keys, 'console auth test');
  const res = await signIn(operator.key);
  expect(res.status).toBe(303);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] as string;
  const page = await (await send('/console', { headers: { cookie } })).text();
  const csrf = /<meta name="csrf-token" content="([^"]+)">/.exec(page)?.[1] as string;
  expect(csrf).toBeTruthy();
  return { operator, cookie, csrf };
}

const drain = (cookie: string, headers: Record<string, string> = {}) =>
  send('/v1/ops/providers/lapis/drain', {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ reason: 'console auth test drain' }),
  });

describe('console sign-in and sessions', () => {
  it('when nobody is signed in, then /console is the sign-in form, bull-board redirects to it and the ops routes answer 401', async () => {
    const page = await send('/console');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(await page.text()).toContain('action="/console/sign-in"');
    const board = await send('/console/queues/');
    expect([board.status, board.headers.get('location')]).toEqual([303, '/console']);
    const ops = await send('/v1/ops/providers', { headers: { cookie: 'verigate_console=forged' } });
    expect(ops.status).toBe(401);
    expect(((await ops.json()) as { error: { code: string } }).error.code).toBe('api_key_missing');
  });

  it("when a tenant key, a wrong key or another site's form is posted, then no session is opened and the form says why without echoing the key", async () => {
    const tenant = await app.tenant(['providers:view']);
    const refused = await signIn(tenant.key);
    expect(refused.status).toBe(403);
    expect(refused.headers.get('set-cookie')).toBeNull();
    const body = await refused.text();
    expect(body).toContain('Tenant keys cannot open the console');
    expect(body).not.toContain(tenant.key);
    const wrong = await signIn('vk_op_not_a_real_key_at_all');
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();
    const operator = await issueOperatorKey(app.deps.db, app.deps.keys, 'cross-site test');
    const crossSite = await send('/console/sign-in', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'cross-site' },
      body: new URLSearchParams({ key: operator.key }),
    });
    expect([crossSite.status, crossSite.headers.get('set-cookie')]).toEqual([403, null]);
  });

  it('when an operator signs in, then the cookie is HttpOnly and SameSite=Strict, opaque, and reads the ops routes but no tenant route', async () => {
    const operator = await issueOperatorKey(app.deps.db, app.deps.keys, 'cookie test');
    const res = await signIn(operator.key);
    expect(res.headers.get('location')).toBe('/console');
    const setCookie = res.headers.get('set-cookie') as string;
    expect(setCookie).toMatch(/^verigate_console=[\w-]{43}; Path=\/; Max-Age=3600; HttpOnly; SameSite=Strict$/);
    expect(setCookie).not.toContain(operator.key);
    const cookie = setCookie.split(';')[0] as string;
    expect((await send('/v1/ops/providers', { headers: { cookie } })).status).toBe(200);
    expect((await send('/v1/providers', { headers: { cookie } })).status).toBe(401);
  });

  it('when a console request changes something, then it needs the session CSRF token, and the action is audited as the operator', async () => {
    const { operator, cookie, csrf } = await session();
    for (const headers of [{}, { 'x-csrf-token': 'x'.repeat(csrf.length) }] as Record<string, string>[]) {
      const res = await drain(cookie, headers);
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('csrf_token_invalid');
    }
    expect(await app.deps.gateway.drains.all()).toEqual({});
    const ok = await drain(cookie, { 'x-csrf-token': csrf });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { audit: Record<string, unknown> }).audit).toMatchObject({
      action: 'provider.drain',
      operatorKeyId: operator.id,
    });
    await app.deps.gateway.drains.restore('lapis');
  });

  it('when the operator signs out, or the operator key is revoked, then the session no longer opens anything', async () => {
    const first = await session();
    expect((await send('/console/sign-out', { method: 'POST', headers: { cookie: first.cookie } })).status).toBe(403);
    const out = await send('/console/sign-out', { method: 'POST', headers: { cookie: first.cookie, 'x-csrf-token': first.csrf } });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/^verigate_console=; Path=\/; Max-Age=0;/);
    expect((await send('/v1/ops/providers', { headers: { cookie: first.cookie } })).status).toBe(401);
    expect(await (await send('/console', { headers: { cookie: first.cookie } })).text()).toContain('action="/console/sign-in"');

    const second = await session();
    await revokeOperatorKey(app.deps.db, second.operator.id, new Date());
    expect((await send('/v1/ops/providers', { headers: { cookie: second.cookie } })).status).toBe(401);
    expect((await send('/console/queues/', { headers: { cookie: second.cookie } })).status).toBe(303);
  });

  it('when bull-board is asked to change a queue, then it refuses: the board is read-only, and its page keeps every request on this origin', async () => {
    const { cookie, csrf } = await session();
    const board = await send('/console/queues/', { headers: { cookie } });
    expect(board.status).toBe(200);
    expect(board.headers.get('content-security-policy')).toMatch(/^default-src 'self'; script-src 'self';/);
    const res = await send('/console/queues/api/queues/verifications/retry/failed', {
      method: 'PUT',
      headers: { cookie, 'x-csrf-token': csrf },
    });
    expect(res.status).toBe(405);
  });
});
