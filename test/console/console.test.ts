import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { ADAPTERS } from '../../adapters';
import { ACCUAUTH_SANDBOX } from '../../adapters/accuauth/simulator';
import { createRegistry } from '../../src/gateway/registry';
import { QUEUES } from '../../src/jobs/queues';
import { authenticateKey } from '../../src/tenancy/keys-repo';
import { plantCapture } from './support';
import { issueOperatorKey } from '../../src/ops/operator-keys-repo';
import { nusa } from '../fixtures/vendors/nusa';
import { startSimulatedGateway, type Simulated } from '../gateway/support';
import { ARTEFACTS, launchChromium, type Browser } from '../helpers/chromium';

/**
 * The ops console in headless Chromium against the real app and the vendor simulators: an operator signs in
 * with an operator key, drains the provider an org routes name_check to first (the test vendor `nusa`), sees
 * the next verification fail over to AccuAuth, settles an unknown charge, and opens bull-board.
 */
let gw: Simulated | undefined;
let browser: Browser | undefined;
let page: Page;
let operator: { id: string; key: string };
let tenant: { orgId: string; key: string; customerId: string };
const errors: string[] = [];
const elsewhere: string[] = [];

beforeAll(async () => {
  gw = await startSimulatedGateway(
    { registry: createRegistry([...ADAPTERS, nusa]) },
    { errorMapFiles: [path.join(__dirname, '..', 'fixtures', 'vendors', 'nusa', 'error-map.json')] },
  );
  operator = await issueOperatorKey(gw.app.deps.db, gw.app.deps.keys, 'console test');
  tenant = await gw.tenant(['verifications:write', 'verifications:view', 'customers:write', 'usage:view', 'routing:manage']);
  const policy = { checks: { name_check: [{ provider: 'nusa' }, { provider: 'accuauth' }] } };
  expect((await api('PUT', '/v1/routing/policy', policy)).status).toBe(200);
  browser = await launchChromium();
  page = await browser.context.newPage();
  page.on('pageerror', (err) => errors.push(err.message));
  watchRequests(page);
  mkdirSync(ARTEFACTS, { recursive: true });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await gw?.close();
});

/**
 * Records every request of the page that left the gateway: one that got an answer, or failed for any other
 * reason than the page's Content-Security-Policy stopping it (bull-board links a Google font, which the
 * console's policy for it blocks in the browser).
 */
function watchRequests(p: Page): void {
  const away = (url: string) => !url.startsWith(gw!.app.url) && !url.startsWith('data:');
  p.on('requestfinished', (req) => away(req.url()) && elsewhere.push(req.url()));
  // Chromium reports a request its page's policy stopped as failed with "csp" (net::ERR_BLOCKED_BY_CSP).
  p.on(
    'requestfailed',
    (req) => away(req.url()) && !/csp/i.test(req.failure()?.errorText ?? '') && elsewhere.push(`${req.url()} ${req.failure()?.errorText}`),
  );
}

async function api(method: string, route: string, body?: unknown, key = tenant.key) {
  const res = await gw!.app.request(method, route, { key, body });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}
const nameCheck = (name: string, provider = 'auto') =>
  api('POST', '/v1/verifications', {
    customerId: tenant.customerId,
    check: 'name_check',
    provider,
    input: { idNumber: ACCUAUTH_SANDBOX.plain, name },
  });
const shot = (name: string) => page.screenshot({ path: path.join(ARTEFACTS, `console-${name}.png`), fullPage: true });
const tab = async (id: string) => {
  await page.click(`button[data-tab="${id}"]`);
  await page.waitForSelector('main[aria-busy="false"]');
};

describe('the ops console in Chromium', () => {
  it('when an operator signs in with an operator key, then the providers are listed and the key is kept nowhere but in the server session', async () => {
    await page.goto(`${gw!.app.url}/console`);
    await page.fill('input[name="key"]', operator.key);
    await page.click('button[type="submit"]');
    await page.waitForSelector('tr[data-provider="nusa"]');
    expect(await page.locator('tr[data-provider]').count()).toBe(gw!.app.deps.gateway.registry.ids.length);
    expect(page.url()).toBe(`${gw!.app.url}/console`);
    const cookies = await browser!.context.cookies();
    expect(cookies).toEqual([expect.objectContaining({ name: 'verigate_console', httpOnly: true, sameSite: 'Strict' })]);
    expect(cookies[0]?.value).not.toContain(operator.key);
    expect(
      await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie),
    ).not.toContain('vk_op_');
    await shot('providers');
  }, 30_000);

  it('when the operator drains the first provider with a reason, then the next verification fails over to AccuAuth and the ledger shows it', async () => {
    const before = await nameCheck('Budi Santoso');
    expect(before.body).toMatchObject({ status: 'passed', provider: 'nusa' });

    const row = page.locator('tr[data-provider="nusa"]');
    await row.locator('input[name="reason"]').fill('vendor incident INC-42: timeouts');
    await row.locator('button[value="drain"]').click();
    await row.locator('td.drain', { hasText: 'vendor incident INC-42' }).waitFor();
    expect(await row.locator('td.drain').innerText()).toContain(operator.id);
    await shot('drained');

    const audit = await api('GET', '/v1/ops/audit?target=provider:nusa', undefined, operator.key);
    expect(audit.body.data[0]).toMatchObject({
      action: 'provider.drain',
      operatorKeyId: operator.id,
      reason: 'vendor incident INC-42: timeouts',
    });

    const after = await nameCheck('Budi Santoso');
    expect(after.body).toMatchObject({ status: 'passed', provider: 'accuauth' });
    expect(after.body.attempts.map((a: Record<string, unknown>) => a.provider)).toEqual(['accuauth']);

    await tab('ledger');
    const booked = page.locator(`tr[data-verification="${after.body.id}"]`);
    await booked.waitFor();
    expect(await booked.locator('td.provider').innerText()).toBe('accuauth / id_name');
    expect(await page.locator(`tr[data-verification="${before.body.id}"] td.provider`).innerText()).toContain('nusa');
    await shot('ledger');
  }, 30_000);

  it('when an unknown charge is resolved in the queue, then it leaves the queue and the ledger names the operator', async () => {
    const row = page.locator('tr[data-provider="nusa"]');
    await tab('providers');
    await row.locator('input[name="reason"]').fill('INC-42 closed by the vendor');
    await row.locator('button[value="restore"]').click();
    await row.locator('td.drain', { hasText: 'in routing' }).waitFor();
    const planted = await nameCheck('Teapot', 'nusa');
    expect(planted.body.error).toMatchObject({ code: 'upstream_unmapped', charged: 'unknown' });
    const entryId = planted.body.error.attempts[0].id as string;

    await tab('unknown');
    const queued = page.locator(`tr[data-entry="${entryId}"]`);
    await queued.waitFor();
    await shot('unknown-charges');
    await queued.locator('select[name="charged"]').selectOption('free');
    await queued.locator('input[name="note"]').fill('nusa confirmed: not billed (ticket 4411)');
    await queued.locator('button').click();
    await page.locator('p.notice', { hasText: `${entryId} resolved free` }).waitFor();
    expect(await page.locator(`tr[data-entry="${entryId}"]`).count()).toBe(0);

    const entries = await api('GET', '/v1/usage/entries');
    expect(entries.body.data.find((e: Record<string, unknown>) => e.id === entryId)).toMatchObject({
      charged: 'free',
      resolution: { from: 'unknown', resolvedBy: operator.id, note: 'nusa confirmed: not billed (ticket 4411)' },
    });
    const audit = await api('GET', `/v1/ops/audit?target=ledger_entry:${entryId}`, undefined, operator.key);
    expect(audit.body.data[0]).toMatchObject({
      action: 'ledger.resolve',
      operatorKeyId: operator.id,
      detail: { orgId: tenant.orgId, to: 'free' },
    });
  }, 30_000);

  it('when usage, the mapping table and the review queue are opened, then charts, filters and the captures awaiting review with their voters render', async () => {
    await tab('usage');
    await page.waitForSelector('#calls-chart');
    expect(await page.locator('p.totals').innerText()).toMatch(/^3 calls: 2 charged 1 free 0 unknown · cost /);
    await shot('usage');

    await tab('mapping');
    const all = (await api('GET', '/mapping-table')).body.data.length as number;
    const ofNusa = (await api('GET', '/mapping-table?provider=nusa')).body.data.length as number;
    expect(await page.locator('span.count').innerText()).toBe(`${all} of ${all} rows`);
    await page.selectOption('select[name="provider"]', 'nusa');
    expect(await page.locator('span.count').innerText()).toBe(`${ofNusa} of ${all} rows`);
    await shot('mapping');

    const key = await authenticateKey(gw!.app.deps.db, gw!.app.deps.keys, tenant.key);
    const review = await plantCapture(gw!.app.deps, { ...tenant, keyId: key!.id }, 'requires_review');
    await tab('reviews');
    const section = page.locator(`section[data-capture="${review}"]`);
    await section.waitFor();
    expect(await section.locator('td.vote').allInnerTexts()).toEqual(['uncertain', 'pass']);
    await shot('reviews');
  }, 30_000);

  it('when bull-board is opened, then it lists the queues behind the same session, and signing out closes it', async () => {
    const queues = await browser!.context.newPage();
    queues.on('pageerror', (err) => errors.push(err.message));
    watchRequests(queues);
    await queues.goto(`${gw!.app.url}/console/queues/`);
    for (const name of Object.values(QUEUES)) await queues.getByText(name, { exact: true }).first().waitFor({ timeout: 15_000 });
    await queues.waitForLoadState('networkidle');
    await queues.screenshot({ path: path.join(ARTEFACTS, 'console-queues.png') });
    await queues.close();

    await page.click('#sign-out');
    await page.waitForSelector('input[name="key"]');
    const res = await page.request.get(`${gw!.app.url}/v1/ops/providers`);
    expect(res.status()).toBe(401);
    expect(errors).toEqual([]);
    expect(elsewhere).toEqual([]);
  }, 30_000);
});
