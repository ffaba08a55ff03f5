import type { InboundWebhooks, ProviderId } from '../../adapters/types';
import type { AppDeps } from '../deps';
import { AppError } from '../errors/app-error';
import { newId } from '../ids';
import { QUEUES } from '../jobs/queues';
import { recordInbound, type StoredEvent } from './sessions-repo';

/** A webhook dated further ahead than this is refused as stale: the vendor's clock and ours agree within minutes. */
const FUTURE_SKEW_MS = 5 * 60_000;

export interface Receipt {
  /** `accepted`: kept and handed to its job; `duplicate`: this session state was received before, nothing changes. */
  outcome: 'accepted' | 'duplicate';
  id: string;
}

/** The webhooks `provider` sends, or 404 for a provider that sends none. */
function webhooksOf(deps: AppDeps, provider: string): { id: ProviderId; webhooks: InboundWebhooks } {
  const { registry } = deps.gateway;
  const adapter = registry.has(provider) ? registry.adapter(provider) : undefined;
  if (!adapter || adapter.transport !== 'http' || !adapter.webhooks) {
    throw new AppError('resource_not_found', { params: { resource: 'webhook receiver' }, param: 'provider' });
  }
  return { id: adapter.id, webhooks: adapter.webhooks };
}

/** The live signing keys (several while one is rotated), from the environment variable the declaration names. */
function liveKeys(deps: AppDeps, webhooks: InboundWebhooks): string[] {
  const env = deps.gateway.env ?? process.env;
  return (env[webhooks.keys.liveEnv] ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k.length > 0);
}

/**
 * A vendor's webhook, as received: the signature is checked on the raw bytes before anything is parsed
 * (401 when no key of ours signed it), the body is read and validated (400 when malformed or stale), and the
 * event is kept once per session state in Postgres and handed to a job whose id is its row's. A redelivered
 * or replayed webhook finds its row and changes nothing. Answers within the request: nothing here waits on a
 * vendor or on the verification's update.
 */
export async function receiveWebhook(
  deps: AppDeps,
  provider: string,
  rawBody: Buffer,
  headers: Readonly<Record<string, string | undefined>>,
): Promise<Receipt> {
  const { id, webhooks } = webhooksOf(deps, provider);
  const count = (outcome: string) => deps.gateway.metrics.inboundWebhooks.inc({ provider: id, outcome });
  const signedWith = webhooks.verify(rawBody, headers, liveKeys(deps, webhooks))
    ? 'live'
    : webhooks.verify(rawBody, headers, webhooks.keys.sandbox)
      ? 'sandbox'
      : null;
  if (!signedWith) {
    count('signature_invalid');
    throw new AppError('webhook_signature_invalid', { params: { provider: id } });
  }
  const read = webhooks.read(rawBody, headers);
  if (!read.ok) {
    count('malformed');
    throw new AppError('webhook_invalid', { params: { provider: id, detail: read.detail } });
  }
  const { event } = read;
  const now = deps.now().getTime();
  const maxAgeMs = deps.config.sessions.webhookMaxAgeHours * 3_600_000;
  if (event.occurredAt !== undefined && (event.occurredAt < now - maxAgeMs || event.occurredAt > now + FUTURE_SKEW_MS)) {
    count('stale');
    throw new AppError('webhook_stale', { params: { provider: id } });
  }
  const stored: StoredEvent = { facts: { ...event.facts }, summary: event.summary, signedWith, occurredAt: event.occurredAt };
  const kept = await recordInbound(deps.db, {
    id: newId('iwh'),
    provider: id,
    dedupeKey: `${event.sessionRef}:${event.state}`,
    sessionRef: event.sessionRef,
    event: stored,
    receivedAt: deps.now(),
  });
  if (kept.processed) {
    count('duplicate');
    return { outcome: 'duplicate', id: kept.id };
  }
  // Kept in Postgres first, so a lost enqueue (Redis down) is only late: the follow-up sweep enqueues it again.
  await deps.jobs
    .add(QUEUES.sessions, 'apply-session-event', { inboundId: kept.id }, { jobId: kept.id })
    .catch((err: Error) =>
      deps.logger.warn({ err: err.message, inboundId: kept.id }, 'session event not enqueued; the follow-up sweep will'),
    );
  count(kept.fresh ? 'accepted' : 'duplicate');
  return { outcome: kept.fresh ? 'accepted' : 'duplicate', id: kept.id };
}
