import { buildCaptureBundle, type Rgb, type SignedBundle } from './capture';
import { ConnectionError, errorOf, isErrorBody, type ErrorBody, type VerigateError } from './errors';
import { OPERATIONS, type OperationId, type PathParams, type QueryParams, type RequestBodies } from './generated/api';
import { paginate, type Page } from './pagination';
import type {
  ApiKey,
  Capture,
  Customer,
  FlashChallenge,
  InvoiceReconciliation,
  IssuedKey,
  LedgerEntry,
  UsageReport,
  Verification,
} from './types';

export interface VerigateOptions {
  /** `vk_test_...` (sandbox) or `vk_live_...`. */
  apiKey: string;
  /** Where the API is; default http://localhost:8080. */
  baseUrl?: string;
  /** The key's hmacKey: needed only to sign capture bundles (`captures.capture`). */
  hmacKey?: string;
  /** Retries after the first attempt for answers that may succeed later (network, 409 in use, 429, retryable 5xx); default 2. */
  maxRetries?: number;
  /** Time allowed for each attempt, in ms; default 60,000. */
  timeoutMs?: number;
  /** Longest `Retry-After` waited for, in seconds; a longer one is thrown at once. Default 30. */
  maxRetryAfterSeconds?: number;
  /** A fetch to use instead of the global one (a proxy agent, a test double). */
  fetch?: typeof fetch;
}

export interface RequestOptions {
  /**
   * The POST's Idempotency-Key. The SDK makes one per call when none is given and sends the same one on every
   * retry, so a retried POST never acts twice; pass your own to make a retry after a crash of yours safe too.
   */
  idempotencyKey?: string;
  headers?: Record<string, string>;
}

/** The parts of a call an operation takes: `params` for its path, `query`, and `body` when it has one. */
export type CallArgs<Op extends OperationId> = ([PathParams[Op]] extends [never] ? { params?: undefined } : { params: PathParams[Op] }) & {
  query?: QueryParams[Op];
} & ([RequestBodies[Op]] extends [never] ? { body?: undefined } : { body: RequestBodies[Op] });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The verigate API. Every operation is `call(operationId, ...)`; the everyday ones also have resource methods. */
export class Verigate {
  private readonly baseUrl: string;
  private readonly maxRetries: number;
  private readonly timeoutMs: number;
  private readonly maxRetryAfterSeconds: number;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: VerigateOptions) {
    if (!/^vk_(test|live)_\w+$/.test(options.apiKey)) throw new Error('Verigate: apiKey must be a vk_test_... or vk_live_... key');
    this.baseUrl = (options.baseUrl ?? 'http://localhost:8080').replace(/\/+$/, '');
    this.maxRetries = options.maxRetries ?? 2;
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.maxRetryAfterSeconds = options.maxRetryAfterSeconds ?? 30;
    this.fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  /** Calls one operation of the API by its operationId (see /docs), typed by the OpenAPI document. */
  async call<Op extends OperationId, T = unknown>(operation: Op, args: CallArgs<Op>, options: RequestOptions = {}): Promise<T> {
    const { method, path } = OPERATIONS[operation];
    const params = (args.params ?? {}) as Record<string, string>;
    const filled = path.replace(/\{(\w+)\}/g, (_m, name: string) => {
      const value = params[name];
      if (value === undefined) throw new Error(`Verigate.${operation}: missing path parameter ${name}`);
      return encodeURIComponent(value);
    });
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries((args.query ?? {}) as Record<string, unknown>)) {
      if (value !== undefined) query.set(name, String(value));
    }
    const url = `${this.baseUrl}${filled}${query.size > 0 ? `?${query}` : ''}`;
    return this.send<T>(method, url, args.body, options);
  }

  private async send<T>(method: string, url: string, body: unknown, options: RequestOptions): Promise<T> {
    const headers: Record<string, string> = {
      Authorization: `Bearer ${this.options.apiKey}`,
      Accept: 'application/json',
      ...options.headers,
    };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (method === 'POST') headers['Idempotency-Key'] = options.idempotencyKey ?? `sdk_${crypto.randomUUID()}`;
    const payload = body === undefined ? undefined : JSON.stringify(body);
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await this.fetch(url, { method, headers, body: payload, signal: AbortSignal.timeout(this.timeoutMs) });
      } catch (cause) {
        // No answer: the Idempotency-Key makes sending the same POST again safe.
        if (attempt < this.maxRetries) {
          await sleep(backoffMs(attempt));
          continue;
        }
        throw new ConnectionError(`${method} ${url}: no answer after ${attempt + 1} attempts (${(cause as Error).message})`, { cause });
      }
      if (res.ok) return (await readBody(res)) as T;
      const error = await errorFrom(res);
      const wait = this.retryDelayMs(res, error, attempt);
      if (wait === null) throw error;
      await sleep(wait);
    }
  }

  /** How long to wait before retrying this answer, or null when retrying cannot help. */
  private retryDelayMs(res: Response, error: VerigateError, attempt: number): number | null {
    if (attempt >= this.maxRetries) return null;
    // A stored answer replayed: asking again with the same key gets the same answer.
    if (res.headers.get('idempotent-replayed') === 'true') return null;
    const transient = error.code === 'idempotency_key_in_use' || error.status === 429 || (error.status >= 500 && error.retryable);
    if (!transient) return null;
    if (error.retryAfterSeconds !== null)
      return error.retryAfterSeconds <= this.maxRetryAfterSeconds ? error.retryAfterSeconds * 1000 : null;
    return backoffMs(attempt);
  }

  readonly customers = {
    create: (body: RequestBodies['createCustomer'], options?: RequestOptions) =>
      this.call('createCustomer', { body }, options) as Promise<Customer>,
    retrieve: (id: string) => this.call('getCustomer', { params: { id } }) as Promise<Customer>,
    list: (query: QueryParams['listCustomers'] = {}) => this.call('listCustomers', { query }) as Promise<Page<Customer>>,
    /** Every customer, page after page. */
    all: (query: Omit<QueryParams['listCustomers'], 'startingAfter'> = {}) =>
      paginate((startingAfter) => this.customers.list({ ...query, startingAfter })),
  };

  readonly verifications = {
    create: (body: RequestBodies['createVerification'], options?: RequestOptions) =>
      this.call('createVerification', { body }, options) as Promise<Verification>,
    retrieve: (id: string) => this.call('getVerification', { params: { id } }) as Promise<Verification>,
    list: (query: QueryParams['listVerifications'] = {}) => this.call('listVerifications', { query }) as Promise<Page<Verification>>,
    all: (query: Omit<QueryParams['listVerifications'], 'startingAfter'> = {}) =>
      paginate((startingAfter) => this.verifications.list({ ...query, startingAfter })),
  };

  readonly flashChallenges = {
    create: (body: RequestBodies['createFlashChallenge']) => this.call('createFlashChallenge', { body }) as Promise<FlashChallenge>,
  };

  readonly captures = {
    /** Submits a bundle already built and signed (`buildCaptureBundle`). */
    create: (bundle: SignedBundle, options?: RequestOptions) =>
      this.call('submitCapture', { body: bundle as unknown as RequestBodies['submitCapture'] }, options) as Promise<Capture>,
    retrieve: (id: string) => this.call('getCapture', { params: { id } }) as Promise<Capture>,
    /**
     * The whole flash capture: a challenge for the customer, the frames `frames` takes under its colours
     * (in a browser, `captureFlashFrames`; for `version: 2`, `captureTimedFlashFrames`, which also returns
     * the frames' times), the bundle signed with the key's hmacKey, submitted.
     */
    capture: async (input: {
      customerId: string;
      kind: 'selfie' | 'ktp';
      /** The challenge's version (default: the server's, 1 unless configured otherwise). */
      version?: 1 | 2;
      frames: (
        sequence: Rgb[],
        challenge: FlashChallenge,
      ) => Promise<ReadonlyArray<Uint8Array | string> | { frames: ReadonlyArray<Uint8Array | string>; frameTimes: readonly number[] }>;
      ktp?: { nik: string; birthDate: string; sex: 'male' | 'female' };
    }): Promise<Capture> => {
      const hmacKey = this.options.hmacKey;
      if (!hmacKey) throw new Error('Verigate: captures.capture needs the hmacKey option (shown with the key)');
      const challenge = await this.flashChallenges.create({
        customerId: input.customerId,
        kind: input.kind,
        ...(input.version && { version: input.version }),
      });
      const taken = await input.frames(challenge.sequence, challenge);
      const { frames, frameTimes } = 'frameTimes' in taken ? taken : { frames: taken, frameTimes: undefined };
      return this.captures.create(
        await buildCaptureBundle({ challenge, frames, hmacKey, ktp: input.ktp, ...(frameTimes && { frameTimes }) }),
      );
    },
  };

  readonly usage = {
    retrieve: (query: QueryParams['getUsage'] = {}) =>
      this.call('getUsage', { query: { ...query, format: 'json' } }) as Promise<UsageReport>,
    entries: (query: QueryParams['listLedgerEntries'] = {}) => this.call('listLedgerEntries', { query }) as Promise<Page<LedgerEntry>>,
    allEntries: (query: Omit<QueryParams['listLedgerEntries'], 'startingAfter'> = {}) =>
      paginate((startingAfter) => this.usage.entries({ ...query, startingAfter })),
    reconcileInvoice: (body: RequestBodies['reconcileInvoice'], options?: RequestOptions) =>
      this.call('reconcileInvoice', { body }, options) as Promise<InvoiceReconciliation>,
  };

  readonly keys = {
    create: (body: RequestBodies['createKey'], options?: RequestOptions) => this.call('createKey', { body }, options) as Promise<IssuedKey>,
    list: () => this.call('listKeys', {}) as Promise<{ object: 'list'; data: ApiKey[] }>,
    revoke: (id: string) => this.call('revokeKey', { params: { id } }) as Promise<ApiKey>,
  };
}

/** Exponential back-off with jitter: about 0.5 s, 1 s, 2 s, ... at most 8 s. */
const backoffMs = (attempt: number) => Math.min(8000, 500 * 2 ** attempt) * (0.5 + Math.random() / 2);

async function readBody(res: Response): Promise<unknown> {
  if (res.status === 204) return undefined;
  const type = res.headers.get('content-type') ?? '';
  return type.includes('application/json') ? res.json() : res.text();
}

/** The typed error of a failed answer; a body that is not ours (a proxy's 502 page) becomes a retryable ApiError. */
async function errorFrom(res: Response): Promise<VerigateError> {
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const retryAfter = Number(res.headers.get('retry-after'));
  const retryAfterSeconds = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null;
  if (isErrorBody(parsed)) return errorOf(parsed, retryAfterSeconds);
  const body: ErrorBody = {
    error: {
      code: res.status >= 500 ? 'service_unavailable' : 'invalid_request',
      message: `HTTP ${res.status} without an error body${text ? `: ${text.slice(0, 200)}` : ''}`,
      type: res.status >= 500 ? 'api_error' : 'invalid_request_error',
      status: res.status,
      retryable: res.status >= 500,
      charged: null,
      provider: null,
      upstream: null,
      param: null,
      requestId: res.headers.get('x-request-id') ?? '',
    },
  };
  return errorOf(body, retryAfterSeconds);
}
