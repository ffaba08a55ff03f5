/**
 * Where the gateway's main-thread time goes: one closed-loop run of sync identity_selfie (the bench's G
 * target) under the V8 profiler, then the functions with the most self time, grouped by file.
 *
 *   npx tsx bench/profile-gateway.ts [--db pglite|postgres] [--seconds 8] [--concurrency 1]
 *
 * Needs Redis (REDIS_URL) and, for postgres, DATABASE_URL. Writes the profile to
 * `.data/gateway.cpuprofile` (open it in Chrome DevTools for the whole tree).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { producerConnection, whenReady } from '../src/jobs/redis';
import { migrate } from '../src/store/migrate';
import { startLoadClient, startSimulator } from './children';
import { benchEngine, type EngineName } from './engines';
import { startGatewayApp } from './gateway-app';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const ENGINE = arg('db', 'postgres') as EngineName;
const SECONDS = Number(arg('seconds', '8'));
const CONCURRENCY = Number(arg('concurrency', '1'));
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6399';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

async function main() {
  const engine = await benchEngine(ENGINE, process.env.DATABASE_URL ?? process.env.TEST_DATABASE_URL);
  const db = await engine.open();
  await migrate(db);
  const redis = producerConnection(REDIS_URL);
  await whenReady(redis);
  const simulator = await startSimulator();
  const gateway = await startGatewayApp(db, redis, REDIS_URL, simulator.url);
  const load = await startLoadClient();
  const target = {
    name: 'G',
    url: gateway.url,
    headers: { authorization: `Bearer ${gateway.key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ customerId: gateway.customerId, check: 'identity_selfie', input: { idNumber: '3217061012870001', faceImage: 'c2VsZmll' } }),
  };
  try {
    await load.run(target, CONCURRENCY, 2); // warm-up
    const session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 200 });
    await session.post('Profiler.start');
    const result = await load.run(target, CONCURRENCY, SECONDS);
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    mkdirSync(path.join(__dirname, '..', '.data'), { recursive: true });
    writeFileSync(path.join(__dirname, '..', '.data', 'gateway.cpuprofile'), JSON.stringify(profile));
    report(profile as unknown as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }, result.requests);
    process.stdout.write(`\n${result.requests} verifications, ${result.rps.toFixed(0)}/s, p50 ${result.p50.toFixed(2)} ms\n`);
  } finally {
    await load.close();
    await gateway.close();
    await simulator.close();
    redis.disconnect();
    await db.close();
    await engine.close();
  }
}

/** Self time per function and per file (node_modules packages collapsed), in ms per verification. */
function report(profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }, requests: number) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const where = (n: ProfileNode) => {
    const url = n.callFrame.url;
    const pkg = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url)?.[1];
    if (pkg) return `npm:${pkg}`;
    if (url.includes('/work/') || url.includes(path.sep)) return path.relative(path.join(__dirname, '..'), url.replace(/^file:\/\//, '')) || url;
    return url || `(${n.callFrame.functionName || 'native'})`;
  };
  const files = new Map<string, number>();
  const functions = new Map<string, number>();
  for (const [id, us] of self) {
    const n = byId.get(id);
    if (!n) continue;
    const file = where(n);
    files.set(file, (files.get(file) ?? 0) + us);
    const fn = `${n.callFrame.functionName || '(anonymous)'} ${file}:${n.callFrame.lineNumber + 1}`;
    functions.set(fn, (functions.get(fn) ?? 0) + us);
  }
  const per = (us: number) => (us / 1000 / requests).toFixed(3);
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  process.stdout.write(`self time per verification, by file (total ${per(total)} ms incl. idle):\n`);
  for (const [file, us] of [...files].sort((a, b) => b[1] - a[1]).slice(0, 25)) process.stdout.write(`  ${per(us).padStart(7)} ms  ${file}\n`);
  process.stdout.write(`\ntop functions:\n`);
  for (const [fn, us] of [...functions].sort((a, b) => b[1] - a[1]).slice(0, 30)) process.stdout.write(`  ${per(us).padStart(7)} ms  ${fn}\n`);
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
