import sharp from 'sharp';
import { ALL_SAMPLE_FACES, loadPhoto, sampleFaceById } from '../engine/fixtures/face-photos';

/**
 * Portrait photos of the sample people, as an integrator would upload them: the face with a margin,
 * re-encoded as JPEG. A variant changes what a second photo of the same person would change — framing,
 * exposure, colour cast, sharpness, compression — so two variants of one face are a same-person pair
 * and two faces are a different-person pair. (The sample set has one photo per person; variants are
 * the closest honest stand-in for a second photo, and the README says so.)
 */
export interface Variant {
  /** Shift of the crop window, in face widths. */
  dx?: number;
  dy?: number;
  /** Margin around the face box, in face sizes. Default 0.5. */
  margin?: number;
  /** Exposure multiplier. */
  brightness?: number;
  /** Multiplies R, G, B. */
  tint?: [number, number, number];
  /** Gaussian blur sigma in output pixels. */
  blur?: number;
  /** Rotation in degrees. */
  rotate?: number;
  quality?: number;
  /** Output width in pixels (height follows the crop). Default 320. */
  width?: number;
}

export const VARIANTS: readonly Variant[] = [
  {},
  { dx: 0.08, dy: -0.05, margin: 0.7, brightness: 1.15, quality: 70 },
  { dx: -0.06, dy: 0.06, margin: 0.45, tint: [1.08, 0.98, 0.9], blur: 0.8, width: 260 },
  { margin: 0.6, brightness: 0.85, tint: [0.92, 1, 1.1], rotate: 6, quality: 60, width: 400 },
];

export const FACE_IDS: readonly string[] = ALL_SAMPLE_FACES.map((f) => f.id);

export async function portraitJpeg(faceId: string, v: Variant = {}): Promise<Buffer> {
  const face = sampleFaceById(faceId);
  const photo = await loadPhoto(face.photo);
  const margin = v.margin ?? 0.5;
  const size = Math.max(face.box.w, face.box.h);
  const cx = face.box.x + face.box.w / 2 + (v.dx ?? 0) * face.box.w;
  const cy = face.box.y + face.box.h / 2 + (v.dy ?? 0) * face.box.h;
  const side = size * (1 + 2 * margin);
  const left = Math.max(0, Math.round(cx - side / 2));
  const top = Math.max(0, Math.round(cy - side / 2));
  const width = Math.min(photo.width - left, Math.round(side));
  const height = Math.min(photo.height - top, Math.round(side));
  let image = sharp(photo.data, { raw: { width: photo.width, height: photo.height, channels: 3 } })
    .extract({ left, top, width, height })
    .resize({ width: v.width ?? 320 });
  if (v.rotate) image = sharp(await image.png().toBuffer()).rotate(v.rotate, { background: '#808080' });
  if (v.brightness || v.tint) {
    const [r, g, b] = v.tint ?? [1, 1, 1];
    const k = v.brightness ?? 1;
    image = image.linear([r * k, g * k, b * k], [0, 0, 0]);
  }
  if (v.blur) image = image.blur(v.blur);
  return image.jpeg({ quality: v.quality ?? 90 }).toBuffer();
}

/** Two sample people side by side, for "several faces" cases. */
export async function twoPeopleJpeg(a: string, b: string): Promise<Buffer> {
  const [left, right] = await Promise.all([portraitJpeg(a), portraitJpeg(b)]);
  return sharp({ create: { width: 640, height: 320, channels: 3, background: '#777' } })
    .composite([
      { input: left, left: 0, top: 0 },
      { input: right, left: 320, top: 0 },
    ])
    .jpeg()
    .toBuffer();
}
