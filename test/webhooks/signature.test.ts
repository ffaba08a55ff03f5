import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createHmac } from 'node:crypto';
import { newWebhookSecret, signatureHeader, verifySignature } from '../../src/webhooks/signature';

const body = '{"id":"evt_1","object":"event","type":"verification.completed","data":{"verificationId":"ver_1","status":"passed"}}';
const at = new Date('2026-11-30T12:00:00Z');

describe('Verigate-Signature', () => {
  it('when a body is signed and checked with the same secret, then it verifies, and the header is t=<unix>,v1=<hex HMAC of "t.body">', () => {
    const secret = newWebhookSecret();
    expect(secret).toMatch(/^whsec_[0-9A-Za-z]{32}$/);
    const header = signatureHeader(body, [secret], at);
    const t = at.getTime() / 1000;
    expect(header).toBe(`t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`);
    expect(verifySignature(body, header, [secret], { now: at })).toEqual({ ok: true, timestamp: t });
    expect(verifySignature(Buffer.from(body), header, [secret], { now: at }).ok).toBe(true);
  });

  it('when the body, the secret or the timestamp was changed, then it does not verify', () => {
    const secret = newWebhookSecret();
    const header = signatureHeader(body, [secret], at);
    expect(verifySignature(body.replace('passed', 'failed'), header, [secret], { now: at })).toEqual({
      ok: false,
      reason: 'no_matching_signature',
    });
    expect(verifySignature(body, header, [newWebhookSecret()], { now: at })).toEqual({ ok: false, reason: 'no_matching_signature' });
    const moved = header.replace(/^t=(\d+)/, (_, t: string) => `t=${Number(t) + 1}`);
    expect(verifySignature(body, moved, [secret], { now: at })).toEqual({ ok: false, reason: 'no_matching_signature' });
    // Re-serialised JSON is not the raw body.
    expect(verifySignature(JSON.stringify(JSON.parse(body), null, 1), header, [secret], { now: at }).ok).toBe(false);
  });

  it.each([
    ['301 s old', 'refused', -301_000],
    ['300 s old', 'accepted', -300_000],
    ['300 s ahead', 'accepted', 300_000],
    ['301 s ahead', 'refused', 301_000],
  ])('when the timestamp is %s, then it is %s (300 s tolerance both ways)', (_label, verdict, skewMs) => {
    const accepted = verdict === 'accepted';
    const secret = newWebhookSecret();
    const header = signatureHeader(body, [secret], new Date(at.getTime() + skewMs));
    const result = verifySignature(body, header, [secret], { now: at });
    expect(result.ok).toBe(accepted);
    if (!accepted) expect(result).toEqual({ ok: false, reason: 'timestamp_outside_tolerance' });
  });

  it('when the header is missing or malformed, then it is refused as malformed', () => {
    const secret = newWebhookSecret();
    for (const header of [undefined, '', 't=abc,v1=00', `v1=${'a'.repeat(64)}`, 't=1700000000', `t=1700000000,v0=${'a'.repeat(64)}`]) {
      expect(verifySignature(body, header, [secret], { now: at })).toEqual({ ok: false, reason: 'malformed_header' });
    }
  });

  it('when two secrets sign (a rotation), then a receiver holding either one verifies', () => {
    const [next, previous] = [newWebhookSecret(), newWebhookSecret()];
    const header = signatureHeader(body, [next, previous], at);
    expect(header.match(/v1=/g)).toHaveLength(2);
    expect(verifySignature(body, header, [previous], { now: at }).ok).toBe(true);
    expect(verifySignature(body, header, [next], { now: at }).ok).toBe(true);
    expect(verifySignature(body, signatureHeader(body, [next], at), [previous], { now: at }).ok).toBe(false);
  });
});

describe("the README's verification function for integrators", () => {
  // The block integrators copy, taken from README.md as it stands, so the README cannot drift from the signer.
  const readme = readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
  const block = /```js\n([\s\S]*?function verifyVerigateSignature[\s\S]*?)```/.exec(readme)?.[1];
  type Verify = (raw: string | Buffer, header: string | undefined, secrets: string[], tolerance?: number, nowMs?: number) => boolean;
  const verify = new Function('require', `${block}\nreturn verifyVerigateSignature;`)(require) as Verify;

  it('when deliveries are signed by the gateway, then the snippet accepts them, both secrets of a rotation included', () => {
    expect(block).toBeDefined();
    const [next, previous] = [newWebhookSecret(), newWebhookSecret()];
    const header = signatureHeader(body, [next, previous], at);
    expect(verify(body, header, [next], 300, at.getTime())).toBe(true);
    expect(verify(Buffer.from(body), header, [previous], 300, at.getTime())).toBe(true);
  });

  it('when the body, the secret or the time is wrong, then the snippet refuses, as verifySignature does', () => {
    const secret = newWebhookSecret();
    const header = signatureHeader(body, [secret], at);
    expect(verify(`${body} `, header, [secret], 300, at.getTime())).toBe(false);
    expect(verify(body, header, [newWebhookSecret()], 300, at.getTime())).toBe(false);
    expect(verify(body, header, [secret], 300, at.getTime() + 301_000)).toBe(false);
    expect(verify(body, header, [secret], 300, at.getTime() - 301_000)).toBe(false);
    expect(verify(body, undefined, [secret], 300, at.getTime())).toBe(false);
  });
});
