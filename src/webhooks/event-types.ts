import { z } from 'zod';

/** Every event the gateway records (`evt_` ids), listed at GET /v1/events and sent to the endpoints that enabled them. */
export const EVENT_TYPES = [
  'verification.completed',
  'verification.updated',
  'capture.completed',
  'kyc.tier_changed',
  'provider.state_changed',
  'webhook_endpoint.disabled',
  'webhook_endpoint.test',
] as const;

export const EventType = z.enum(EVENT_TYPES);
export type EventType = z.infer<typeof EventType>;

/**
 * Platform events (orgId null): facts about the gateway, not about an org's data. They reach only endpoints
 * that name their type (never through `*`), and their data never carries an org's ids.
 */
export const PLATFORM_EVENT_TYPES: readonly EventType[] = ['provider.state_changed'];

/** Sent only to the endpoint it was asked for (POST /v1/webhook-endpoints/:id/test); not something to subscribe to. */
export const TEST_EVENT_TYPE: EventType = 'webhook_endpoint.test';

// Keys that name personal data or biometric material: an event's data never has them (DESIGN 10).
const FORBIDDEN_KEY = /nik|idnumber|name|image|photo|selfie|frame|descriptor|email|phone|address|birth|face(?!.*id$)/i;
// 16 digits is a NIK's shape; long strings are where an image or a descriptor would hide.
const NIK_SHAPE = /\d{16}/;
const MAX_STRING = 200;

/**
 * Event payloads carry ids, statuses and codes only: never images, NIKs, names or face descriptors. Checked
 * when an event is recorded, so a use case that passes the wrong object fails in its tests, not in an
 * integrator's inbox. Values are strings (at most 200 characters, never a NIK's 16 digits), numbers,
 * booleans, null, and objects or short arrays of them; no key names personal data.
 */
export function checkEventData(data: Record<string, unknown>): Record<string, unknown> {
  const refuse = (path: string, why: string): never => {
    throw new Error(`event data refused at ${path || '(root)'}: ${why}`);
  };
  const walk = (value: unknown, path: string): void => {
    if (value === null || typeof value === 'number' || typeof value === 'boolean') return;
    if (typeof value === 'string') {
      if (value.length > MAX_STRING) refuse(path, `strings in event data are ids, statuses or codes (at most ${MAX_STRING} characters)`);
      if (NIK_SHAPE.test(value)) refuse(path, 'event data never carries a NIK');
      return;
    }
    if (Array.isArray(value)) {
      if (value.length > 50) refuse(path, 'arrays in event data hold at most 50 ids');
      value.forEach((v, i) => walk(v, `${path}.${i}`));
      return;
    }
    if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
      for (const [key, v] of Object.entries(value)) {
        const at = path ? `${path}.${key}` : key;
        if (FORBIDDEN_KEY.test(key)) refuse(at, 'event data never carries personal data');
        walk(v, at);
      }
      return;
    }
    refuse(path, `${typeof value} is not JSON data`);
  };
  walk(data, '');
  return data;
}
