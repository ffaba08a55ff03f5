import path from 'node:path';
import sharp from 'sharp';

/**
 * The registry portrait the AccuAuth simulator returns for its reference-photo NIKs: one real face from the
 * group photos @vladmandic/face-api ships in `demo/` (a production dependency, so the simulator works
 * without the test tree), cropped passport-style (3:4, face centred with a margin) and re-encoded as JPEG,
 * as a registry photo would be. The face box was found by the package's SSD MobileNet detector
 * (test/engine/fixtures/sample-faces.json, face `s1f0`); copied here so the simulator stands alone.
 */
const SAMPLE = { photo: 'sample1.jpg', box: { x: 414, y: 354, w: 178, h: 240 } };

/** Output width in pixels; the height follows the 3:4 frame. */
const WIDTH = 240;

let cached: Promise<string> | undefined;

/** The portrait as base64 (no data-URI prefix), rendered once per process. */
export function sampleReferencePhoto(): Promise<string> {
  cached ??= render().catch((err: unknown) => {
    cached = undefined; // a failed render (a missing file, say) is retried on the next call
    throw err;
  });
  return cached;
}

async function render(): Promise<string> {
  const file = path.join(path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo', SAMPLE.photo);
  const { x, y, w, h } = SAMPLE.box;
  // Face about half the frame's width, as in an ID photo; the frame stays inside the 1920x1300 photo.
  const width = Math.round(w * 2);
  const height = Math.round((width * 4) / 3);
  const left = Math.max(0, Math.round(x + w / 2 - width / 2));
  const top = Math.max(0, Math.round(y + h / 2 - height / 2));
  const jpeg = await sharp(file).extract({ left, top, width, height }).resize({ width: WIDTH }).jpeg({ quality: 85 }).toBuffer();
  return jpeg.toString('base64');
}
