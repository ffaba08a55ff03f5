import axios, { type AxiosRequestConfig } from 'axios';
import type { z } from 'zod';
import type { CallContext, TransportFailure, UpstreamFacts } from './types';

/** A vendor's HTTP answer, body still as text: the transform decides what it means. */
export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  text: string;
  latencyMs: number;
}

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

/** Facts for an exchange that failed below HTTP. */
export const transportFacts = (transport: TransportFailure, httpStatus?: number): UpstreamFacts => ({ transport, httpStatus });

/** The object without its undefined fields, so facts and data compare and serialise cleanly. */
export function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
