import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { ARTEFACTS, launchChromium, type Browser } from '../helpers/chromium';
import { startTestApp, type TestApp } from '../helpers/test-app';

let app: TestApp;
let browser: Browser | undefined;
beforeAll(async () => {
  app = await startTestApp();
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describe('/docs in Chromium', () => {
  it('when the reference page loads, then every operation of /openapi.json is rendered, with no request leaving the gateway', async () => {
    const doc = (await (await app.request('GET', '/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> };
    const operations = Object.values(doc.paths).reduce((n, ops) => n + Object.keys(ops).length, 0);
    const page = await browser!.context.newPage();
    const elsewhere: string[] = [];
    page.on('request', (req) => {
      if (!req.url().startsWith(app.url) && !req.url().startsWith('data:')) elsewhere.push(req.url());
    });
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(`${app.url}/docs`);
    await page.waitForSelector('.opblock', { timeout: 30_000 });
    expect(await page.locator('.opblock').count()).toBe(operations);
    expect(await page.locator('.info .title').innerText()).toContain('verigate');
    expect(await page.locator('.opblock-summary-path', { hasText: '/v1/verifications' }).count()).toBeGreaterThan(0);
    mkdirSync(ARTEFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTEFACTS, 'docs.png'), fullPage: false });
    expect(errors).toEqual([]);
    expect(elsewhere).toEqual([]);
  }, 60_000);
});
