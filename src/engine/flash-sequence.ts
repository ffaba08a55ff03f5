import { randomBytes, randomInt } from 'node:crypto';

export interface Rgb {
  r: number;
  g: number;
  b: number;
}

/**
 * Saturated screen colours. Each pulls the face's chroma in a clearly different direction, so the
 * reflected sequence can be told apart from its shifted or reordered versions.
 */
export const PALETTE: readonly Rgb[] = [
  { r: 255, g: 0, b: 0 },
  { r: 0, g: 255, b: 0 },
  { r: 0, g: 0, b: 255 },
  { r: 0, g: 255, b: 255 },
  { r: 255, g: 0, b: 255 },
  { r: 255, g: 255, b: 0 },
];

/** A crypto-random colour sequence with no colour repeated back to back (a repeat shows no change). */
export function randomSequence(length: number): Rgb[] {
  const out: Rgb[] = [];
  let previous = -1;
  while (out.length < length) {
    const index = randomInt(PALETTE.length);
    if (index === previous) continue;
    previous = index;
    out.push({ ...(PALETTE[index] as Rgb) });
  }
  return out;
}

/** A single-use nonce of `bytes` random bytes, base64url. */
export const randomNonce = (bytes: number): string => randomBytes(bytes).toString('base64url');
