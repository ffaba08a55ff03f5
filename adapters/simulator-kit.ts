import express, { type Express, type RequestHandler, type Response } from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';

/**
 * What every vendor simulator shares: fault knobs, billing counters and the `/__sim` control API.
 * Vendor behaviour (wire format, scenarios, error bodies) lives in each adapters/<vendor>/simulator.ts.
 */

export const Faults = z
  .object({
    /** Added delay before answering, in ms (default 0). */
    latencyMs: z.number().int().min(0).max(120_000).default(0),
    /** Share of requests (0..1) answered with the vendor's 5xx body instead of the scenario (default 0). */
    errorRate: z.number().min(0).max(1).default(0),
    /** Every billable call answers as the vendor does when the account is out of quota or funds (default false). */
    quotaExhausted: z.boolean().default(false),
    /** Every call answers with the vendor's 5xx body (default false). */
    serverError: z.boolean().default(false),
    /** Reads the request, then never answers: the caller times out after sending (default false). */
    hangAfterReceive: z.boolean().default(false),
    /** Answers 200 with a body that is not JSON (default false). */
    malformedBody: z.boolean().default(false),
    /** Seed of the error-rate dice, so a faulty run can be replayed (default 1). */
    seed: z.number().int().default(1),
  })
  .strict();
export type Faults = z.infer<typeof Faults>;

export interface BillingCounter {
  calls: number;
  charged: number;
}

/**
 * Most distinct references one simulator keeps per-reference counters for (`GET /__sim/billed`); calls with
 * a reference beyond that are still counted per scenario and in `untracked`, so memory stays bounded.
 */
export const MAX_TRACKED_REFS = 200_000;

/** Mutable state of one simulator: its faults and what it would have billed, per scenario. */
export class SimulatorState {
  faults: Faults = Faults.parse({});
  private counters = new Map<string, BillingCounter>();
  /** Per request reference (a vendor-side identity of the call, e.g. AccuAuth's id_number): calls and charges. */
  private refs = new Map<string, BillingCounter>();
  private untracked: BillingCounter = { calls: 0, charged: 0 };
  private rng = mulberry32(1);

  setFaults(patch: Partial<Faults>): Faults {
    this.faults = Faults.parse({ ...this.faults, ...patch });
    this.rng = mulberry32(this.faults.seed);
    return this.faults;
  }

  /**
   * Records one call of `scenario`, billed or not, as the vendor's invoice would; with `ref`, also under that
   * reference, so a caller can tell which request was billed and how many times (`GET /__sim/billed`).
   */
  record(scenario: string, charged: boolean, ref?: string): void {
    const counter = this.counters.get(scenario) ?? { calls: 0, charged: 0 };
    counter.calls += 1;
    if (charged) counter.charged += 1;
    this.counters.set(scenario, counter);
    if (ref === undefined) return;
    let perRef = this.refs.get(ref);
    if (!perRef) {
      if (this.refs.size >= MAX_TRACKED_REFS) perRef = this.untracked;
      else this.refs.set(ref, (perRef = { calls: 0, charged: 0 }));
    }
    perRef.calls += 1;
    if (charged) perRef.charged += 1;
  }

  /** Calls and charges recorded under one reference (zeros when none). */
  billedRef(ref: string): BillingCounter {
    return { ...(this.refs.get(ref) ?? { calls: 0, charged: 0 }) };
  }

  /** Every reference recorded, with its calls and charges, and what was recorded beyond MAX_TRACKED_REFS. */
  billedRefs(): { refs: Record<string, BillingCounter>; distinct: number; untracked: BillingCounter } {
    return { refs: Object.fromEntries(this.refs), distinct: this.refs.size, untracked: { ...this.untracked } };
  }

  billing(): { scenarios: Record<string, BillingCounter>; totalCalls: number; totalCharged: number } {
    const scenarios = Object.fromEntries(this.counters);
    const all = [...this.counters.values()];
    return { scenarios, totalCalls: all.reduce((n, c) => n + c.calls, 0), totalCharged: all.reduce((n, c) => n + c.charged, 0) };
  }

  /** True for the share of calls the error-rate knob picks. */
  rollError(): boolean {
    return this.faults.errorRate > 0 && this.rng() < this.faults.errorRate;
  }

  reset(): void {
    this.counters.clear();
    this.refs.clear();
    this.untracked = { calls: 0, charged: 0 };
    this.faults = Faults.parse({});
    this.rng = mulberry32(this.faults.seed);
  }
}

/** How a vendor says "server error" and "not JSON": each simulator supplies its own bodies. */
export interface FaultBodies {
  serverError(res: Response): void;
  malformed(res: Response): void;
  /** The vendor's answer to a body over `bodyLimitBytes` (default: a JSON 413). */
  tooLarge?(res: Response): void;
}

export interface SimulatorOptions {
  /** Largest request body, in bytes (default 35 MB, above every vendor's documented limit). */
  bodyLimitBytes?: number;
}

/** The raw request body parsed as JSON: vendors answer bad JSON in their own words. */
export function parseJsonBody(body: unknown): { ok: true; value: unknown } | { ok: false } {
  if (!Buffer.isBuffer(body) || body.length === 0) return { ok: false };
  try {
    return { ok: true, value: JSON.parse(body.toString('utf8')) };
  } catch {
    return { ok: false };
  }
}

/**
 * An Express app with the `/__sim` control routes and the generic faults applied before the vendor's
 * routes, which `mount` adds. Vendor routes get the body as a Buffer in `req.body` (see parseJsonBody).
 * Quota exhaustion is vendor-specific, so vendors check `state.faults.quotaExhausted`.
 */
export function simulatorApp(
  provider: string,
  state: SimulatorState,
  bodies: FaultBodies,
  mount: (app: Express) => void,
  options: SimulatorOptions = {},
): Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/__sim/billing', (_req, res) => {
    res.json({ provider, ...state.billing() });
  });
  // `?ref=` answers one reference's counters; without it, every reference (the vendor's books per request).
  app.get('/__sim/billed', (req, res) => {
    const ref = req.query.ref;
    if (typeof ref === 'string') return void res.json({ provider, ref, ...state.billedRef(ref) });
    res.json({ provider, ...state.billedRefs() });
  });
  app.get('/__sim/faults', (_req, res) => {
    res.json(state.faults);
  });
  app.post('/__sim/faults', express.json(), (req, res) => {
    const parsed = Faults.partial().safeParse(req.body);
    if (!parsed.success) return void res.status(400).json({ error: parsed.error.issues.map((i) => i.message).join('; ') });
    res.json(state.setFaults(parsed.data));
  });
  app.post('/__sim/reset', (_req, res) => {
    state.reset();
    res.json({ ok: true });
  });
  app.use(express.raw({ type: () => true, limit: options.bodyLimitBytes ?? 35 * 1024 * 1024 }));
  app.use(applyFaults(state, bodies));
  mount(app);
  app.use(((err, _req, res, _next) => {
    if ((err as { type?: string }).type === 'entity.too.large') {
      if (bodies.tooLarge) return bodies.tooLarge(res);
      return void res.status(413).json({ error: 'request entity too large' });
    }
    bodies.serverError(res);
  }) as express.ErrorRequestHandler);
  return app;
}

function applyFaults(state: SimulatorState, bodies: FaultBodies): RequestHandler {
  return (req, res, next) => {
    const f = state.faults;
    const proceed = () => {
      if (f.hangAfterReceive) return; // request read, never answered
      if (f.serverError || state.rollError()) return bodies.serverError(res);
      if (f.malformedBody) return bodies.malformed(res);
      next();
    };
    // The body has been read by now, so a hang really is "after the request was received".
    if (f.latencyMs > 0) setTimeout(proceed, f.latencyMs);
    else proceed();
  };
}

export interface RunningSimulator {
  url: string;
  close(): Promise<void>;
}

/**
 * How the runtime starts a vendor's simulator: on `port` (0 picks a free one) and `host`, accepting the
 * sandbox `credentials` of the vendor's declaration. Its state carries the fault knobs and billing counters.
 */
export type SimulatorStarter = (
  port: number,
  credentials: Readonly<Record<string, string>>,
  host?: string,
  context?: SimulatorContext,
) => Promise<RunningSimulator & { state: SimulatorState }>;

/** What the runtime tells a simulator about the gateway it stands beside. */
export interface SimulatorContext {
  /** The gateway's base URL once it listens (read when needed): where a vendor that sends webhooks sends them. */
  gatewayUrl?: () => string | undefined;
}

/** Listens on `host` (default loopback only; port 0 picks a free one). */
export async function listen(app: Express, port = 0, host = '127.0.0.1'): Promise<RunningSimulator> {
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(port, host, () => resolve(s)).once('error', reject);
  });
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
