/**
 * What the rest of the gateway uses of outbound webhooks: record an event in the transaction of its effect,
 * announce it after the commit; and the signature check the SDK and integrators use.
 */
export { EVENT_TYPES, EventType, PLATFORM_EVENT_TYPES } from './event-types';
export { recordEvent, type NewEvent } from './events-repo';
export { announceEvents, type QueueDeps } from './announce';
export { verifySignature, SIGNATURE_HEADER, type SignatureCheck, type VerifyOptions } from './signature';
