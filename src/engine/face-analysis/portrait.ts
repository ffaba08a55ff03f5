import type { RawFrame } from '../pixels';
import { detectFaces, type DetectedFace, type DetectOptions } from './face-model';

/** Share of the portrait's pixels clipped at each end when its contrast is stretched. */
const CLIP = 0.01;

/**
 * The faces in a card's portrait area. A card photographed under dim or coloured room light can leave
 * its portrait dark and flat (a few tens of grey levels), where the detector finds nothing or is unsure
 * of a face that is plainly there; so when the portrait as cut holds no face as confident as
 * `passScore`, it is looked at again with its contrast stretched (the darkest and brightest 1% of its
 * brightness to black and white), and the more confident answer counts. Two faces found as cut stay
 * two faces: a pasted-over portrait is not explained away. `frame` is the image the faces were found
 * in, for the face's quality; `stretched` says it is the stretched one (face_on_card then only reviews).
 */
export async function detectPortrait(
  portrait: RawFrame,
  detect: DetectOptions,
  passScore: number,
): Promise<{ faces: DetectedFace[]; frame: RawFrame; stretched: boolean }> {
  const faces = await detectFaces(portrait, detect);
  if (faces.length > 1 || (faces[0]?.score ?? 0) >= passScore) return { faces, frame: portrait, stretched: false };
  const flat = stretchContrast(portrait);
  const again = await detectFaces(flat, detect);
  if (again.length === 0 || (faces.length === 1 && (faces[0] as DetectedFace).score >= (again[0] as DetectedFace).score)) {
    return { faces, frame: portrait, stretched: false };
  }
  return { faces: again, frame: flat, stretched: true };
}

/** The frame with its brightness range (1st to 99th percentile of (R+G+B)/3) stretched to 0-255, hues kept. */
export function stretchContrast(frame: RawFrame): RawFrame {
  const histogram = new Uint32Array(256);
  const d = frame.data;
  for (let i = 0; i < d.length; i += 3) {
    const level = Math.round(((d[i] as number) + (d[i + 1] as number) + (d[i + 2] as number)) / 3);
    histogram[level] = (histogram[level] as number) + 1;
  }
  const pixels = d.length / 3;
  const level = (share: number): number => {
    let seen = 0;
    for (let v = 0; v < 256; v++) {
      seen += histogram[v] as number;
      if (seen > share * pixels) return v;
    }
    return 255;
  };
  const lo = level(CLIP);
  const hi = level(1 - CLIP);
  const gain = 255 / Math.max(1, hi - lo);
  const data = new Uint8Array(d.length);
  for (let i = 0; i < d.length; i++) data[i] = Math.max(0, Math.min(255, Math.round(((d[i] as number) - lo) * gain)));
  return { width: frame.width, height: frame.height, data };
}
