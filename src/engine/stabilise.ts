import type { RawFrame, Region } from './pixels';

/** Largest shake looked for, as a share of the frame's shorter side (a hand-held phone moves a few percent). */
const MAX_SHIFT_SHARE = 0.05;
/** Scales looked for, against the anchor frame: the phone drifting nearer or farther by up to 6%. */
const SCALE_STEP = 0.015;
const SCALE_STEPS = 4;
/** Pixels of the subject's box at the coarsest level of the search: small enough for the wide search to be quick. */
const COARSE_PIXELS = 1500;
/** About the most pixels compared per candidate at the finer levels; a larger box is sampled on a sparser grid. */
const FINE_PIXELS = 20000;

/**
 * How a frame's content lies against the anchor frame's: what the anchor shows at p, this frame shows at
 * c + scale * (p - c) + (dx, dy), c being the frame's centre. In pixels of the frame.
 */
export interface Motion {
  scale: number;
  dx: number;
  dy: number;
}

const STILL: Motion = { scale: 1, dx: 0, dy: 0 };

/**
 * The frames moved so the subject sits where it does in the anchor frame (the one the face landmarks come
 * from). A phone held in the hand shakes and drifts nearer or farther between frames; the voters measure
 * fixed regions and landmark spots, so without this a moved frame puts hair or background where the face
 * was, and its change of light counts as the flash's. Each frame's shift and scale against the anchor are
 * those that best correlate the two brightness images over the subject's bounding box (zero-mean
 * normalised, so the flash's change of brightness and colour does not pull it): searched widely on a
 * small copy, then refined by a pixel and a shrinking scale step per doubling of resolution. The frame is then
 * resampled (bilinear; borders uncovered repeat the edge). Frames of another size than the anchor are
 * left as they are (frame_consistency fails them).
 */
export function stabilised(frames: readonly RawFrame[], subject: Region, anchorIndex: number): { frames: RawFrame[]; motions: Motion[] } {
  const anchor = frames[anchorIndex];
  if (!anchor) return { frames: [...frames], motions: frames.map(() => STILL) };
  const maxShift = Math.max(1, Math.round(MAX_SHIFT_SHARE * Math.min(anchor.width, anchor.height)));
  const boxArea = (subject.x1 - subject.x0) * anchor.width * (subject.y1 - subject.y0) * anchor.height;
  let levels = 0;
  while (boxArea / 4 ** levels > COARSE_PIXELS && levels < 4) levels += 1;
  const anchorPyramid = pyramid(anchor, levels).map((plane) => ({ plane, box: boxOf(subject, plane) }));
  const anchorValues = anchorPyramid.map(({ plane, box }) => zeroMeanBox(plane, box));
  const out: RawFrame[] = [];
  const motions: Motion[] = [];
  for (const [i, frame] of frames.entries()) {
    if (i === anchorIndex || frame.width !== anchor.width || frame.height !== anchor.height) {
      out.push(frame);
      motions.push(STILL);
      continue;
    }
    const framePyramid = pyramid(frame, levels);
    let motion = STILL;
    for (let level = levels; level >= 0; level--) {
      const { plane, box } = anchorPyramid[level] as { plane: Plane; box: Box };
      const candidates: Motion[] = [];
      if (level === levels) {
        const radius = Math.ceil(maxShift / 2 ** level);
        for (let k = -SCALE_STEPS; k <= SCALE_STEPS; k++) {
          for (let dy = -radius; dy <= radius; dy++)
            for (let dx = -radius; dx <= radius; dx++) candidates.push({ scale: 1 + k * SCALE_STEP, dx, dy });
        }
      } else {
        // A whole step either way first (the small copy can pick the neighbouring scale), then half of the previous.
        const ds = SCALE_STEP / 2 ** (levels - level - 1);
        for (const scale of [motion.scale - ds, motion.scale, motion.scale + ds]) {
          for (let dy = -1; dy <= 1; dy++) {
            for (let dx = -1; dx <= 1; dx++) candidates.push({ scale, dx: motion.dx * 2 + dx, dy: motion.dy * 2 + dy });
          }
        }
      }
      motion = best(anchorValues[level] as Float32Array, box, plane, framePyramid[level] as Plane, candidates);
    }
    motions.push(motion);
    out.push(motion.scale === 1 && motion.dx === 0 && motion.dy === 0 ? frame : resampled(frame, motion));
  }
  return { frames: out, motions };
}

interface Plane {
  width: number;
  height: number;
  data: Float32Array;
}

interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  /** Every `step`-th row and column of the box is compared. */
  step: number;
}

/** Brightness (R+G+B) at full resolution, then halved `levels` times (2x2 means). */
function pyramid(frame: RawFrame, levels: number): Plane[] {
  const data = new Float32Array(frame.width * frame.height);
  const d = frame.data;
  for (let p = 0; p < data.length; p++) data[p] = (d[p * 3] as number) + (d[p * 3 + 1] as number) + (d[p * 3 + 2] as number);
  const planes: Plane[] = [{ width: frame.width, height: frame.height, data }];
  for (let level = 1; level <= levels; level++) planes.push(halved(planes[level - 1] as Plane));
  return planes;
}

function halved(full: Plane): Plane {
  const width = Math.floor(full.width / 2);
  const height = Math.floor(full.height / 2);
  const data = new Float32Array(width * height);
  const f = full.data;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = 2 * y * full.width + 2 * x;
      data[y * width + x] =
        ((f[p] as number) + (f[p + 1] as number) + (f[p + full.width] as number) + (f[p + full.width + 1] as number)) / 4;
    }
  }
  return { width, height, data };
}

/** The subject's bounding box in `plane`'s pixels, with the grid step that keeps it under FINE_PIXELS. */
function boxOf(subject: Region, plane: Plane): Box {
  const x0 = Math.max(0, Math.floor(subject.x0 * plane.width));
  const y0 = Math.max(0, Math.floor(subject.y0 * plane.height));
  const x1 = Math.min(plane.width, Math.ceil(subject.x1 * plane.width));
  const y1 = Math.min(plane.height, Math.ceil(subject.y1 * plane.height));
  return { x0, y0, x1, y1, step: Math.max(1, Math.round(Math.sqrt(((x1 - x0) * (y1 - y0)) / FINE_PIXELS))) };
}

/** The box's values minus their mean, scaled to unit norm. */
function zeroMeanBox(plane: Plane, box: Box): Float32Array {
  const values = new Float32Array(Math.ceil((box.x1 - box.x0) / box.step) * Math.ceil((box.y1 - box.y0) / box.step));
  let k = 0;
  let sum = 0;
  for (let y = box.y0; y < box.y1; y += box.step) {
    for (let x = box.x0; x < box.x1; x += box.step) {
      const v = plane.data[y * plane.width + x] as number;
      values[k++] = v;
      sum += v;
    }
  }
  const mean = sum / Math.max(1, values.length);
  let norm = 0;
  for (let j = 0; j < values.length; j++) {
    values[j] = (values[j] as number) - mean;
    norm += (values[j] as number) ** 2;
  }
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (let j = 0; j < values.length; j++) values[j] = (values[j] as number) * scale;
  return values;
}

/**
 * The candidate under which `moved`, sampled (nearest pixel) where the anchor's box would appear, correlates
 * best with the anchor's box (zero-mean normalised). Ties go to the smaller motion: a textureless box should
 * not wander.
 */
function best(anchor: Float32Array, box: Box, plane: Plane, moved: Plane, candidates: readonly Motion[]): Motion {
  const cx = plane.width / 2;
  const cy = plane.height / 2;
  const n = anchor.length;
  let bestMotion = STILL;
  let bestScore = -Infinity;
  const columns = new Int32Array(Math.ceil((box.x1 - box.x0) / box.step));
  for (const m of candidates) {
    // Where each column of the box falls in `moved` under this candidate, worked out once per candidate, not per pixel.
    for (let x = box.x0, j = 0; x < box.x1; x += box.step, j++) {
      columns[j] = Math.min(moved.width - 1, Math.max(0, Math.round(cx + m.scale * (x + 0.5 - cx) + m.dx - 0.5)));
    }
    let dot = 0;
    let sum = 0;
    let squares = 0;
    let k = 0;
    for (let y = box.y0; y < box.y1; y += box.step) {
      const sy = Math.min(moved.height - 1, Math.max(0, Math.round(cy + m.scale * (y + 0.5 - cy) + m.dy - 0.5)));
      const row = sy * moved.width;
      for (let j = 0; j < columns.length; j++) {
        const v = moved.data[row + (columns[j] as number)] as number;
        dot += (anchor[k++] as number) * v;
        sum += v;
        squares += v * v;
      }
    }
    const spread = Math.sqrt(Math.max(0, squares - (sum * sum) / Math.max(1, n)));
    const score = spread > 0 ? dot / spread : 0;
    const size = (x: Motion) => Math.abs(x.dx) + Math.abs(x.dy) + Math.abs(x.scale - 1) * 100;
    if (score > bestScore + 1e-9 || (Math.abs(score - bestScore) <= 1e-9 && size(m) < size(bestMotion))) {
      bestScore = score;
      bestMotion = m;
    }
  }
  return bestMotion;
}

/** The frame sampled where `motion` puts the anchor's pixels (bilinear, edges repeated). */
function resampled(frame: RawFrame, motion: Motion): RawFrame {
  const { width, height } = frame;
  const data = new Uint8Array(frame.data.length);
  const src = frame.data;
  const cx = width / 2;
  const cy = height / 2;
  // Each column's two source columns and weight are the same on every row: worked out once.
  const left = new Int32Array(width);
  const right = new Int32Array(width);
  const weight = new Float32Array(width);
  for (let x = 0; x < width; x++) {
    const fx = Math.min(width - 1, Math.max(0, cx + motion.scale * (x + 0.5 - cx) + motion.dx - 0.5));
    left[x] = Math.floor(fx) * 3;
    right[x] = Math.min(width - 1, Math.floor(fx) + 1) * 3;
    weight[x] = fx - Math.floor(fx);
  }
  for (let y = 0; y < height; y++) {
    const fy = Math.min(height - 1, Math.max(0, cy + motion.scale * (y + 0.5 - cy) + motion.dy - 0.5));
    const top = Math.floor(fy) * width * 3;
    const bottom = Math.min(height - 1, Math.floor(fy) + 1) * width * 3;
    const wy = fy - Math.floor(fy);
    let to = y * width * 3;
    for (let x = 0; x < width; x++) {
      const wx = weight[x] as number;
      const l = left[x] as number;
      const r = right[x] as number;
      for (let c = 0; c < 3; c++) {
        const upper = (src[top + l + c] as number) + ((src[top + r + c] as number) - (src[top + l + c] as number)) * wx;
        const lower = (src[bottom + l + c] as number) + ((src[bottom + r + c] as number) - (src[bottom + l + c] as number)) * wx;
        data[to++] = Math.round(upper + (lower - upper) * wy);
      }
    }
  }
  return { width, height, data };
}
