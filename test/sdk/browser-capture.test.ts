import path from 'node:path';
import { build } from 'esbuild';
import { hmacKeyOf } from '../../src/tenancy/keys-repo';
import { launchChromium, type Browser } from '../helpers/chromium';
import { startTestApp, type TestApp } from '../helpers/test-app';

let app: TestApp;
let browser: Browser | undefined;
let sdkBundle: string;
beforeAll(async () => {
  app = await startTestApp();
  // The SDK as a browser would load it: one script, no Node built-ins.
  const built = await build({
    entryPoints: [path.join(__dirname, '..', '..', 'sdk', 'src', 'index.ts')],
    bundle: true,
    format: 'iife',
    globalName: 'VerigateSDK',
    platform: 'browser',
    target: 'chrome120',
    write: false,
    logLevel: 'silent',
  });
  sdkBundle = built.outputFiles[0]!.text;
  // Chromium's fake camera (a moving test pattern) stands in for the user's, and grants itself permission.
  browser = await launchChromium(['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream']);
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

const PAGE = `<!doctype html><html><body style="margin:0">
<video id="camera" autoplay muted playsinline width="640" height="480"></video>
<div id="overlay" style="position:fixed;inset:0;opacity:0.6;pointer-events:none"></div>
</body></html>`;

/** Captures a selfie in the browser page through the SDK, untimed or timed; the API's answer. */
async function captureInBrowser(timed: boolean) {
  const t = await app.tenant(['captures:write', 'captures:view', 'customers:write']);
  const hmacKey = (await hmacKeyOf(app.deps.db, app.deps.keys, t.orgId, t.keyId)) as string;
  const customer = (await (await app.request('POST', '/v1/customers', { key: t.key, body: { externalRef: 'browser-1' } })).json()) as {
    id: string;
  };

  const page = await browser!.context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  // Served at the API's own origin, as an integrator's page behind the same host would be.
  await page.route(`${app.url}/capture-page`, (route) => route.fulfill({ contentType: 'text/html', body: PAGE }));
  await page.goto(`${app.url}/capture-page`);
  await page.addScriptTag({ content: sdkBundle });
  const result = await page.evaluate(
    async ({ apiKey, hmacKey, customerId, timed }) => {
      const sdk = (window as unknown as { VerigateSDK: typeof import('../../sdk/src') }).VerigateSDK;
      const video = document.getElementById('camera') as HTMLVideoElement;
      video.srcObject = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 } });
      await video.play();
      while (video.videoWidth === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      const overlay = document.getElementById('overlay') as HTMLDivElement;
      const vg = new sdk.Verigate({ apiKey, hmacKey, baseUrl: location.origin });
      try {
        const capture = timed
          ? await vg.captures.capture({
              customerId,
              kind: 'selfie',
              version: 2,
              frames: (_sequence, challenge) => sdk.captureTimedFlashFrames({ video, overlay, challenge }),
            })
          : await vg.captures.capture({
              customerId,
              kind: 'selfie',
              frames: (sequence) => sdk.captureFlashFrames({ video, overlay, sequence, settleMs: 40 }),
            });
        return { capture };
      } catch (err) {
        const e = err as InstanceType<typeof sdk.VerigateError>;
        return { error: { name: e.name, code: e.code, status: e.status } };
      }
    },
    { apiKey: t.key, hmacKey, customerId: customer.id, timed },
  );
  return { errors, result, customerId: customer.id };
}

describe('the SDK in a browser', () => {
  it('when a page captures the flash frames from the camera and submits the bundle, then the API accepts its signature and analyses it', async () => {
    const { errors, result, customerId } = await captureInBrowser(false);
    expect(errors).toEqual([]);
    // Chromium's test pattern is no live face: the engine's spoof verdict is a typed 422 liveness_failed. Reaching
    // it means the bundle passed everything before the analysis: its frame count and images, the challenge and
    // the signature made in the browser (a wrong one is 400 bundle_signature_invalid).
    if (result.error) expect(result.error).toEqual({ name: 'VerificationError', code: 'liveness_failed', status: 422 });
    else expect(result.capture).toMatchObject({ object: 'capture_bundle', customerId, kind: 'selfie', frameCount: 8 });
  }, 60_000);

  it("when a page answers a timed challenge, showing each colour for its window, then the frames' times pass the schedule check and the frames are analysed", async () => {
    const { errors, result, customerId } = await captureInBrowser(true);
    expect(errors).toEqual([]);
    // A frame out of its window would be 400 invalid_request on frameTimes.N; reaching the verdict means the browser kept time.
    if (result.error) expect(result.error).toEqual({ name: 'VerificationError', code: 'liveness_failed', status: 422 });
    else expect(result.capture).toMatchObject({ object: 'capture_bundle', customerId, kind: 'selfie', frameCount: 8 });
  }, 60_000);
});
