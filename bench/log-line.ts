/**
 * What the per-request log line costs the main thread: the exact line `requestContext` writes on every
 * response (src/http/middleware/request-context.ts), through the app's logger (createLogger: the redaction
 * paths, ISO time), against the same logger at `silent` and a plain pino without redaction, in one run.
 *
 *   npx tsx bench/log-line.ts [--lines 200000] [--reps 3]
 *
 * Lines go to /dev/null through pino's asynchronous SonicBoom destination (as `node src/main.ts > file`
 * does), so the figure is the serialisation and redaction on the event loop plus the batched write; the
 * median of `--reps` rounds per variant, interleaved, is printed in µs per line.
 */
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { createLogger } from '../src/logger';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const LINES = Number(arg('lines', '200000'));
const REPS = Number(arg('reps', '3'));

const destination = () => pino.destination({ dest: '/dev/null', sync: false, minLength: 4096 });

const variants = {
  silent: createLogger('silent'),
  'info, app logger (redaction)': createLogger('info', destination()),
  'info, plain pino (no redaction)': pino({ base: { service: 'verigate' }, timestamp: pino.stdTimeFunctions.isoTime }, destination()),
};

/** The line as requestContext builds it, its values varied per line as they are per request. */
function logLines(logger: pino.Logger, n: number): number {
  const started = performance.now();
  for (let i = 0; i < n; i++) {
    logger.info(
      {
        requestId: `req_${i.toString(36).padStart(22, '0')}`,
        method: 'POST',
        path: '/v1/verifications',
        status: 200,
        ms: 5 + (i % 100) / 10,
        orgId: 'org_2bQ8mV0kJ7yT1xR4pL6nZ3',
        keyId: 'key_7Hc2sW9dF4gK1mN8pQ5rT0',
        errorCode: undefined,
      },
      'request',
    );
  }
  return ((performance.now() - started) * 1000) / n;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function main() {
  for (const logger of Object.values(variants)) logLines(logger, 20_000); // warm-up (JIT, buffers)
  const results = new Map<string, number[]>(Object.keys(variants).map((k) => [k, []]));
  for (let r = 0; r < REPS; r++) {
    for (const [name, logger] of Object.entries(variants)) results.get(name)?.push(logLines(logger, LINES));
    await new Promise((resolve) => setImmediate(resolve)); // let the destinations drain between rounds
  }
  process.stdout.write(`per-request log line, µs of main thread per line (median of ${REPS} × ${LINES} lines)\n`);
  for (const [name, us] of results) process.stdout.write(`  ${median(us).toFixed(2).padStart(7)} µs  ${name}\n`);
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
