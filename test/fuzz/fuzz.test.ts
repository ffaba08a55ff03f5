import { fuzz } from '../../bench/fuzz/fuzz';
import { SEEDS } from '../../bench/fuzz/seeds';
import { startFuzzServer, type FuzzServer } from '../../bench/fuzz/server-process';
import { allRoutes } from '../../src/http/app';
import { REDIS_URL, startTestApp } from '../helpers/test-app';

/**
 * The short fuzz run of CI: 1,000 mutated requests (bodies, headers, framing) against the app running as
 * a child process. The long run (100,000) is `node --import tsx bench/fuzz/run.ts`, results in bench/README.md.
 */
jest.setTimeout(120_000);

describe('fuzzing the running API', () => {
  it('when the app declares a route, then the fuzzer has a seed for it', async () => {
    const app = await startTestApp();
    try {
      const declared = allRoutes(app.deps).map((r) => `${r.method.toUpperCase()} ${r.path}`);
      const seeded = new Set(SEEDS.map((s) => `${s.method} ${s.route}`));
      expect(declared.filter((r) => !seeded.has(r))).toEqual([]);
    } finally {
      await app.close();
    }
  });

  describe('a short run', () => {
    let server: FuzzServer | undefined;
    afterAll(() => server?.stop());

    it('when 1,000 mutated requests hit every route, then none answers 5xx or outside the error model, and the server stays up', async () => {
      server = await startFuzzServer({ REDIS_URL });
      const report = await fuzz(server.target, { requests: 1_000, seed: Number(process.env.FUZZ_SEED ?? 7), concurrency: 4 });
      expect(report.findings).toEqual([]);
      expect(server.exited()).toBeUndefined();
      expect((await fetch(`${server.target.url}/healthz`)).status).toBe(200);
      expect(report.requests).toBe(1_000);
    });
  });
});
