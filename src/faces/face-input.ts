import type { FaceSample } from '../engine/face-analysis/describe';
import type { Engine } from '../engine/engine';
import { AppError } from '../errors/app-error';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * The face in an uploaded base64 image (`liveImage`, `referenceImage`, an upload enrollment), found in the
 * engine's worker pool. Not an image: 400 on `param`; an image without a face: 422 `no face found in <param>`.
 * Callers check the size bound before this, in their schema, so oversize input is refused before decoding.
 */
export async function faceFromUpload(engine: Engine, base64: string, param: string): Promise<FaceSample> {
  if (!BASE64.test(base64) || base64.length === 0) {
    throw new AppError('invalid_request', { params: { detail: `${param}: not base64` }, param });
  }
  const result = await engine.pool.run({ op: 'describe', frames: [Buffer.from(base64, 'base64')], face: engine.config.face }).catch((cause: unknown) => {
    throw new AppError('service_unavailable', { params: { dependency: 'face analysis' }, cause });
  });
  if (!result.ok) throw new AppError('invalid_request', { params: { detail: `${param}: not a decodable image` }, param });
  if (!result.face) throw new AppError('face_not_found', { params: { param }, param });
  return result.face;
}
