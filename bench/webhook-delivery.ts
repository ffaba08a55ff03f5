/**
 * Webhook delivery: N events to a local receiver through the real queue and worker, against two baselines
 * in the same run. See bench/README.md ("Webhook delivery").
 *
 *   B0  a bare BullMQ round trip: add a job, a worker with a no-op processor notes when it ran.
 *   B1  BullMQ + the HTTP POST: the job's processor POSTs a small JSON body to the receiver (keep-alive).
 *   B2  B1 plus, before the POST, the database round trips the webhook path makes per event after its
 *       commit (7 sequential `SELECT 1`): the floor of any durable fan-out + delivery on that engine.
 *   W   the webhook path: the event recorded in its own transaction, announced, fanned out (a job and a
 *       transaction), delivered (a job: read, URL check, sign, POST pinned to the checked address, record).
 *
 * Two loads per target: `burst` (all N at once: throughput = N / (last arrival - first send)) and `paced`
 * (N at --rate per second: latency from the event's commit, or the job's add, to its arrival at the
 * receiver, p50/p99). The receiver is a child process; producer and worker share the measuring process.
 */
import { randomBytes } from 'node:crypto';
import { fork, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Queue, Worker } from 'bullmq';
import { loadConfig, type Config } from '../src/config';
import { producerConnection, whenReady, workerConnection } from '../src/jobs/redis';
import { Jobs } from '../src/jobs/jobs';
import { startWebhooksWorker } from '../src/jobs/workers';
import { createLogger } from '../src/logger';
import { migrate } from '../src/store/migrate';
import type { Db } from '../src/store/db';
import { KeyMaterial } from '../src/tenancy/key-material';
import { createOrg } from '../src/tenancy/orgs-repo';
import { announceEvents } from '../src/webhooks/announce';
import { createEndpoint } from '../src/webhooks/endpoints';
import { recordEvent } from '../src/webhooks/events-repo';
import { benchEngine, type EngineName } from './engines';
import { median } from './report';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
if (args.has('help')) {
  process.stdout.write(
    'usage: npx tsx bench/webhook-delivery.ts [--events 1000] [--rate 50] [--reps 3] [--db pglite|postgres|both] [--targets B0,B1,B2,W] [--loads burst,paced] [--concurrency <config/webhooks.json delivery.concurrency>]\n',
  );
  process.exit(0);
}
const EVENTS = Number(args.get('events') ?? 1000);
const RATE = Number(args.get('rate') ?? 50);
const REPS = Number(args.get('reps') ?? 3);
const DB_URL = process.env.DATABASE_URL ?? process.env.TEST_DATABASE_URL;
const DBS: EngineName[] =
  (args.get('db') ?? (DB_URL ? 'both' : 'pglite')) === 'both' ? ['pglite', 'postgres'] : [(args.get('db') as EngineName) ?? 'pglite'];
const TARGETS = (args.get('targets') ?? 'B0,B1,B2,W').split(',') as Target[];
/** Statements the webhook path makes per event after its commit: fan-out (BEGIN, mark, match, insert, COMMIT), delivery (read, record). */
const ROUND_TRIPS = 7;
const LOADS = (args.get('loads') ?? 'burst,paced').split(',') as Load[];
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6399';
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Receiver {
  url: string;
  dump(): Promise<Map<string, number>>;
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const child: ChildProcess = fork(path.join(__dirname, 'webhook-receiver-child.ts'), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const { url } = await new Promise<{ url: string }>((resolve) => child.once('message', (m: { url: string }) => resolve(m)));
  return {
    url,
    dump: () =>
      new Promise((resolve) => {
        child.once('message', (m: { arrivals: Array<[string, number]> }) => resolve(new Map(m.arrivals)));
        child.send({ dump: true });
      }),
    close: () => new Promise((resolve) => (child.once('exit', () => resolve()), child.disconnect())),
  };
}

/** Sends N items, all at once or paced; `send` returns the id the receiver will note and the send time. */
async function drive(load: 'burst' | 'paced', send: (i: number) => Promise<[string, number]>): Promise<Map<string, number>> {
  const sent = new Map<string, number>();
  if (load === 'burst') {
    const all = await Promise.all(Array.from({ length: EVENTS }, (_, i) => send(i)));
    for (const [id, at] of all) sent.set(id, at);
    return sent;
  }
  const start = now();
  const pending: Array<Promise<void>> = [];
  for (let i = 0; i < EVENTS; i++) {
    const due = start + (i * 1000) / RATE;
    const wait = due - now();
    if (wait > 1) await sleep(wait);
    pending.push(send(i).then(([id, at]) => void sent.set(id, at)));
  }
  await Promise.all(pending);
  return sent;
}

interface Measured {
  /** Items sent (events committed, jobs added) per second, over the sending. */
  sentRate: number;
  /** Deliveries per second, from the first send to the last arrival. */
  rate: number;
  p50: number;
  p99: number;
}

const sendRate = (sent: Map<string, number>) => (sent.size * 1000) / Math.max(1, Math.max(...sent.values()) - Math.min(...sent.values()));

async function collect(receiver: Receiver, sent: Map<string, number>): Promise<Measured> {
  const arrived = new Map<string, number>();
  const deadline = Date.now() + 300_000;
  while (arrived.size < sent.size) {
    if (Date.now() > deadline) throw new Error(`only ${arrived.size} of ${sent.size} arrived`);
    await sleep(100);
    for (const [id, at] of await receiver.dump()) if (sent.has(id) && !arrived.has(id)) arrived.set(id, at);
  }
  const latencies = [...sent].map(([id, at]) => arrived.get(id)! - at).sort((a, b) => a - b);
  const first = Math.min(...sent.values());
  const last = Math.max(...arrived.values());
  return {
    sentRate: sendRate(sent),
    rate: (sent.size * 1000) / (last - first),
    p50: latencies[Math.floor(latencies.length * 0.5)]!,
    p99: latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * 0.99))]!,
  };
}

type Target = 'B0' | 'B1' | 'B2' | 'W';
type Load = 'burst' | 'paced';

async function main() {
  const base = loadConfig({ ...process.env, NODE_ENV: 'test', REDIS_URL, VERIGATE_MASTER_KEY: 'cd'.repeat(32) });
  const delivery = { ...base.webhooks.delivery, concurrency: Number(args.get('concurrency') ?? base.webhooks.delivery.concurrency) };
  const config: Config = { ...base, webhooks: { ...base.webhooks, delivery, allow: { hosts: [], cidrs: ['127.0.0.1/32'] } } };
  const concurrency = config.webhooks.delivery.concurrency;
  const logger = createLogger('warn');
  const producer = producerConnection(REDIS_URL);
  await whenReady(producer);
  const redisVersion = /redis_version:(\S+)/.exec(await producer.info('server'))?.[1];
  const receiver = await startReceiver();
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(`# webhook delivery, ${new Date().toISOString()}`);
  out(
    `machine: nproc=${os.cpus().length} cpu=${os.cpus()[0]?.model ?? '?'} node=${process.version} redis=${redisVersion ?? '?'} load=${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  out(`events=${EVENTS} paced rate=${RATE}/s reps=${REPS} worker concurrency=${concurrency}`);

  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const post = (id: string) =>
    new Promise<void>((resolve, reject) => {
      const req = http.request(
        receiver.url,
        { method: 'POST', agent, headers: { 'x-bench-id': id, 'content-type': 'application/json' } },
        (res) => {
          res.resume();
          res.on('end', resolve);
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify({ id, object: 'event', data: { status: 'passed' } }));
    });

  try {
    for (const dbName of DBS) {
      const engine = await benchEngine(dbName, DB_URL);
      const db: Db = await engine.open();
      await migrate(db);
      const keys = new KeyMaterial(config.masterKey);
      const org = await createOrg(db, { name: 'bench' });
      const caller = { orgId: org.id, keyId: 'key_bench', keyMode: 'test' as const, scopes: [] };
      const results: Record<string, Measured[]> = {};
      try {
        for (let rep = 0; rep < REPS; rep++) {
          for (const load of LOADS) {
            for (const target of TARGETS) {
              const prefix = `bench-${randomBytes(4).toString('hex')}`;
              const consumer = workerConnection(REDIS_URL);
              let workers: Worker[] = [];
              let queue: Queue | undefined;
              let jobs: Jobs | undefined;
              let sent: Map<string, number>;
              try {
                if (target === 'W') {
                  jobs = new Jobs(producer, prefix);
                  const deps = { config, db, keys, logger, now: () => new Date(), jobs };
                  await createEndpoint(deps, caller, { url: `${receiver.url}/hooks`, enabledEvents: ['*'] }, (work) =>
                    db.transaction(work),
                  );
                  workers = [startWebhooksWorker(deps, consumer)];
                  sent = await drive(load, async (i) => {
                    const id = await db.transaction((tx) =>
                      recordEvent(tx, {
                        orgId: org.id,
                        type: 'verification.completed',
                        sandbox: true,
                        data: { verificationId: `ver_${i}`, status: 'passed' },
                      }),
                    );
                    const at = now();
                    await announceEvents(deps, [id]);
                    return [id, at];
                  });
                } else {
                  const name = `bench-${target}`;
                  queue = new Queue(name, { connection: producer, prefix });
                  const processor =
                    target === 'B0'
                      ? async () => undefined
                      : async (job: { data: { id: string } }) => {
                          // B2: the webhook path's round trips to the database, as trivial statements, then the POST.
                          if (target === 'B2') for (let i = 0; i < ROUND_TRIPS; i++) await db.query('SELECT 1');
                          return post(job.data.id);
                        };
                  workers = [new Worker(name, processor, { connection: consumer, prefix, concurrency })];
                  workers[0]!.on('failed', (_job, err) => out(`  ${target} ${load}: a failed try: ${err.message}`));
                  if (target === 'B0') {
                    // The no-op job's arrival is noted by the worker itself (no receiver involved).
                    const ran = new Map<string, number>();
                    workers[0]!.on('completed', (job) => void ran.set(job.data.id as string, now()));
                    sent = await drive(load, async (i) => {
                      const id = `b0-${i}`;
                      const at = now();
                      await queue!.add('noop', { id }, { jobId: id, removeOnComplete: true });
                      return [id, at];
                    });
                    while (ran.size < sent.size) await sleep(20);
                    const lat = [...sent].map(([id, at]) => ran.get(id)! - at).sort((a, b) => a - b);
                    const first = Math.min(...sent.values());
                    (results[`${load} ${target}`] ??= []).push({
                      sentRate: sendRate(sent),
                      rate: (sent.size * 1000) / (Math.max(...ran.values()) - first),
                      p50: lat[Math.floor(lat.length * 0.5)]!,
                      p99: lat[Math.min(lat.length - 1, Math.floor(lat.length * 0.99))]!,
                    });
                    continue;
                  }
                  sent = await drive(load, async (i) => {
                    const id = `${target}-${i}-${prefix}`;
                    const at = now();
                    // Retried as the webhook path would be, but at once: a lost POST would otherwise stall the run.
                    await queue!.add(
                      'post',
                      { id },
                      { jobId: id, removeOnComplete: true, attempts: 3, backoff: { type: 'fixed', delay: 100 } },
                    );
                    return [id, at];
                  });
                }
                try {
                  (results[`${load} ${target}`] ??= []).push(await collect(receiver, sent));
                } finally {
                  if (target === 'W') {
                    const { rows } = await db.query<{ error: string; n: number }>(
                      'SELECT error, count(*)::int AS n FROM webhook_delivery_attempts WHERE error IS NOT NULL GROUP BY error',
                    );
                    for (const r of rows) out(`  W ${load}: ${r.n} failed tries: ${r.error}`);
                    await db.query('DELETE FROM webhook_delivery_attempts WHERE error IS NOT NULL');
                  }
                }
              } finally {
                await Promise.all(workers.map((w) => w.close()));
                const q = queue ?? new Queue('webhooks', { connection: producer, prefix });
                await q.obliterate({ force: true }).catch(() => undefined);
                await q.close();
                await jobs?.close();
                consumer.disconnect();
                await receiver.dump();
              }
            }
          }
        }
      } finally {
        await db.close();
        await engine.close();
      }
      out(`\n## ${engine.where}\n`);
      out('| load | target | sent/s | deliveries/s | p50 ms | p99 ms |');
      out('|---|---|---|---|---|---|');
      for (const [label, runs] of Object.entries(results)) {
        const [load, target] = label.split(' ');
        const m = (k: keyof Measured, d: number) =>
          `${median(runs.map((r) => r[k])).toFixed(d)} (${Math.min(...runs.map((r) => r[k])).toFixed(d)}–${Math.max(...runs.map((r) => r[k])).toFixed(d)})`;
        out(`| ${load} | ${target} | ${m('sentRate', 0)} | ${m('rate', 0)} | ${m('p50', 1)} | ${m('p99', 1)} |`);
      }
      const rate = (label: string) => median((results[label] ?? []).map((r) => r.rate));
      out(
        `\nburst throughput W/B2 = ${(rate('burst W') / rate('burst B2')).toFixed(2)}, W/B1 = ${(rate('burst W') / rate('burst B1')).toFixed(2)}, W/B0 = ${(rate('burst W') / rate('burst B0')).toFixed(2)}`,
      );
    }
  } finally {
    agent.destroy();
    await receiver.close();
    producer.disconnect();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`${(err as Error).stack}\n`);
    process.exit(1);
  },
);
