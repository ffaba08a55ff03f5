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

/**
 * A timed challenge's colours (version 2): the six above and the six between them (orange, chartreuse,
 * spring green, azure, violet, rose). Twelve hues make a sequence far harder to guess or to pre-render
 * (12 x 11^7 orders of 8 against 6 x 5^7), and a tint that follows them must follow half-steps too.
 */
export const TIMED_PALETTE: readonly Rgb[] = [
  ...PALETTE,
  { r: 255, g: 128, b: 0 },
  { r: 128, g: 255, b: 0 },
  { r: 0, g: 255, b: 128 },
  { r: 0, g: 128, b: 255 },
  { r: 128, g: 0, b: 255 },
  { r: 255, g: 0, b: 128 },
];

/** A crypto-random colour sequence from `palette` with no colour repeated back to back (a repeat shows no change). */
export function randomSequence(length: number, palette: readonly Rgb[] = PALETTE): Rgb[] {
  const out: Rgb[] = [];
  let previous = -1;
  while (out.length < length) {
    const index = randomInt(palette.length);
    if (index === previous) continue;
    previous = index;
    out.push({ ...(palette[index] as Rgb) });
  }
  return out;
}

/** A single-use nonce of `bytes` random bytes, base64url. */
export const randomNonce = (bytes: number): string => randomBytes(bytes).toString('base64url');
