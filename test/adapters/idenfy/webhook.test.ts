import { createHmac } from 'node:crypto';
import { parseWebhook, verifyWebhookSignature, webhookFacts } from '../../../adapters/idenfy';
import { signWebhook } from '../../../adapters/idenfy/webhook';
import { idenfyWebhookPayload as payload } from './webhook-payload';

const KEY = 'signing-key-new';
const OLD_KEY = 'signing-key-old';

const raw = (body: unknown) => Buffer.from(JSON.stringify(body));

describe('iDenfy webhook signature', () => {
  it('when the signature is the HMAC of the raw body, then it verifies', () => {
    const body = raw(payload());
    expect(verifyWebhookSignature(body, createHmac('sha256', KEY).update(body).digest('hex'), [KEY])).toBe(true);
  });

  it('when the body is re-serialised with different whitespace, then the original signature no longer verifies', () => {
    const body = raw(payload());
    const signature = signWebhook(body, KEY);
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(body.toString()), null, 2));
    expect(verifyWebhookSignature(reserialised, signature, [KEY])).toBe(false);
  });

  it('when two keys are configured during rotation, then a signature with either verifies', () => {
    const body = raw(payload());
    expect(verifyWebhookSignature(body, signWebhook(body, OLD_KEY), [KEY, OLD_KEY])).toBe(true);
    expect(verifyWebhookSignature(body, signWebhook(body, KEY), [KEY, OLD_KEY])).toBe(true);
    expect(verifyWebhookSignature(body, signWebhook(body, 'retired-key'), [KEY, OLD_KEY])).toBe(false);
  });

  it.each([
    ['a shorter hex string', 'abcd'],
    ['one hex digit short', 'a'.repeat(63)],
    ['twice as long', 'a'.repeat(128)],
    ['not hex at all', 'z'.repeat(64)],
    ['empty', ''],
  ])('when the signature is %s, then it is rejected without throwing', (_, signature) => {
    const body = raw(payload());
    expect(() => verifyWebhookSignature(body, signature, [KEY])).not.toThrow();
    expect(verifyWebhookSignature(body, signature, [KEY])).toBe(false);
  });

  it('when the header is missing or no key is configured, then it is rejected', () => {
    const body = raw(payload());
    expect(verifyWebhookSignature(body, undefined, [KEY])).toBe(false);
    expect(verifyWebhookSignature(body, signWebhook(body, KEY), [])).toBe(false);
  });

  it('when the configured key is empty, then a signature made with an empty key is still rejected', () => {
    const body = raw(payload());
    expect(verifyWebhookSignature(body, signWebhook(body, ''), [''])).toBe(false);
  });

  it('when the hex is upper case, then it still verifies', () => {
    const body = raw(payload());
    expect(verifyWebhookSignature(body, signWebhook(body, KEY).toUpperCase(), [KEY])).toBe(true);
  });
});

describe('iDenfy webhook parsing', () => {
  it('when the payload is valid, then it parses and vendor extras are kept', () => {
    const parsed = parseWebhook(raw(payload()), 'IDENTIFICATION_AUTO_FINISHED');
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.eventType).toBe('IDENTIFICATION_AUTO_FINISHED');
    expect(parsed.payload.status.overall).toBe('APPROVED');
    expect((parsed.payload.data as Record<string, unknown>).ageEstimate).toBe('OVER_25');
    expect(webhookFacts(parsed.eventType, parsed.payload)).toEqual({
      code: 'IDENTIFICATION_AUTO_FINISHED',
      result: 'APPROVED',
      requestId: parsed.payload.scanRef,
    });
  });

  it.each([
    ['not JSON', 'malformed_body', Buffer.from('{"final": tru')],
    ['not UTF-8', 'malformed_body', Buffer.from([0x7b, 0xff, 0xfe, 0x7d])],
    ['JSON without status', 'schema_invalid', raw({ final: true, scanRef: 'x', clientId: 'c' })],
    ['an undocumented overall status', 'schema_invalid', raw(payload({ status: { overall: 'MAYBE' } }))],
    ['an undocumented face status', 'schema_invalid', raw(payload({ status: { ...payload().status, autoFace: 'FACE_PROBABLY' } }))],
    ['an array', 'schema_invalid', raw([payload()])],
  ])('when the body is %s, then the parser rejects it as %s', (_, reason, body) => {
    const parsed = parseWebhook(body, 'IDENTIFICATION_AUTO_FINISHED');
    expect(parsed).toMatchObject({ ok: false, reason });
  });

  it('when the event type header is missing or unknown, then the parser rejects it', () => {
    expect(parseWebhook(raw(payload()), undefined)).toMatchObject({ ok: false, reason: 'event_type_invalid' });
    expect(parseWebhook(raw(payload()), 'KYB_FINISHED')).toMatchObject({ ok: false, reason: 'event_type_invalid' });
  });

  it('when an expired session never started, then the sparse payload still parses', () => {
    const sparse = {
      final: true,
      status: { overall: 'EXPIRED', autoFace: null, autoDocument: null },
      scanRef: 's-1',
      clientId: 'c-1',
      platform: null,
      data: null,
    };
    expect(parseWebhook(raw(sparse), 'IDENTIFICATION_EXPIRED').ok).toBe(true);
  });

  it('when a document status of the DOC_ family is not in our list, then it is accepted as iDenfy vocabulary', () => {
    const parsed = parseWebhook(
      raw(payload({ status: { ...payload().status, autoDocument: 'DOC_HOLOGRAM_MISSING' } })),
      'IDENTIFICATION_AUTO_FINISHED',
    );
    expect(parsed.ok).toBe(true);
  });
});

describe('iDenfy webhook facts', () => {
  const parse = (body: unknown, event: string) => {
    const parsed = parseWebhook(raw(body), event);
    if (!parsed.ok) throw new Error(parsed.detail);
    return webhookFacts(parsed.eventType, parsed.payload);
  };

  it("when an expired event carries overall APPROVED (as iDenfy's sample does), then the event type is the result", () => {
    expect(parse(payload(), 'IDENTIFICATION_EXPIRED').result).toBe('IDENTIFICATION_EXPIRED');
  });

  it('when a cancelled event arrives in either spelling, then the event type is the result', () => {
    expect(parse(payload(), 'IDENTIFICATION_CANCELLED').result).toBe('IDENTIFICATION_CANCELLED');
    expect(parse(payload(), 'IDENTIFICATION_CANCELED').result).toBe('IDENTIFICATION_CANCELED');
  });

  it('when AUTO_FINISHED carries a preliminary verdict (final=false), then the result is REVIEWING', () => {
    expect(parse(payload({ final: false }), 'IDENTIFICATION_AUTO_FINISHED')).toMatchObject({
      code: 'IDENTIFICATION_AUTO_FINISHED',
      result: 'REVIEWING',
    });
  });

  it('when MANUAL_FINISHED carries the final verdict, then the overall status is the result', () => {
    const denied = payload({ status: { ...payload().status, overall: 'DENIED', manualFace: 'FACE_MISMATCH' } });
    expect(parse(denied, 'IDENTIFICATION_MANUAL_FINISHED')).toMatchObject({ code: 'IDENTIFICATION_MANUAL_FINISHED', result: 'DENIED' });
  });
});
