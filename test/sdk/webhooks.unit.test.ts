import { verifyWebhookSignature } from '../../sdk/src';
import { newWebhookSecret, signatureHeader } from '../../src/webhooks/signature';

/** The SDK's receiver-side check against the gateway's own signer. */
const body = JSON.stringify({
  id: 'evt_1',
  object: 'event',
  type: 'verification.completed',
  data: { verificationId: 'ver_1', status: 'passed' },
});
const at = new Date('2026-11-30T12:00:00Z');

describe("the SDK's webhook verifier", () => {
  it('when a delivery is signed by the gateway, then it verifies, from a string or the raw bytes', async () => {
    const secret = newWebhookSecret();
    const header = signatureHeader(body, [secret], at);
    await expect(verifyWebhookSignature(body, header, [secret], { now: at })).resolves.toEqual({
      ok: true,
      timestamp: at.getTime() / 1000,
    });
    await expect(verifyWebhookSignature(new TextEncoder().encode(body), header, [secret], { now: at })).resolves.toMatchObject({
      ok: true,
    });
  });

  it('when the secret is rotated, then either secret verifies the two-signature header', async () => {
    const [next, previous] = [newWebhookSecret(), newWebhookSecret()];
    const header = signatureHeader(body, [next, previous], at);
    await expect(verifyWebhookSignature(body, header, [previous], { now: at })).resolves.toMatchObject({ ok: true });
    await expect(verifyWebhookSignature(body, header, [next], { now: at })).resolves.toMatchObject({ ok: true });
  });

  it('when the body, the secret or the clock is off, then it is refused with the reason', async () => {
    const secret = newWebhookSecret();
    const header = signatureHeader(body, [secret], at);
    await expect(verifyWebhookSignature(`${body} `, header, [secret], { now: at })).resolves.toEqual({
      ok: false,
      reason: 'no_matching_signature',
    });
    await expect(verifyWebhookSignature(body, header, [newWebhookSecret()], { now: at })).resolves.toMatchObject({
      reason: 'no_matching_signature',
    });
    const late = new Date(at.getTime() + 301_000);
    const early = new Date(at.getTime() - 301_000);
    await expect(verifyWebhookSignature(body, header, [secret], { now: late })).resolves.toMatchObject({
      reason: 'timestamp_outside_tolerance',
    });
    await expect(verifyWebhookSignature(body, header, [secret], { now: early })).resolves.toMatchObject({
      reason: 'timestamp_outside_tolerance',
    });
    for (const bad of [undefined, '', 't=abc,v1=00', `v1=${'a'.repeat(64)}`, `t=${at.getTime() / 1000}`]) {
      await expect(verifyWebhookSignature(body, bad, [secret], { now: at })).resolves.toMatchObject({ reason: 'malformed_header' });
    }
  });
});
