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
