/** Command-line flags of run.ts (documented in its header) and their defaults. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { ChaosCounts } from './chaos';
import { DEFAULT_MIX, SCENARIOS, type Scenario } from './load';
import { ROOT } from './processes';

const SHORT = {
  verifications: '60',
  rate: '4',
  'api-kills': '1',
  'worker-kills': '1',
  'redis-restarts': '1',
  'vendor-faults': '1',
  seed: '7',
};

/** The run's settings: the flags (run.ts documents them) over the defaults, or over --short's preset. */
export function options() {
  const { values } = parseArgs({
    options: {
      verifications: { type: 'string' },
      seed: { type: 'string' },
      concurrency: { type: 'string' },
      rate: { type: 'string' },
      mix: { type: 'string' },
      'api-kills': { type: 'string' },
      'worker-kills': { type: 'string' },
      'redis-restarts': { type: 'string' },
      'vendor-faults': { type: 'string' },
      'vendor-latency-ms': { type: 'string' },
      'deadline-seconds': { type: 'string' },
      'request-timeout-seconds': { type: 'string' },
      'vendor-error-tries': { type: 'string' },
      'vendor-error-window-seconds': { type: 'string' },
      'replay-tries': { type: 'string' },
      'replay-window-seconds': { type: 'string' },
      customers: { type: 'string' },
      'settle-seconds': { type: 'string' },
      'sweep-job': { type: 'string' },
      report: { type: 'string' },
      json: { type: 'string' },
      keep: { type: 'boolean', default: false },
      'no-fail': { type: 'boolean', default: false },
      short: { type: 'boolean', default: false },
    },
  });
  const v: Record<string, string | boolean | undefined> = { ...(values.short ? SHORT : {}), ...values };
  const num = (name: string, fallback: number) => {
    const raw = v[name];
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name}: expected a number >= 0, got ${raw}`);
    return n;
  };
  const n = num('verifications', 200);
  const settling = settlingConfig();
  const clamp = (x: number, max: number) => Math.min(max, Math.max(1, x));
  const counts: ChaosCounts = {
    api_kill: num('api-kills', clamp(Math.ceil(n / 200), 10)),
    worker_kill: num('worker-kills', clamp(Math.ceil(n / 200), 10)),
    redis_restart: num('redis-restarts', clamp(Math.ceil(n / 200), 10)),
    vendor_fault: num('vendor-faults', clamp(Math.ceil(n / 100), 25)),
  };
  return {
    verifications: n,
    seed: num('seed', 1),
    concurrency: Math.max(1, num('concurrency', 16)),
    rate: num('rate', 0),
    mix: parseMix(v.mix as string | undefined),
    counts,
    vendorLatencyMs: num('vendor-latency-ms', 200),
    deadlineMs: num('deadline-seconds', 180) * 1000,
    requestTimeoutMs: num('request-timeout-seconds', 30) * 1000,
    vendorErrorTries: Math.max(1, num('vendor-error-tries', 6)),
    vendorErrorWindowMs: num('vendor-error-window-seconds', breakerResetSeconds() + 10) * 1000,
    replayTries: Math.max(1, num('replay-tries', 3)),
    replayWindowMs: num('replay-window-seconds', 20) * 1000,
    customers: Math.max(1, num('customers', 20)),
    settleMs: num('settle-seconds', settling.leaseSeconds !== undefined ? settling.leaseSeconds + 3 : 5) * 1000,
    sweepJobs: ((v['sweep-job'] as string | undefined) ?? settling.sweepJob ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    report: v.report as string | undefined,
    json: v.json as string | undefined,
    keep: v.keep === true,
    noFail: v['no-fail'] === true,
  };
}

/**
 * How the gateway settles verifications whose process died, read from config/gateway.json as written (the
 * section is new, so it may be absent): the lease after which a run counts as abandoned, and the job that
 * settles them.
 */
function settlingConfig(): { leaseSeconds?: number; sweepJob?: string } {
  const file = JSON.parse(readFileSync(path.join(ROOT, 'config', 'gateway.json'), 'utf8')) as {
    verifications?: { leaseSeconds?: unknown };
  };
  const lease = file.verifications?.leaseSeconds;
  if (typeof lease !== 'number') return {};
  return { leaseSeconds: lease, sweepJob: 'settle-abandoned-verifications' };
}

/** How long AccuAuth's breaker stays open before it tries again, from config/breakers.json (30 s if unreadable). */
function breakerResetSeconds(): number {
  try {
    const file = JSON.parse(readFileSync(path.join(ROOT, 'config', 'breakers.json'), 'utf8')) as {
      default?: { resetTimeoutMs?: number };
      providers?: Record<string, { resetTimeoutMs?: number }>;
    };
    return (file.providers?.accuauth?.resetTimeoutMs ?? file.default?.resetTimeoutMs ?? 30_000) / 1000;
  } catch {
    return 30;
  }
}

function parseMix(raw: string | undefined): Record<Scenario, number> {
  if (!raw) return DEFAULT_MIX;
  const mix = Object.fromEntries(Object.keys(SCENARIOS).map((s) => [s, 0])) as Record<Scenario, number>;
  for (const part of raw.split(',')) {
    const [suffix, weight] = part.split(':');
    if (!suffix || !(suffix in SCENARIOS) || !(Number(weight) >= 0)) {
      throw new Error(`--mix: "${part}" is not <suffix>:<weight> with a suffix of ${Object.keys(SCENARIOS).join(', ')}`);
    }
    mix[suffix as Scenario] = Number(weight);
  }
  return mix;
}

export type Options = ReturnType<typeof options>;
