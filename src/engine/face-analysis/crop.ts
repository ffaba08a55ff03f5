import type { RawFrame, Region } from '../pixels';

/** The pixels of `region` (fractions of the frame) as a frame of their own. */
export function cropFrame(frame: RawFrame, region: Region): RawFrame {
  const x0 = Math.max(0, Math.floor(region.x0 * frame.width));
  const y0 = Math.max(0, Math.floor(region.y0 * frame.height));
  const width = Math.max(1, Math.min(frame.width, Math.ceil(region.x1 * frame.width)) - x0);
  const height = Math.max(1, Math.min(frame.height, Math.ceil(region.y1 * frame.height)) - y0);
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const from = ((y0 + y) * frame.width + x0) * 3;
    data.set(frame.data.subarray(from, from + width * 3), y * width * 3);
  }
  return { width, height, data };
}
