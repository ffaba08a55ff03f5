/**
 * Similarity of two face descriptors in [0, 1]: 1 minus their Euclidean distance, clamped. face-api's
 * descriptors put the same person at a distance of about 0.2 to 0.5 and different people at 0.45 and
 * beyond (its authors' rule of thumb is "same person below 0.6"), so similarity reads as a score where
 * the match threshold (config/engine.json `face.matchThreshold`) sits around 0.5.
 */
export function similarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`descriptor lengths differ: ${a.length} and ${b.length}`);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += ((a[i] as number) - (b[i] as number)) ** 2;
  return Math.min(1, Math.max(0, 1 - Math.sqrt(sum)));
}

/** Descriptors are stored as the raw bytes of their Float32Array (512 bytes), never as JSON or in logs. */
export const descriptorToBytes = (d: Float32Array): Buffer => Buffer.from(d.buffer, d.byteOffset, d.byteLength);

export function descriptorFromBytes(bytes: Uint8Array): Float32Array {
  const copy = new Uint8Array(bytes); // aligned, owned copy
  return new Float32Array(copy.buffer, 0, copy.byteLength / 4);
}
