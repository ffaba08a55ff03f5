import { createHmac, timingSafeEqual } from 'node:crypto';
import type { InboundRead } from '../types';
import { IdenfyEventType, IdenfyWebhookPayload } from './schemas';
import { webhookFacts } from './transform';

/** Hex of an HMAC-SHA256 digest: 32 bytes. */
const SIGNATURE_PATTERN = /^[0-9a-fA-F]{64}$/;

/** iDenfy's `Idenfy-Signature`: hex HMAC-SHA256 of the raw body with the webhook's signing key (ID-SIG). */
export function signWebhook(rawBody: Buffer | string, key: string): string {
  return createHmac('sha256', key).update(rawBody).digest('hex');
}

/**
 * True when `Idenfy-Signature` is the HMAC of exactly these bytes under one of `keys` (several keys
 * while a key is rotated; an empty key is never accepted). The body must be the raw bytes received:
 * re-serialised JSON does not verify. Compared in constant time; a header of the wrong length or
 * alphabet is false, never an exception.
 */
export function verifyWebhookSignature(rawBody: Buffer, signatureHeader: string | undefined, keys: readonly string[]): boolean {
  const header = signatureHeader?.trim();
  if (!header || !SIGNATURE_PATTERN.test(header)) return false;
  const received = Buffer.from(header, 'hex');
  let matched = false;
  // Every key is tried even after a match, so the time taken does not say which key signed.
  for (const key of keys) {
    if (key.length === 0) continue;
    const expected = createHmac('sha256', key).update(rawBody).digest();
    if (expected.length === received.length && timingSafeEqual(expected, received)) matched = true;
  }
  return matched;
}

export type WebhookParseFailure = 'event_type_invalid' | 'malformed_body' | 'schema_invalid';

export type ParsedWebhook =
  { ok: true; eventType: IdenfyEventType; payload: IdenfyWebhookPayload } | { ok: false; reason: WebhookParseFailure; detail: string };

/** A verified webhook's bytes and `Idenfy-Event-Type` header -> the validated payload, or why not. */
export function parseWebhook(rawBody: Buffer, eventTypeHeader: string | undefined): ParsedWebhook {
  const eventType = IdenfyEventType.safeParse(eventTypeHeader?.trim());
  if (!eventType.success)
    return { ok: false, reason: 'event_type_invalid', detail: `unknown Idenfy-Event-Type: ${String(eventTypeHeader)}` };
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(rawBody));
  } catch {
    return { ok: false, reason: 'malformed_body', detail: 'body is not UTF-8 JSON' };
  }
  const payload = IdenfyWebhookPayload.safeParse(json);
  if (!payload.success) {
    const issue = payload.error.issues[0];
    return { ok: false, reason: 'schema_invalid', detail: `${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}` };
  }
  return { ok: true, eventType: eventType.data, payload: payload.data };
}

/**
 * A verified webhook -> the session event the gateway keeps: the facts the mapping table's `webhook` rows
 * read, and verdict codes and tags. The body's personal data (names, document numbers, file URLs) is not kept.
 */
export function readWebhook(rawBody: Buffer, headers: Readonly<Record<string, string | undefined>>): InboundRead {
  const parsed = parseWebhook(rawBody, headers['idenfy-event-type']);
  if (!parsed.ok) return parsed;
  const { eventType, payload } = parsed;
  const facts = webhookFacts(eventType, payload);
  const { status } = payload;
  return {
    ok: true,
    event: {
      sessionRef: payload.scanRef,
      facts,
      state: `${eventType}:${status.overall}:${payload.final}`,
      summary: {
        scanRef: payload.scanRef,
        event: eventType,
        overall: status.overall,
        final: payload.final,
        face: status.manualFace || status.autoFace || null,
        document: status.manualDocument || status.autoDocument || null,
        fraudTags: status.fraudTags,
        mismatchTags: status.mismatchTags,
      },
      ...(payload.finishTime != null && { occurredAt: payload.finishTime * 1000 }),
    },
  };
}
