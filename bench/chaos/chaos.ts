/**
 * The chaos: a plan drawn from the seed (which events, at which share of the verifications started, with
 * which pauses and faults), then run against the live processes while the load goes on. Events of one kind
 * run one after another; different kinds may overlap. Every event is logged on the timeline.
 */
import type { Supervised } from './processes';
import { sleep } from './processes';
import type { Rng } from './rng';
import type { Timeline } from './timeline';

export type ChaosKind = 'api_kill' | 'worker_kill' | 'redis_restart' | 'vendor_fault';

export interface VendorFault {
  name: string;
  /** Body of POST /__sim/faults. */
  patch: Record<string, number | boolean>;
  durationMs: number;
}

export interface PlannedEvent {
  kind: ChaosKind;
  /** Share of the verifications started (0..1) at which the event fires. */
  at: number;
  /** How long the process stays dead (kills, Redis). */
  pauseMs: number;
  fault?: VendorFault;
}

export type ChaosCounts = Record<ChaosKind, number>;

/** The simulator's knobs with no fault on, answering after `latencyMs` (the run's baseline vendor latency). */
export const faultsOff = (latencyMs: number) => ({
  latencyMs,
  errorRate: 0,
  hangAfterReceive: false,
  serverError: false,
  malformedBody: false,
  quotaExhausted: false,
});

function drawFault(rng: Rng, vendorTimeoutMs: number): VendorFault {
  const name = rng.weighted({ latency_over_timeout: 2, latency: 2, error_rate: 2, hang: 1, server_error: 1, malformed: 1 });
  const durationMs = Math.round(rng.between(2000, 10_000));
  const patch: VendorFault['patch'] = {
    // Past the adapter's timeout: the gateway gives up (charge unknown), the vendor still answers and bills.
    latency_over_timeout: { latencyMs: vendorTimeoutMs + rng.int(500, 4000) },
    latency: { latencyMs: rng.int(200, 3000) },
    error_rate: { errorRate: Math.round(rng.between(0.2, 0.7) * 100) / 100, seed: rng.int(1, 1_000_000) },
    hang: { hangAfterReceive: true },
    server_error: { serverError: true },
    malformed: { malformedBody: true },
  }[name];
  return { name, patch, durationMs };
}

/**
 * `counts[kind]` events of each kind, spread between 5% and 95% of the verifications started: the range is
 * cut into one slot per event, the kinds are shuffled over the slots and each event lands at a random point
 * of the middle of its slot, so even a short run gives every event its own stretch of load (longer events,
 * such as a 12 s Redis outage, still overlap the next ones).
 */
export function planChaos(rng: Rng, counts: ChaosCounts, vendorTimeoutMs: number): PlannedEvent[] {
  const kinds = (['api_kill', 'worker_kill', 'redis_restart', 'vendor_fault'] as const).flatMap((k) => Array<ChaosKind>(counts[k]).fill(k));
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [kinds[i], kinds[j]] = [kinds[j] as ChaosKind, kinds[i] as ChaosKind];
  }
  return kinds.map((kind, slot) => {
    const at = 0.05 + (0.9 * (slot + rng.between(0.2, 0.8))) / kinds.length;
    const pauseMs = Math.round(kind === 'redis_restart' ? rng.between(1000, 12_000) : rng.between(500, 3000));
    return { kind, at, pauseMs, ...(kind === 'vendor_fault' && { fault: drawFault(rng, vendorTimeoutMs) }) };
  });
}

export interface ChaosTargets {
  api: Supervised;
  worker: Supervised;
  redis: Supervised;
  /** The AccuAuth simulator's base URL. */
  vendorUrl: string;
}

export interface LoadProgress {
  readonly started: number;
  readonly inFlight: number;
}

export async function setVendorFaults(vendorUrl: string, patch: Record<string, number | boolean>): Promise<void> {
  const res = await fetch(`${vendorUrl}/__sim/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(patch),
    signal: AbortSignal.timeout(5000),
  });
  if (!res.ok) throw new Error(`POST /__sim/faults: ${res.status} ${await res.text()}`);
}

export class Chaos {
  /** Events that fired, and those the load finished before reaching. */
  fired = 0;
  skipped = 0;

  constructor(
    private readonly plan: PlannedEvent[],
    private readonly targets: ChaosTargets,
    private readonly load: LoadProgress,
    private readonly total: number,
    private readonly timeline: Timeline,
    private readonly signal: AbortSignal,
    /** The vendor's latency outside fault windows, restored when a fault ends. */
    private readonly baselineLatencyMs: number,
  ) {}

  /** Runs the plan; resolves once every event has fired or been skipped because `loadDone()` turned true. */
  async run(loadDone: () => boolean): Promise<void> {
    const kinds = [...new Set(this.plan.map((e) => e.kind))];
    await Promise.all(
      kinds.map((kind) =>
        this.runKind(
          this.plan.filter((e) => e.kind === kind),
          loadDone,
        ),
      ),
    );
  }

  private async runKind(events: PlannedEvent[], loadDone: () => boolean): Promise<void> {
    for (const event of events) {
      const due = Math.max(1, Math.ceil(event.at * this.total));
      while (this.load.started < due && !loadDone() && !this.signal.aborted) await sleep(20);
      if (loadDone() || this.signal.aborted) {
        this.skipped += 1;
        this.timeline.log(`${event.kind} planned at ${(event.at * 100).toFixed(0)}% skipped: the load ended first`);
        continue;
      }
      this.fired += 1;
      await this.fire(event).catch((err) => this.timeline.log(`${event.kind} failed: ${(err as Error).message.split('\n')[0]}`));
    }
  }

  private async fire(event: PlannedEvent): Promise<void> {
    const { api, worker, redis, vendorUrl } = this.targets;
    const tl = this.timeline;
    const where = `at ${this.load.started}/${this.total} started`;
    switch (event.kind) {
      case 'api_kill': {
        // A kill should land on work: wait (up to 5 s) until a request is in flight.
        for (let i = 0; i < 250 && this.load.inFlight === 0; i++) await sleep(20);
        const inFlight = this.load.inFlight;
        await api.kill9();
        tl.log(`kill -9 api ${where}, ${inFlight} request(s) in flight; restart in ${(event.pauseMs / 1000).toFixed(1)} s`);
        await sleep(event.pauseMs);
        await api.startRetrying();
        tl.log('api back');
        return;
      }
      case 'worker_kill':
        await worker.kill9();
        tl.log(`kill -9 worker ${where}; restart in ${(event.pauseMs / 1000).toFixed(1)} s`);
        await sleep(event.pauseMs);
        await worker.startRetrying();
        tl.log('worker back');
        return;
      case 'redis_restart':
        await redis.kill9();
        tl.log(`kill -9 redis ${where}; restart in ${(event.pauseMs / 1000).toFixed(1)} s (same port, same AOF)`);
        await sleep(event.pauseMs);
        await redis.startRetrying();
        tl.log('redis back');
        return;
      case 'vendor_fault': {
        const fault = event.fault as VendorFault;
        await setVendorFaults(vendorUrl, fault.patch);
        tl.down('vendor_fault');
        tl.log(`accuauth fault ${fault.name} ${JSON.stringify(fault.patch)} for ${(fault.durationMs / 1000).toFixed(1)} s ${where}`);
        await sleep(fault.durationMs);
        await setVendorFaults(vendorUrl, faultsOff(this.baselineLatencyMs));
        tl.up('vendor_fault');
        tl.log(`accuauth fault ${fault.name} off`);
        return;
      }
    }
  }
}
