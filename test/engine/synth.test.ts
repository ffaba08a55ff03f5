import sharp from 'sharp';
import { LAYOUT } from '../../src/engine/analyse-frames';
import { engineConfig } from '../../src/engine/engine-config';
import { cropFrame } from '../../src/engine/face-analysis/crop';
import { detectFaces } from '../../src/engine/face-analysis/face-model';
import { PALETTE, type Rgb } from '../../src/engine/flash-sequence';
import { chroma, decodeFrame, meanRgb, pearson, type RawFrame } from '../../src/engine/pixels';
import { loadPhoto, SAMPLE_FACES, sampleFace, sampleFaceById } from './fixtures/face-photos';
import { faceScene, KTP_PHOTO, ktpScene, renderCapture, renderFrame, type Scene } from './fixtures/synth';

/** Brightness of a raw RGB image, one value per pixel. */
const brightness = (rgb: ArrayLike<number>): Float64Array =>
  Float64Array.from(
    { length: rgb.length / 3 },
    (_, i) => ((rgb[3 * i] as number) + (rgb[3 * i + 1] as number) + (rgb[3 * i + 2] as number)) / 3,
  );

/** A sample face's detector box cut from its photo, resized to 24x32 brightness values. */
async function photoFace(id: string): Promise<Float64Array> {
  const face = sampleFaceById(id);
  const photo = await loadPhoto(face.photo);
  const data = await sharp(photo.data, { raw: { width: photo.width, height: photo.height, channels: 3 } })
    .extract({ left: face.box.x, top: face.box.y, width: face.box.w, height: face.box.h })
    .resize(24, 32, { fit: 'fill' })
    .raw()
    .toBuffer();
  return brightness(data);
}

/** The face box a scene says it shows, cut from the scene's base colours, resized like `photoFace`. */
async function sceneFace(scene: Scene): Promise<Float64Array> {
  const box = scene.face?.box;
  if (!box) throw new Error('the scene shows no face');
  const data = await sharp(Buffer.from(Uint8Array.from(scene.base, Math.round)), {
    raw: { width: scene.width, height: scene.height, channels: 3 },
  })
    .extract({ left: Math.round(box.x), top: Math.round(box.y), width: Math.round(box.w), height: Math.round(box.h) })
    .resize(24, 32, { fit: 'fill' })
    .raw()
    .toBuffer();
  return brightness(data);
}

const decode = async (jpeg: Buffer): Promise<RawFrame> => decodeFrame(jpeg, 640);

describe('capture fixtures made from the face-api sample photos', () => {
  it('when seeds run through 0 to 12, then each seed shows another frontal person, the same one on its selfie and its card', async () => {
    const seeds = SAMPLE_FACES.map((_, seed) => seed);
    const selfies = await Promise.all(seeds.map((seed) => faceScene(seed, 60, 80)));
    const cards = await Promise.all(seeds.map((seed) => ktpScene(seed, 120, 76)));
    const ids = selfies.map((s) => s.face?.id);
    expect(new Set(ids).size).toBe(13);
    expect(ids).toEqual(SAMPLE_FACES.map((f) => f.id));
    expect(cards.map((c) => c.face?.id)).toEqual(ids);
    expect((await faceScene(13, 60, 80)).face?.id).toBe(sampleFace(0).id);
  });

  // Faces that are hardly rolled in their photo, so the upright crop can be compared with the photo's box as it is.
  it.each(['s1f0', 's3f0', 's5f1', 's5f3', 's6f2'])(
    'when %s is framed as a selfie or a card portrait, then its face box holds that face of the photo and no other person',
    async (id) => {
      const others = await Promise.all(SAMPLE_FACES.filter((f) => f.id !== id).map((f) => photoFace(f.id)));
      const own = await photoFace(id);
      for (const scene of [await faceScene(0, 240, 320, { face: id }), await ktpScene(0, 480, 303, { face: id })]) {
        const shown = await sceneFace(scene);
        expect(pearson(shown, own)).toBeGreaterThan(0.95);
        for (const other of others) expect(pearson(shown, other)).toBeLessThan(0.75);
      }
    },
  );

  it('when a scene is built and rendered twice with the same seeds, then the pixels and the JPEG bytes are identical', async () => {
    const sequence: Rgb[] = [...PALETTE, ...PALETTE].slice(0, 8);
    const [a, b] = await Promise.all([faceScene(4, 120, 160), faceScene(4, 120, 160)]);
    expect(Buffer.from(a.base.buffer).equals(Buffer.from(b.base.buffer))).toBe(true);
    expect(Buffer.from(a.reflect.buffer).equals(Buffer.from(b.reflect.buffer))).toBe(true);
    const [x, y] = await Promise.all([renderCapture(a, sequence, 4, { seed: 9 }), renderCapture(b, sequence, 4, { seed: 9 })]);
    expect(x.every((frame, i) => frame.equals(y[i] as Buffer))).toBe(true);
    const [c, d] = await Promise.all([ktpScene(4, 160, 101), ktpScene(4, 160, 101)]);
    expect(Buffer.from(c.base.buffer).equals(Buffer.from(d.base.buffer))).toBe(true);
    // Another seed moves the frame even for the same person.
    const moved = await faceScene(4 + 13, 120, 160);
    expect(moved.face?.id).toBe(a.face?.id);
    expect(Buffer.from(moved.base.buffer).equals(Buffer.from(a.base.buffer))).toBe(false);
  });

  it('when the screen turns from red to blue, then the face in the guide changes colour several times more than the far background', async () => {
    const scene = await faceScene(2, 240, 320);
    const [red, blue] = await Promise.all([
      renderFrame(scene, { r: 255, g: 0, b: 0 }, { seed: 1 }).then(decode),
      renderFrame(scene, { r: 0, g: 0, b: 255 }, { seed: 1 }).then(decode),
    ]);
    const shift = (region: Parameters<typeof meanRgb>[1]) => {
      const [p, q] = [chroma(meanRgb(red, region)), chroma(meanRgb(blue, region))];
      return Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);
    };
    const corners = [
      { x0: 0, y0: 0, x1: 0.1, y1: 0.1 },
      { x0: 0.9, y0: 0, x1: 1, y1: 0.1 },
    ];
    const face = shift(LAYOUT.face);
    expect(face).toBeGreaterThan(0.02);
    for (const corner of corners) expect(face).toBeGreaterThan(3 * shift(corner));
  });

  it('when a card is built without its portrait, then the photo area is one plain colour and the scene names no face', async () => {
    const card = await ktpScene(5, 240, 152, { photo: false });
    expect(card.face).toBeUndefined();
    const x = Math.ceil(KTP_PHOTO.x0 * 240) + 5;
    const y = Math.ceil(KTP_PHOTO.y0 * 152) + 5;
    const colourAt = (dx: number, dy: number) =>
      Array.from(card.base.subarray(((y + dy) * 240 + x + dx) * 3, ((y + dy) * 240 + x + dx) * 3 + 3));
    expect(colourAt(0, 0)).toEqual(colourAt(20, 30));
  });
});

describe('the sample faces stay detectable under the flash (the engine face detector, SSD)', () => {
  const cfg = engineConfig();
  const detect = (frame: RawFrame) => detectFaces(frame, { detector: cfg.face.captureDetector, minScore: cfg.face.minDetectionScore });

  // Every frontal person, at the two selfie sizes the engine is tested at, each under a different flash colour.
  it.each([
    [240, 320],
    [480, 640],
  ])(
    'when every person is captured as a %ix%i selfie, then exactly one face is found, inside the guide, as confident as single_face passes',
    async (w, h) => {
      for (const [i, face] of SAMPLE_FACES.entries()) {
        const scene = await faceScene(i, w, h);
        const frame = await decode(await renderFrame(scene, PALETTE[(i + w) % PALETTE.length] as Rgb, { seed: i }));
        const found = await detect(frame);
        expect({ id: face.id, faces: found.length }).toEqual({ id: face.id, faces: 1 });
        const [best] = found;
        expect({ id: face.id, pass: (best?.score ?? 0) >= cfg.thresholds.singleFace.pass }).toEqual({ id: face.id, pass: true });
        const cx = ((best?.box.x ?? 0) + (best?.box.width ?? 0) / 2) / w;
        expect(cx).toBeGreaterThan(LAYOUT.face.x0);
        expect(cx).toBeLessThan(LAYOUT.face.x1);
      }
    },
    120_000,
  );

  it('when every person is on a 480x303 card, then one face is found in the portrait area; with the portrait covered, none', async () => {
    for (const [i, face] of SAMPLE_FACES.entries()) {
      const light = PALETTE[i % PALETTE.length] as Rgb;
      const card = await decode(await renderFrame(await ktpScene(i, 480, 303), light, { seed: i }));
      const found = await detect(cropFrame(card, LAYOUT.cardPhoto));
      expect({ id: face.id, faces: found.length, pass: (found[0]?.score ?? 0) >= cfg.thresholds.faceOnCard.pass }).toEqual({
        id: face.id,
        faces: 1,
        pass: true,
      });
    }
    const covered = await decode(await renderFrame(await ktpScene(0, 480, 303, { photo: false }), PALETTE[0] as Rgb, { seed: 1 }));
    expect(await detect(cropFrame(covered, LAYOUT.cardPhoto))).toEqual([]);
  }, 120_000);
});
