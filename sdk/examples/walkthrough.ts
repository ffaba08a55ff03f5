// The README walk-through with the SDK: a customer, an identity_selfie check (AccuAuth's simulator behind a
// sandbox key), a flash capture signed with the key's hmacKey, a liveness check on it (the in-house engine),
// and the usage it all booked. Run it against `npm start`, with the key and hmacKey from its banner:
//
//   VERIGATE_KEY=vk_test_... VERIGATE_HMAC_KEY=... npm run example -w sdk            (add -- --json for JSON)
//
// In a browser the frames come from the camera (captureFlashFrames); here from the repository's capture
// synthesiser (test/engine/fixtures/synth.ts), which renders a face lit by each colour of the challenge.
import { faceScene, renderCapture, renderFrame } from '../../test/engine/fixtures/synth';
import { toBase64, Verigate, type Capture, type Customer, type Rgb, type UsageReport, type Verification } from '../src';

/** Where the pictures come from: a still selfie, and one frame under each flash colour. */
export interface Camera {
  still(): Promise<Uint8Array>;
  flashes(sequence: Rgb[]): Promise<Uint8Array[]>;
}

export interface WalkthroughOptions {
  baseUrl: string;
  apiKey: string;
  hmacKey: string;
  camera: Camera;
  /** The NIK to check; the AccuAuth simulator answers a match for NIKs ending in 01. */
  nik?: string;
  log?: (line: string) => void;
}

export interface WalkthroughResult {
  customer: Customer;
  identity: Verification;
  capture: Capture;
  liveness: Verification;
  usage: UsageReport;
  /** The ledger rows of this walk-through's customer. */
  entries: number;
}

export async function runWalkthrough(o: WalkthroughOptions): Promise<WalkthroughResult> {
  const log = o.log ?? (() => undefined);
  const client = new Verigate({ apiKey: o.apiKey, hmacKey: o.hmacKey, baseUrl: o.baseUrl });

  const customer = await client.customers.create({ externalRef: `walkthrough-${Date.now()}` });
  log(`customer ${customer.id}`);

  const selfie = await o.camera.still();
  const identity = await client.verifications.create({
    customerId: customer.id,
    check: 'identity_selfie',
    provider: 'auto',
    input: { idNumber: o.nik ?? '3217061012870001', faceImage: toBase64(selfie) },
  });
  log(`identity_selfie: ${identity.status} by ${identity.provider} (${identity.result?.code})`);

  const capture = await client.captures.capture({
    customerId: customer.id,
    kind: 'selfie',
    frames: (sequence) => o.camera.flashes(sequence),
  });
  log(`capture ${capture.id}: anti-spoof ${capture.antiSpoof?.fused ?? 'none'}`);

  const liveness = await client.verifications.create({
    customerId: customer.id,
    check: 'liveness',
    input: { captureBundleId: capture.id },
  });
  log(`liveness: ${liveness.status} (${liveness.result?.code})`);

  const usage = await client.usage.retrieve();
  let entries = 0;
  for await (const entry of client.usage.allEntries()) if (entry.customerId === customer.id) entries++;
  for (const row of usage.data)
    log(`usage ${row.day} ${row.provider} ${row.check}: ${row.calls} calls, ${row.charged} charged, cost ${row.cost} ${row.currency}`);
  return { customer, identity, capture, liveness, usage, entries };
}

/** The repository's synthetic camera: a sample face, rendered under each colour as a real capture would show it. */
async function synthesisedCamera(): Promise<Camera> {
  const scene = await faceScene(5);
  return {
    still: async () => new Uint8Array(await renderFrame(scene, null)),
    flashes: async (sequence) => (await renderCapture(scene, sequence, sequence.length, { seed: 5 })).map((f) => new Uint8Array(f)),
  };
}

async function main(): Promise<void> {
  const apiKey = process.env.VERIGATE_KEY;
  const hmacKey = process.env.VERIGATE_HMAC_KEY;
  if (!apiKey || !hmacKey) {
    process.stderr.write(
      'Set VERIGATE_KEY and VERIGATE_HMAC_KEY from the npm start banner (and VERIGATE_URL if not http://localhost:8080).\n',
    );
    process.exit(2);
  }
  const json = process.argv.includes('--json');
  const result = await runWalkthrough({
    baseUrl: process.env.VERIGATE_URL ?? 'http://localhost:8080',
    apiKey,
    hmacKey,
    camera: await synthesisedCamera(),
    log: json ? undefined : (line) => process.stdout.write(`${line}\n`),
  });
  if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`walkthrough: ${(err as Error).stack}\n`);
    process.exit(1);
  });
}
