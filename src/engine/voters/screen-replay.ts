import { luminance, type RawFrame, type Region } from '../pixels';
import { round, verdictOf, type ScoreBand, type Vote } from '../voter';

/** Patch side for the spectrum, in pixels (a power of two). */
const N = 64;
/** Spatial frequencies looked at, in cycles per patch: periods from about 13 px down to about 2.5 px (nearer Nyquist, demosaicing and JPEG's chroma rule). */
const MIN_RADIUS = 5;
const MAX_RADIUS = 26;

/**
 * Screen replay: a phone or monitor filmed by the camera beats its pixel grid against the sensor's, a
 * moire of one or two narrow spatial frequencies (its period depends on distance and angle, so anywhere
 * from 2 to 16 px). Skin, hair and print have smooth, broad spectra; camera noise is flat; JPEG adds
 * energy only on the 8 px block grid. So over the subject (Welch: Hann-windowed 64 px patches, their
 * power spectra averaged, which tames noise) each frequency's power is compared with the median power at
 * the same distance from the origin (on the axes, with its neighbours along the axis); the score is the
 * strongest such peak, in decibels, ignoring the multiples of 8 cycles where JPEG's blocks put theirs.
 * Measured on the first and the middle frame, the larger counts.
 */
export function screenReplayVote(frames: readonly RawFrame[], region: Region, band: ScoreBand): Vote {
  const name = 'screen_replay';
  const picks = [frames[0], frames[Math.floor(frames.length / 2)]].filter((f): f is RawFrame => f !== undefined);
  let score = -Infinity;
  for (const frame of picks) {
    const s = peakOf(frame, region);
    if (s === null) return { name, verdict: 'uncertain', score: 0, detail: 'region too small to measure' };
    score = Math.max(score, s);
  }
  return {
    name,
    verdict: verdictOf(score, band),
    score: round(score, 2),
    detail: `strongest narrow spatial frequency over its ring ${round(score, 1)} dB (a screen's moire stands out)`,
  };
}

function peakOf(frame: RawFrame, region: Region): number | null {
  const w = Math.max(1, Math.ceil(region.x1 * frame.width) - Math.floor(region.x0 * frame.width));
  const lum = luminance(frame, { ...region, ellipse: false });
  const h = Math.floor(lum.length / w);
  if (w < N || h < N) return null;
  const power = new Float64Array(N * N);
  const window = Float64Array.from({ length: N }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * (i + 0.5)) / N));
  const re = new Float64Array(N * N);
  const im = new Float64Array(N * N);
  let patches = 0;
  for (let y0 = 0; y0 + N <= h; y0 += N / 2) {
    for (let x0 = 0; x0 + N <= w; x0 += N / 2) {
      let mean = 0;
      for (let y = 0; y < N; y++) for (let x = 0; x < N; x++) mean += lum[(y0 + y) * w + x0 + x] as number;
      mean /= N * N;
      for (let y = 0; y < N; y++) {
        for (let x = 0; x < N; x++) {
          re[y * N + x] = ((lum[(y0 + y) * w + x0 + x] as number) - mean) * (window[x] as number) * (window[y] as number);
          im[y * N + x] = 0;
        }
      }
      fft2(re, im);
      for (let i = 0; i < N * N; i++) power[i] = (power[i] as number) + (re[i] as number) ** 2 + (im[i] as number) ** 2;
      patches += 1;
    }
  }
  if (patches === 0) return null;
  // Off the axes, each bin is compared with the median of its ring (frequencies of the same period).
  // On the axes, where horizontal and vertical edges (text lines, the card's border) put a broad ridge,
  // with the median of the axis bins around it. JPEG's 8 px block grid puts its energy on the lines
  // u = 8k and v = 8k (k >= 1): those are left out.
  const at = (u: number, v: number) => power[((v + N) % N) * N + ((u + N) % N)] as number;
  const jpeg = (k: number) => k !== 0 && k % 8 === 0;
  const rings: number[][] = Array.from({ length: MAX_RADIUS + 2 }, () => []);
  const bins: Array<[number, number, number]> = [];
  for (let v = -N / 2 + 1; v < N / 2; v++) {
    for (let u = 0; u < N / 2; u++) {
      if (jpeg(u) || jpeg(v)) continue;
      const r = Math.round(Math.hypot(u, v));
      if (r < MIN_RADIUS || r > MAX_RADIUS) continue;
      if (u !== 0 && v !== 0) (rings[r] as number[]).push(at(u, v));
      bins.push([u, v, r]);
    }
  }
  const medianOf = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
  const medians = rings.map(medianOf);
  let best = 0;
  for (const [u, v, r] of bins) {
    let reference: number;
    if (u === 0 || v === 0) {
      // Edges make the axes decay like a power law: a bin's expected power is the geometric mean of its neighbours'.
      const k = u === 0 ? v : u;
      const axis = (j: number) => (u === 0 ? at(0, j) : at(j, 0));
      reference = Math.max(Math.sqrt(axis(k - 2) * axis(k + 2)), Math.sqrt(axis(k - 3) * axis(k + 3)));
    } else {
      reference = medians[r] as number;
    }
    if (reference > 0) best = Math.max(best, at(u, v) / reference);
  }
  return best > 0 ? 10 * Math.log10(best) : 0;
}

/** In-place 2-D FFT of an N x N complex array (rows, then columns). */
function fft2(re: Float64Array, im: Float64Array): void {
  const rowRe = new Float64Array(N);
  const rowIm = new Float64Array(N);
  for (let pass = 0; pass < 2; pass++) {
    for (let k = 0; k < N; k++) {
      for (let j = 0; j < N; j++) {
        const i = pass === 0 ? k * N + j : j * N + k;
        rowRe[j] = re[i] as number;
        rowIm[j] = im[i] as number;
      }
      fft1(rowRe, rowIm);
      for (let j = 0; j < N; j++) {
        const i = pass === 0 ? k * N + j : j * N + k;
        re[i] = rowRe[j] as number;
        im[i] = rowIm[j] as number;
      }
    }
  }
}

/** In-place iterative radix-2 FFT. */
function fft1(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j] as number, re[i] as number];
      [im[i], im[j]] = [im[j] as number, im[i] as number];
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const angle = (-2 * Math.PI) / len;
    const wr = Math.cos(angle);
    const wi = Math.sin(angle);
    for (let i = 0; i < n; i += len) {
      let cr = 1;
      let ci = 0;
      for (let k = 0; k < len / 2; k++) {
        const a = i + k;
        const b = a + len / 2;
        const tr = (re[b] as number) * cr - (im[b] as number) * ci;
        const ti = (re[b] as number) * ci + (im[b] as number) * cr;
        re[b] = (re[a] as number) - tr;
        im[b] = (im[a] as number) - ti;
        re[a] = (re[a] as number) + tr;
        im[a] = (im[a] as number) + ti;
        [cr, ci] = [cr * wr - ci * wi, cr * wi + ci * wr];
      }
    }
  }
}
