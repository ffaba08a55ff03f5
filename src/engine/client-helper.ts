import { bundleSignature } from './bundle-signature';

/** What POST /v1/flash-challenges answered (the parts a capture needs). */
export interface ChallengeForCapture {
  customerId: string;
  kind: 'selfie' | 'ktp';
  nonce: string;
}

export interface BundleInput {
  challenge: ChallengeForCapture;
  /** Encoded images (JPEG, PNG or WebP), in capture order: frame i taken while colour i of the sequence was on screen. */
  frames: ReadonlyArray<Uint8Array | string>;
  /** The API key's hmacKey, shown once when the key was issued. */
  hmacKey: string;
  /** When capturing finished; defaults to now. A retry must use a new timestamp, which yields a new signature. */
  timestamp?: Date;
  /** KTP captures: the NIK, birth date (YYYY-MM-DD) and sex as read from the card. */
  ktp?: { nik: string; birthDate: string; sex: 'male' | 'female' };
}

/**
 * Builds and signs a capture bundle for POST /v1/captures: frames in base64, the challenge's nonce, a
 * timestamp, and `signature` = hex HMAC-SHA256 (keyed with the hmacKey) over the RFC 8785 canonical
 * JSON of everything else. Send the result as the JSON body, unchanged.
 *
 * @example
 * const challenge = await post('/v1/flash-challenges', { customerId, kind: 'selfie' });
 * // show challenge.sequence on screen, one colour per frame, capturing a frame under each
 * const bundle = buildCaptureBundle({ challenge, frames, hmacKey });
 * await post('/v1/captures', bundle);
 */
export function buildCaptureBundle(input: BundleInput): Record<string, unknown> & { signature: string } {
  const unsigned: Record<string, unknown> = {
    customerId: input.challenge.customerId,
    kind: input.challenge.kind,
    flashChallengeNonce: input.challenge.nonce,
    timestamp: (input.timestamp ?? new Date()).toISOString(),
    frames: input.frames.map((f) => (typeof f === 'string' ? f : Buffer.from(f).toString('base64'))),
    ...input.ktp,
  };
  return { ...unsigned, signature: bundleSignature(unsigned, input.hmacKey) };
}
