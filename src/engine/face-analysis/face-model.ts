import path from 'node:path';
import type { RawFrame } from '../pixels';

// face-api's WASM build requires @tensorflow/tfjs and the WASM backend itself; the types are the package's own.
// eslint-disable-next-line @typescript-eslint/no-require-imports
type FaceApi = typeof import('@vladmandic/face-api');

/** A face found in a frame, in the frame's pixels. */
export interface DetectedFace {
  box: { x: number; y: number; width: number; height: number };
  /** The detector's confidence, 0 to 1. */
  score: number;
  /** 128-d descriptor from face-api's recognition net; compare with `similarity()`. */
  descriptor: Float32Array;
  /** face-api's 68 landmarks (iBUG 300-W order: jaw 0-16, brows 17-26, nose 27-35, eyes 36-47, mouth 48-67), in the frame's pixels. */
  landmarks: Array<{ x: number; y: number }>;
}

export interface DetectOptions {
  /**
   * `tiny` (Tiny Face Detector at 320 px) for frames where the face is large, as in a selfie guide or a
   * cropped card portrait: tens of ms. `ssd` (SSD MobileNet v1) finds small faces too, for ~0.5 s.
   * `auto` tries `tiny` and falls back to `ssd` when it finds nothing: uploads are usually portraits.
   */
  detector: 'tiny' | 'ssd' | 'auto';
  /** Faces the detector is less sure of than this (0 to 1) are ignored. */
  minScore: number;
}

let loading: Promise<FaceApi> | undefined;

/**
 * Loads tfjs on its WASM backend and the detection, landmark and recognition nets, once per thread.
 * Everything comes from node_modules: the `.wasm` binaries are read from the backend package's folder
 * (with tfjs' platform fetch off, emscripten reads them from disk) and the weights from face-api's
 * `model/` folder, so nothing is fetched from a network.
 */
export function loadFaceApi(): Promise<FaceApi> {
  loading ??= (async () => {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const tf = require('@tensorflow/tfjs') as typeof import('@tensorflow/tfjs');
    const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
    const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js') as FaceApi;
    /* eslint-enable @typescript-eslint/no-require-imports */
    wasm.setWasmPaths(`${path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}${path.sep}`, false);
    await tf.setBackend('wasm');
    await tf.ready();
    const models = path.join(path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
    await Promise.all([
      faceapi.nets.tinyFaceDetector.loadFromDisk(models),
      faceapi.nets.ssdMobilenetv1.loadFromDisk(models),
      faceapi.nets.faceLandmark68Net.loadFromDisk(models),
      faceapi.nets.faceRecognitionNet.loadFromDisk(models),
    ]);
    return faceapi;
  })();
  return loading;
}

/** Every face in the frame with its descriptor, most confident first. */
export async function detectFaces(frame: RawFrame, options: DetectOptions): Promise<DetectedFace[]> {
  if (options.detector === 'auto') {
    const found = await detectFaces(frame, { ...options, detector: 'tiny' });
    return found.length > 0 ? found : detectFaces(frame, { ...options, detector: 'ssd' });
  }
  const faceapi = await loadFaceApi();
  const options_ =
    options.detector === 'tiny'
      ? new faceapi.TinyFaceDetectorOptions({ inputSize: 320, scoreThreshold: options.minScore })
      : new faceapi.SsdMobilenetv1Options({ minConfidence: options.minScore, maxResults: 10 });
  const tensor = faceapi.tf.tensor3d(frame.data, [frame.height, frame.width, 3], 'int32');
  try {
    const found = await faceapi.detectAllFaces(tensor as never, options_).withFaceLandmarks().withFaceDescriptors();
    return found
      .map((f) => ({
        box: { x: f.detection.box.x, y: f.detection.box.y, width: f.detection.box.width, height: f.detection.box.height },
        score: f.detection.score,
        descriptor: f.descriptor,
        landmarks: f.landmarks.positions.map((p) => ({ x: p.x, y: p.y })),
      }))
      .sort((a, b) => b.score - a.score);
  } finally {
    tensor.dispose();
  }
}
