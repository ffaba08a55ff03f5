import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Breakers } from './breakers';
import type { ProviderId } from '../../adapters/types';
import { KEY_MODES } from '../tenancy/key-mode';

const BREAKER_VALUE = { closed: 0, half_open: 1, open: 2 } as const;

/**
 * The gateway's Prometheus metrics, in a registry of its own (not prom-client's global one) so two apps
 * in one process (tests, the bench) never share or double-register series. Labels are bounded sets:
 * providers, operations, suite codes and checks come from config, never from requests.
 */
export class GatewayMetrics {
  readonly registry = new Registry();

  /** Upstream call latency in seconds, by provider, operation, outcome kind (result/error) and suite code. */
  readonly upstreamLatency = new Histogram({
    name: 'verigate_upstream_latency_seconds',
    help: 'Latency of upstream vendor calls',
    labelNames: ['provider', 'operation', 'outcome', 'code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  /** Upstream calls by how the ledger books them: charged, free or unknown. */
  readonly charges = new Counter({
    name: 'verigate_upstream_calls_total',
    help: 'Upstream vendor calls by charge',
    labelNames: ['provider', 'operation', 'charged'] as const,
    registers: [this.registry],
  });

  /** Candidates skipped without a call, by reason (breaker_open, drained, account_*, ...). */
  readonly skips = new Counter({
    name: 'verigate_provider_skips_total',
    help: 'Providers skipped without a call',
    labelNames: ['provider', 'reason'] as const,
    registers: [this.registry],
  });

  /** A verification moving on from one provider to the next after a non-final, uncharged (or allowed unknown) attempt. */
  readonly failovers = new Counter({
    name: 'verigate_failovers_total',
    help: 'Failovers from one provider to the next',
    labelNames: ['check', 'from', 'to'] as const,
    registers: [this.registry],
  });

  /** Finished verifications by check and status. */
  readonly verifications = new Counter({
    name: 'verigate_verifications_total',
    help: 'Verifications by check and final status',
    labelNames: ['check', 'status'] as const,
    registers: [this.registry],
  });

  /** Webhooks vendors sent, by what became of them (accepted, duplicate, signature_invalid, malformed, stale). */
  readonly inboundWebhooks = new Counter({
    name: 'verigate_inbound_webhooks_total',
    help: 'Vendor webhooks received, by outcome',
    labelNames: ['provider', 'outcome'] as const,
    registers: [this.registry],
  });

  /** Session events applied by the worker, by outcome (applied, superseded, unknown_session, key_mode_mismatch). */
  readonly sessionEvents = new Counter({
    name: 'verigate_session_events_total',
    help: 'Vendor session events applied to verifications, by outcome',
    labelNames: ['provider', 'outcome'] as const,
    registers: [this.registry],
  });

  constructor(breakers: Breakers, providers: readonly ProviderId[]) {
    // Read at scrape time, so the gauge never lags the breaker.
    new Gauge({
      name: 'verigate_breaker_state',
      help: 'Circuit breaker state per provider and key mode: 0 closed, 1 half-open, 2 open',
      labelNames: ['provider', 'mode'] as const,
      registers: [this.registry],
      collect() {
        for (const provider of providers) {
          for (const mode of KEY_MODES) this.set({ provider, mode }, BREAKER_VALUE[breakers.state(mode, provider)]);
        }
      },
    });
  }
}
