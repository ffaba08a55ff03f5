import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { startTestApp, type TestApp } from '../helpers/test-app';

/** Debian's chromium (.ci/run installs it); playwright-core drives it and downloads no browser of its own. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTEFACTS = path.join(__dirname, '..', '..', 'test-artifacts');

let app: TestApp;
let browser: BrowserContext | undefined;
let profile: string;
beforeAll(async () => {
  app = await startTestApp();
  // A fresh profile per run, so two runs (or a crashed earlier one) never share browser state.
  profile = mkdtempSync(path.join(os.tmpdir(), 'verigate-chromium-'));
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}, 60_000);
afterAll(async () => {
  await browser?.close().catch(() => undefined);
  if (profile) rmSync(profile, { recursive: true, force: true });
  await app?.close();
});

describe('/docs in Chromium', () => {
  it('when the reference page loads, then every operation of /openapi.json is rendered, with no request leaving the gateway', async () => {
    const doc = (await (await app.request('GET', '/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> };
    const operations = Object.values(doc.paths).reduce((n, ops) => n + Object.keys(ops).length, 0);
    const page = await browser!.newPage();
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
