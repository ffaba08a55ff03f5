/**
 * The clients: `concurrency` integrators, each sending its verifications one after another, at most `rate`
 * new ones per second overall. Every verification has its own NIK and Idempotency-Key; on a network error,
 * a 5xx, 409 idempotency_key_in_use or 429 the client sends the same request with the same key again after
 * a backoff (250 ms doubling to 4 s, jittered), until its deadline. 2xx and any other 4xx are final.
 * Two stops keep a run bounded, each reported apart from "unanswered":
 * - a fresh vendor 5xx (`type: provider_error`: the vendor failed or its breaker is open) at least
 *   `vendorErrorTries` times over at least `vendorErrorWindowMs` (longer than an open breaker stays open): the
 *   client gives up on a vendor that keeps failing (NIK suffix 06 always does);
 * - a 5xx replayed (`Idempotent-Replayed: true`) at least `replayTries` times over at least `replayWindowMs`
 *   (longer than any Redis outage of the run, so a replay after Redis came back is seen): the stored failure
 *   will not change.
 */
import type { Rng } from './rng';
import { sleep } from './processes';
import type { Timeline } from './timeline';

/** AccuAuth id_selfie scenarios by NIK suffix (adapters/accuauth/simulator/scenarios.ts). */
export const SCENARIOS = {
  '01': 'match (charged)',
  '02': 'mismatch (charged)',
  '03': 'not found (free, failover)',
  '05': 'not found from db (free, final)',
  '06': 'channel failed (free 503, always)',
  '08': 'no face (free, final)',
} as const;
export type Scenario = keyof typeof SCENARIOS;

export const DEFAULT_MIX: Record<Scenario, number> = { '01': 81, '02': 8, '03': 2, '05': 5, '06': 1, '08': 3 };

export interface Job {
  index: number;
  nik: string;
  scenario: Scenario;
  idempotencyKey: string;
  customerId: string;
}

/** One HTTP try of a verification. Times are ms since the run started. */
export interface Try {
  sentAt: number;
  endAt: number;
  /** Absent when no HTTP answer came (refused, reset, timed out). */
  status?: number;
  code?: string;
  type?: string;
  /** For a 5xx: what the body says went wrong (the providers' reasons, else the message). */
  cause?: string;
  replayed: boolean;
  network?: string;
}

export type Outcome = 'answered' | 'vendor_gave_up' | 'stuck_replay' | 'unanswered' | 'aborted';

export interface ClientResult {
  job: Job;
  outcome: Outcome;
  /** The final (or, when the client stopped, the last) HTTP answer. */
  last?: { status: number; code?: string; replayed: boolean; verificationId?: string; verificationStatus?: string };
  tries: number;
  /** Every 5xx answer, in order. */
  fiveXX: Try[];
  conflicts: number;
  networkErrors: number;
  firstAt: number;
  doneAt: number;
}

export interface LoadOptions {
  verifications: number;
  concurrency: number;
  /** New verifications per second overall; 0 = as fast as the clients go. */
  rate: number;
  deadlineMs: number;
  requestTimeoutMs: number;
  vendorErrorTries: number;
  vendorErrorWindowMs: number;
  replayTries: number;
  replayWindowMs: number;
  mix: Record<Scenario, number>;
}

const SELFIE = Buffer.from('chaos selfie pixels').toString('base64');

/** `n` verifications, each with a unique 16-digit NIK ending in its scenario's suffix. */
export function makeJobs(rng: Rng, runId: string, n: number, mix: Record<Scenario, number>, customerIds: string[]): Job[] {
  const seen = new Set<string>();
  const jobs: Job[] = [];
  for (let index = 0; index < n; index++) {
    const scenario = rng.weighted(mix);
    let nik: string;
    do nik = `${rng.int(1, 9)}${rng.digits(13)}${scenario}`;
    while (seen.has(nik));
    seen.add(nik);
    const customerId = customerIds[index % customerIds.length] as string;
    jobs.push({ index, nik, scenario, idempotencyKey: `chaos-${runId}-${index}`, customerId });
  }
  return jobs;
}

export class Load {
  /** Verifications whose first try was sent. */
  started = 0;
  /** Requests awaiting an answer right now. */
  inFlight = 0;
  finished = 0;

  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string,
    private readonly jobs: Job[],
    private readonly options: LoadOptions,
    private readonly timeline: Timeline,
    private readonly signal: AbortSignal,
  ) {}

  async run(): Promise<ClientResult[]> {
    const results: ClientResult[] = new Array(this.jobs.length);
    const t0 = Date.now();
    let next = 0;
    const client = async () => {
      while (next < this.jobs.length && !this.signal.aborted) {
        const job = this.jobs[next++] as Job;
        if (this.options.rate > 0) {
          const wait = t0 + (job.index * 1000) / this.options.rate - Date.now();
          if (wait > 0) await sleep(wait);
        }
        results[job.index] = await this.verify(job);
        this.finished += 1;
      }
    };
    await Promise.all(Array.from({ length: this.options.concurrency }, client));
    return this.jobs.map(
      (job) =>
        results[job.index] ?? { job, outcome: 'aborted', tries: 0, fiveXX: [], conflicts: 0, networkErrors: 0, firstAt: 0, doneAt: 0 },
    );
  }

  private async verify(job: Job): Promise<ClientResult> {
    const o = this.options;
    const body = JSON.stringify({
      customerId: job.customerId,
      check: 'identity_selfie',
      provider: 'auto',
      input: { idNumber: job.nik, faceImage: SELFIE },
    });
    const r: ClientResult = {
      job,
      outcome: 'unanswered',
      tries: 0,
      fiveXX: [],
      conflicts: 0,
      networkErrors: 0,
      firstAt: this.timeline.now(),
      doneAt: 0,
    };
    this.started += 1;
    let vendorErrors = 0;
    let firstVendorErrorAt = 0;
    let replays = 0;
    let firstReplayAt = 0;
    let lastWasVendor5xx = false;
    for (let retry = 0; ; retry++) {
      if (retry > 0) {
        const base = Math.min(4000, 250 * 2 ** (retry - 1));
        const delay = base / 2 + (Math.random() * base) / 2;
        if (this.timeline.now() + delay - r.firstAt > o.deadlineMs) break;
        await sleep(delay);
      }
      if (this.signal.aborted) {
        r.outcome = 'aborted';
        break;
      }
      const t = await this.send(body, job.idempotencyKey);
      r.tries += 1;
      lastWasVendor5xx = t.status !== undefined && t.status >= 500 && t.type === 'provider_error';
      if (t.status === undefined) {
        r.networkErrors += 1;
        continue;
      }
      r.last = {
        status: t.status,
        code: t.code,
        replayed: t.replayed,
        verificationId: t.verificationId,
        verificationStatus: t.verificationStatus,
      };
      if (t.status >= 500) {
        r.fiveXX.push(t.try);
        if (t.replayed) {
          // A stored answer: replays will not change it, whoever failed.
          if (replays++ === 0) firstReplayAt = t.try.endAt;
          if (replays >= o.replayTries && t.try.endAt - firstReplayAt >= o.replayWindowMs) {
            r.outcome = 'stuck_replay';
            break;
          }
        } else if (t.type === 'provider_error') {
          if (vendorErrors++ === 0) firstVendorErrorAt = t.try.endAt;
          if (vendorErrors >= o.vendorErrorTries && t.try.endAt - firstVendorErrorAt >= o.vendorErrorWindowMs) {
            r.outcome = 'vendor_gave_up';
            break;
          }
        }
        continue;
      }
      if (t.status === 409 && t.code === 'idempotency_key_in_use') {
        r.conflicts += 1;
        continue;
      }
      if (t.status === 429) continue;
      r.outcome = 'answered';
      break;
    }
    // Out of time with a vendor's failure as the last word: the vendor failed, not us.
    if (r.outcome === 'unanswered' && lastWasVendor5xx) r.outcome = 'vendor_gave_up';
    r.doneAt = this.timeline.now();
    return r;
  }

  private async send(
    body: string,
    idempotencyKey: string,
  ): Promise<{
    try: Try;
    status?: number;
    code?: string;
    type?: string;
    replayed: boolean;
    verificationId?: string;
    verificationStatus?: string;
  }> {
    const sentAt = this.timeline.now();
    this.inFlight += 1;
    try {
      const res = await fetch(`${this.baseUrl}/v1/verifications`, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.apiKey}`, 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
        body,
        signal: AbortSignal.any([AbortSignal.timeout(this.options.requestTimeoutMs), this.signal]),
      });
      const text = await res.text();
      let parsed: {
        id?: string;
        status?: string;
        // The error's details (verification, reasons) sit beside its code (src/http/error-response.ts).
        error?: {
          code?: string;
          type?: string;
          message?: string;
          verification?: string;
          reasons?: { outcome?: string; reason?: string }[];
        };
      } = {};
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON (a proxy's page, a cut-off body): status only
      }
      const replayed = res.headers.get('idempotent-replayed') === 'true';
      const code = parsed.error?.code;
      const type = parsed.error?.type;
      const reasons = parsed.error?.reasons?.map((r) => `${r.outcome} ${r.reason}`);
      const cause = res.status >= 500 ? (reasons?.length ? [...new Set(reasons)].join(', ') : parsed.error?.message) : undefined;
      const t: Try = { sentAt, endAt: this.timeline.now(), status: res.status, code, type, cause, replayed };
      const verificationId = res.ok ? parsed.id : parsed.error?.verification;
      return { try: t, status: res.status, code, type, replayed, verificationId, verificationStatus: res.ok ? parsed.status : undefined };
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
      return { try: { sentAt, endAt: this.timeline.now(), replayed: false, network: cause }, replayed: false };
    } finally {
      this.inFlight -= 1;
    }
  }
}
