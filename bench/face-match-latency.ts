/**
 * POST /v1/matches latency on this machine, through the real app (in-process HTTP server, PGlite in
 * memory, Redis from REDIS_URL, the engine's worker pool): p50/p95 per match for one probe against one
 * reference and against a pool of 5 enrollments, with the probe and reference given as stored
 * artefacts (a capture bundle, enrollments: no image work) or as images (face detection per image).
 *
 *   REDIS_URL=redis://127.0.0.1:6399 node --import tsx bench/face-match-latency.ts [matches per case, default 20]
 */
import { performance } from 'node:perf_hooks';
import { hmacKeyOf } from '../src/tenancy/keys-repo';
import { newChallenge, signedBundle, submit } from '../test/engine/capture-client';
import { faceScene, renderCapture } from '../test/engine/fixtures/synth';
import { portraitJpeg, VARIANTS } from '../test/faces/portraits';
import { startTestApp } from '../test/helpers/test-app';

const RUNS = Number(process.argv[2] ?? 20);
const PERSON = 's6f0';
const OTHERS = ['s5f0', 's3f0', 's6f2', 's5f1'];

const percentile = (values: number[], p: number): number => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))] ?? 0;

async function main(): Promise<void> {
  const app = await startTestApp();
  try {
    const k = await app.tenant(['captures:write', 'customers:write', 'matches:write', 'enrollments:write']);
    const hmacKey = (await hmacKeyOf(app.deps.db, app.deps.keys, k.orgId, k.keyId)) as string;
    const customer = (await (await app.request('POST', '/v1/customers', { key: k.key, body: { externalRef: 'bench' } })).json()) as { id: string };
    const t = { ...k, hmacKey, customerId: customer.id };
    const c = await newChallenge(app, t, 'selfie');
    const frames = await renderCapture(await faceScene(0, 480, 640, { face: PERSON }), c.sequence, 8, { seed: 3 });
    const bundle = ((await (await submit(app, t, signedBundle(t, c, frames))).json()) as { id: string }).id;

    const b64 = async (id: string, v = VARIANTS[0]) => (await portraitJpeg(id, v)).toString('base64');
    const enrollmentIds: string[] = [];
    for (const person of [PERSON, ...OTHERS]) {
      const res = await app.request('POST', `/v1/customers/${customer.id}/enrollments`, { key: k.key, body: { image: await b64(person, VARIANTS[1]) } });
      if (res.status !== 201) throw new Error(`enroll ${person}: ${res.status} ${await res.text()}`);
      enrollmentIds.push(((await res.json()) as { id: string }).id);
    }
    // The pool is matched by default; for 1:1 runs the other four are set aside by naming one enrollment.
    const liveImage = await b64(PERSON, VARIANTS[2]);
    const referenceImage = await b64(PERSON, VARIANTS[3]);
    const cases: Array<[string, Record<string, unknown>]> = [
      ['bundle vs 1 enrollment (no image work)', { captureBundleId: bundle, faceEnrollmentId: enrollmentIds[0] }],
      ['bundle vs pool of 5 (no image work)', { captureBundleId: bundle }],
      ['liveImage vs 1 enrollment (1 detection)', { liveImage, faceEnrollmentId: enrollmentIds[0] }],
      ['liveImage vs pool of 5 (1 detection)', { liveImage }],
      ['liveImage vs referenceImage (2 detections)', { liveImage, referenceImage }],
    ];
    console.log(`| case | p50 ms | p95 ms | matched |\n|---|---|---|---|`);
    for (const [name, body] of cases) {
      const times: number[] = [];
      let matched = true;
      for (let i = 0; i < RUNS + 2; i++) {
        const started = performance.now();
        const res = await app.request('POST', '/v1/matches', { key: k.key, body: { customerId: customer.id, ...body } });
        const json = (await res.json()) as { matched?: boolean };
        if (res.status !== 201) throw new Error(`${name}: ${res.status} ${JSON.stringify(json)}`);
        if (i >= 2) times.push(performance.now() - started); // two warm-up calls
        matched &&= json.matched === true;
      }
      console.log(`| ${name} | ${percentile(times, 50).toFixed(1)} | ${percentile(times, 95).toFixed(1)} | ${matched} |`);
    }
  } finally {
    await app.close();
  }
}

void main();
