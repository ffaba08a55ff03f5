import axios, { type AxiosRequestConfig } from 'axios';
import http from 'node:http';
import https from 'node:https';
import type { z } from 'zod';
import type { AdapterOutcome, CallContext, TransportFailure, UpstreamFacts } from './types';

/** A vendor's HTTP answer, body still as text: the transform decides what it means. */
export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  text: string;
  latencyMs: number;
}

/**
 * One keep-alive agent per protocol for every vendor call, so a call reuses a warm connection instead of
 * opening (and, for https, handshaking) a socket, and socket options are set once per connection.
 */
const agents = {
  httpAgent: new http.Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 32, timeout: 60_000 }),
  httpsAgent: new https.Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 32, timeout: 60_000 }),
};

/** Largest vendor answer read, in bytes: every documented answer is a small JSON document. */
const MAX_ANSWER_BYTES = 2 * 1024 * 1024;

export type RawExchange = RawAnswer | { transport: TransportFailure; latencyMs: number };

export const isTransportFailure = (x: RawExchange): x is { transport: TransportFailure; latencyMs: number } => 'transport' in x;

/**
 * One HTTP exchange with a vendor. Never throws for HTTP statuses (every status is a fact for the
 * mapping table); failures below HTTP become transport facts: `connection_refused` when nothing was
 * sent (free), `timeout` / `connection_reset` when the vendor may have received and billed it.
 * Redirects are not followed (OWASP API10).
 */
export async function exchange(ctx: CallContext, request: AxiosRequestConfig): Promise<RawExchange> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const res = await axios.request<string>({
      ...request,
      ...agents,
      baseURL: ctx.baseUrl,
      // axios' own timeout only fires on an idle socket; the signal also ends a body that trickles in.
      timeout: ctx.timeoutMs,
      signal: ctx.signal ? AbortSignal.any([ctx.signal, AbortSignal.timeout(ctx.timeoutMs)]) : AbortSignal.timeout(ctx.timeoutMs),
      maxContentLength: MAX_ANSWER_BYTES,
      maxRedirects: 0,
      responseType: 'text',
      transformResponse: (data: string) => data,
      validateStatus: () => true,
    });
    const headers = Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
    return { status: res.status, headers, text: typeof res.data === 'string' ? res.data : '', latencyMs: elapsed() };
  } catch (err) {
    return { transport: transportFailureOf(err), latencyMs: elapsed() };
  }
}

function transportFailureOf(err: unknown): TransportFailure {
  const code = (err as { code?: string }).code;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'connection_refused';
  if (code === 'ECONNABORTED' || code === 'ETIMEDOUT' || code === 'ERR_CANCELED' || axios.isCancel(err)) return 'timeout';
  return 'connection_reset';
}

/** Parses a JSON body against the vendor schema; the failure is a fact, not an exception. */
export function parseBody<T>(text: string, schema: z.ZodType<T>): { ok: true; value: T } | { ok: false; transport: 'malformed_body' | 'schema_invalid' } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, transport: 'malformed_body' };
  }
  const parsed = schema.safeParse(json);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, transport: 'schema_invalid' };
}

/** How one operation's answer reads: what success looks like, and what the vendor's other answers say. */
export interface AnswerSpec<T, D> {
  /** HTTP statuses of a success, whose body must fit `schema`. */
  success: readonly number[];
  schema: z.ZodType<T>;
  /** What a success body says: the data for integrators, and facts for the table (a result code, the vendor's id). */
  read(body: T): { data?: D; facts?: UpstreamFacts };
  /**
   * What any other status says, from the vendor's error body (its code or message). The status is kept
   * whatever this returns; an error body the vendor's table cannot use is the vendor's call to make (a
   * transport fact where only the body carries meaning, nothing more where the status does).
   */
  error(status: number, text: string): UpstreamFacts;
  /** The vendor's id of this call when known before the answer (the document id sent), for the ledger. */
  knownId?: string;
}

/**
 * The one reading of a vendor's answer, for every HTTP adapter. A failure below HTTP is its transport fact;
 * a success status whose body does not fit the schema keeps its status beside `malformed_body` or
 * `schema_invalid` (the table matches transport facts only where a row names them, so no success row ever
 * claims garbage); a success is read by the operation; any other status by the vendor's error reader.
 */
export function readAnswer<T, D>(raw: RawExchange, spec: AnswerSpec<T, D>): AdapterOutcome<D> {
  const requestId = spec.knownId;
  if (isTransportFailure(raw)) return { facts: compact({ transport: raw.transport, requestId }), latencyMs: raw.latencyMs };
  const { status, text, latencyMs } = raw;
  if (!spec.success.includes(status)) return { facts: compact({ requestId, ...spec.error(status, text), httpStatus: status }), latencyMs };
  const parsed = parseBody(text, spec.schema);
  if (!parsed.ok) return { facts: compact({ httpStatus: status, transport: parsed.transport, requestId }), latencyMs };
  const { data, facts } = spec.read(parsed.value);
  return { facts: compact({ httpStatus: status, requestId, ...facts }), ...(data !== undefined && { data }), latencyMs };
}

/** The object without its undefined fields, so facts and data compare and serialise cleanly. */
export function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
