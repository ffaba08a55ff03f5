import sharp from 'sharp';

/** A decoded frame: 8-bit RGB, row-major, no alpha. */
export interface RawFrame {
  width: number;
  height: number;
  data: Uint8Array;
}

/** A rectangle in fractions of the frame's width and height. */
export interface Region {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  /** When set, only the ellipse inscribed in the rectangle counts (a face). */
  ellipse?: boolean;
}

/** Decodes one image and downscales it so its longer side is at most `maxSide` pixels. */
export async function decodeFrame(image: Uint8Array, maxSide: number): Promise<RawFrame> {
  const { data, info } = await sharp(image, { failOn: 'error', limitInputPixels: 50_000_000 })
    .resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true })
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

/** Calls `visit(index of the pixel's red byte, x, y)` for every pixel of `region`. */
export function forEachPixel(frame: RawFrame, region: Region, visit: (i: number, x: number, y: number) => void): void {
  const xa = Math.floor(region.x0 * frame.width);
  const xb = Math.ceil(region.x1 * frame.width);
  const ya = Math.floor(region.y0 * frame.height);
  const yb = Math.ceil(region.y1 * frame.height);
  const cx = (xa + xb) / 2;
  const cy = (ya + yb) / 2;
  const rx = (xb - xa) / 2;
  const ry = (yb - ya) / 2;
  for (let y = ya; y < yb; y++) {
    for (let x = xa; x < xb; x++) {
      if (region.ellipse && ((x + 0.5 - cx) / rx) ** 2 + ((y + 0.5 - cy) / ry) ** 2 > 1) continue;
      visit((y * frame.width + x) * 3, x, y);
    }
  }
}

/** Mean R, G, B of a region. */
export function meanRgb(frame: RawFrame, region: Region): [number, number, number] {
  let r = 0;
  let g = 0;
  let b = 0;
  let n = 0;
  const d = frame.data;
  forEachPixel(frame, region, (i) => {
    r += d[i] as number;
    g += d[i + 1] as number;
    b += d[i + 2] as number;
    n += 1;
  });
  return n === 0 ? [0, 0, 0] : [r / n, g / n, b / n];
}

/** Chromaticity: the colour with brightness divided out, so a flash's hue counts and its brightness does not. */
export function chroma([r, g, b]: readonly number[]): [number, number, number] {
  const sum = (r ?? 0) + (g ?? 0) + (b ?? 0);
  return sum <= 0 ? [1 / 3, 1 / 3, 1 / 3] : [(r ?? 0) / sum, (g ?? 0) / sum, (b ?? 0) / sum];
}

/** Per-pixel brightness (R+G+B)/3 of a region, as a flat array in scan order. */
export function luminance(frame: RawFrame, region: Region): Float64Array {
  const out: number[] = [];
  const d = frame.data;
  forEachPixel(frame, region, (i) => out.push(((d[i] as number) + (d[i + 1] as number) + (d[i + 2] as number)) / 3));
  return Float64Array.from(out);
}

export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = Math.min(a.length, b.length);
  if (n < 2) return 0;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i] as number;
    mb += b[i] as number;
  }
  ma /= n;
  mb /= n;
  let cov = 0;
  let va = 0;
  let vb = 0;
  for (let i = 0; i < n; i++) {
    const da = (a[i] as number) - ma;
    const db = (b[i] as number) - mb;
    cov += da * db;
    va += da * da;
    vb += db * db;
  }
  return va === 0 || vb === 0 ? 0 : cov / Math.sqrt(va * vb);
}

/** sRGB level (0-255) to linear light (0-1): the camera's gains multiply linear light, so ratios are taken there. */
export const LINEAR: Float64Array = Float64Array.from({ length: 256 }, (_, v) => {
  const s = v / 255;
  return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
});

/** Mean linear R, G, B of a region, with an optional region left out (e.g. a frame's border around the subject). */
export function meanLinear(frame: RawFrame, region: Region, without?: Region): [number, number, number] {
  const d = frame.data;
  const sums = [0, 0, 0];
  let n = 0;
  const inside = without ? regionTest(frame, without) : undefined;
  forEachPixel(frame, region, (i, x, y) => {
    if (inside?.(x, y)) return;
    sums[0] = (sums[0] as number) + (LINEAR[d[i] as number] as number);
    sums[1] = (sums[1] as number) + (LINEAR[d[i + 1] as number] as number);
    sums[2] = (sums[2] as number) + (LINEAR[d[i + 2] as number] as number);
    n += 1;
  });
  return n === 0 ? [0, 0, 0] : [(sums[0] as number) / n, (sums[1] as number) / n, (sums[2] as number) / n];
}

/** Whether pixel (x, y) of `frame` lies in `region`, as forEachPixel decides it. */
function regionTest(frame: RawFrame, region: Region): (x: number, y: number) => boolean {
  const xa = Math.floor(region.x0 * frame.width);
  const xb = Math.ceil(region.x1 * frame.width);
  const ya = Math.floor(region.y0 * frame.height);
  const yb = Math.ceil(region.y1 * frame.height);
  const [cx, cy, rx, ry] = [(xa + xb) / 2, (ya + yb) / 2, (xb - xa) / 2, (yb - ya) / 2];
  return (x, y) =>
    x >= xa && x < xb && y >= ya && y < yb && (!region.ellipse || ((x + 0.5 - cx) / rx) ** 2 + ((y + 0.5 - cy) / ry) ** 2 <= 1);
}

/** `region` grown about its centre by `k` (1.3: 30% larger), clipped to the frame. */
export function grownRegion(region: Region, k: number): Region {
  const cx = (region.x0 + region.x1) / 2;
  const cy = (region.y0 + region.y1) / 2;
  const hw = ((region.x1 - region.x0) / 2) * k;
  const hh = ((region.y1 - region.y0) / 2) * k;
  return { ...region, x0: Math.max(0, cx - hw), x1: Math.min(1, cx + hw), y0: Math.max(0, cy - hh), y1: Math.min(1, cy + hh) };
}

/**
 * Per frame, the log ratio of a region's linear colour to a reference's, per channel. A camera that keeps
 * adjusting exposure and white balance multiplies every pixel of a frame by the same per-channel gains,
 * which this cancels; what is left is how the region's light changed relative to the reference's.
 */
export function logRatios(rows: ReadonlyArray<readonly number[]>, reference: ReadonlyArray<readonly number[]>): number[][] {
  return rows.map((row, f) => [0, 1, 2].map((c) => Math.log(Math.max(1e-5, row[c] as number) / Math.max(1e-5, (reference[f] as number[])[c] as number))));
}

/** Each channel's series minus its mean over the frames. */
export function centredColumns(rows: readonly number[][]): number[][] {
  const mean = [0, 1, 2].map((c) => rows.reduce((s, r) => s + (r[c] as number), 0) / Math.max(1, rows.length));
  return rows.map((r) => r.map((v, c) => v - (mean[c] as number)));
}
