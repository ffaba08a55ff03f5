import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startMain, type StartedMain } from '../helpers/start-main';

const ROOT = path.join(__dirname, '..', '..');

let dataDir: string;
let main: StartedMain | undefined;
beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'verigate-sdk-'));
  // What `npm start` runs, with the simulators on free ports so two runs on one machine never collide.
  main = await startMain(dataDir, 'all', { VERIGATE_SIMULATOR_PORTS: 'ephemeral' });
}, 90_000);
afterAll(async () => {
  await main?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('sdk/examples/walkthrough.ts against the running product', () => {
  it('when run with the banner key and hmacKey, then customer, identity_selfie, signed capture, liveness and usage all go through', async () => {
    const m = main!;
    expect(m.banner).toMatch(/simulators\s+accuauth http:\/\/127\.0\.0\.1:\d+/);
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'sdk/examples/walkthrough.ts', '--json'], {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_OPTIONS: '',
        VERIGATE_URL: m.url,
        VERIGATE_KEY: m.field('sandbox key'),
        VERIGATE_HMAC_KEY: m.field('its hmacKey'),
      },
      timeout: 120_000,
    });
    const result = JSON.parse(stdout);
    expect(result.customer.id).toMatch(/^cus_/);
    expect(result.identity).toMatchObject({ status: 'passed', provider: 'accuauth', result: { code: 'identity_match' } });
    expect(result.capture).toMatchObject({ object: 'capture_bundle', antiSpoof: { fused: 'live' } });
    expect(result.liveness).toMatchObject({ status: 'passed', provider: 'inhouse', result: { code: 'liveness_passed' } });
    const rows = result.usage.data as Array<{ provider: string; check: string; calls: number; charged: number }>;
    expect(rows).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ provider: 'accuauth', check: 'identity_selfie', calls: 1, charged: 1 }),
        expect.objectContaining({ provider: 'inhouse', check: 'liveness', calls: 1 }),
      ]),
    );
    expect(result.entries).toBe(2);
  }, 150_000);
});
