import { createHmac, timingSafeEqual } from 'node:crypto';
import { canonicalJson } from '../canonical-json';

/**
 * Seed 000's bundle signature: hex HMAC-SHA256, keyed with the API key's hmacKey, over the RFC 8785
 * canonical JSON of the bundle without its `signature` member.
 */
export function bundleSignature(bundle: Record<string, unknown>, hmacKey: string): string {
  const { signature: _ignored, ...signed } = bundle;
  return createHmac('sha256', hmacKey).update(canonicalJson(signed), 'utf8').digest('hex');
}

/** Constant-time comparison; a signature of the wrong length or alphabet is simply false. */
export function signatureMatches(bundle: Record<string, unknown>, hmacKey: string, presented: string): boolean {
  const expected = Buffer.from(bundleSignature(bundle, hmacKey), 'hex');
  if (!/^[0-9a-f]*$/i.test(presented) || presented.length !== expected.length * 2) return false;
  return timingSafeEqual(expected, Buffer.from(presented, 'hex'));
}
