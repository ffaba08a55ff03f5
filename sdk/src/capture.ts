import { canonicalJson } from './canonical-json';

/** One screen colour of a flash challenge's sequence. */
export interface Rgb {
  r: number;
  g: number;
  b: number;
}

/** A timed challenge's window for one colour, in ms after the first colour appeared. */
export interface ColourWindow {
  startMs: number;
  endMs: number;
}

/** What POST /v1/flash-challenges answered (the parts a capture needs). */
export interface ChallengeForCapture {
  customerId: string;
  kind: 'selfie' | 'ktp';
  nonce: string;
}

export interface BundleInput {
  challenge: ChallengeForCapture;
  /** Encoded images (JPEG, PNG or WebP) in capture order, frame i taken while colour i was on screen; bytes or base64. */
  frames: ReadonlyArray<Uint8Array | string>;
  /** The API key's hmacKey, shown once when the key was issued (and on the `npm start` banner). */
  hmacKey: string;
  /** When capturing finished; defaults to now. A retry must use a new timestamp, which yields a new signature. */
  timestamp?: Date;
  /** KTP captures: the NIK, birth date (YYYY-MM-DD) and sex as read from the card. */
  ktp?: { nik: string; birthDate: string; sex: 'male' | 'female' };
  /** Timed (version 2) challenges: when each frame was taken, in ms after the first colour appeared (`captureTimedFlashFrames`). */
  frameTimes?: readonly number[];
}

export type SignedBundle = Record<string, unknown> & { signature: string };

const hex = (bytes: ArrayBuffer) => [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('');

/**
 * Seed 000's bundle signature: hex HMAC-SHA256 over the RFC 8785 canonical JSON of the bundle without its
 * `signature`, keyed with the hmacKey's characters (its UTF-8 bytes, not the bytes the hex spells). WebCrypto,
 * so the same code signs in a browser and in Node.
 */
export async function signCaptureBundle(bundle: Record<string, unknown>, hmacKey: string): Promise<string> {
  const { signature: _ignored, ...signed } = bundle;
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey('raw', encoder.encode(hmacKey), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return hex(await crypto.subtle.sign('HMAC', key, encoder.encode(canonicalJson(signed))));
}

/** The bundle's members before it is signed: frames in base64, the challenge's nonce, a timestamp (now by default). */
export function unsignedBundle(input: Omit<BundleInput, 'hmacKey'>): Record<string, unknown> {
  return {
    customerId: input.challenge.customerId,
    kind: input.challenge.kind,
    flashChallengeNonce: input.challenge.nonce,
    timestamp: (input.timestamp ?? new Date()).toISOString(),
    frames: input.frames.map((f) => (typeof f === 'string' ? f : toBase64(f))),
    ...(input.frameTimes && { frameTimes: [...input.frameTimes] }),
    ...input.ktp,
  };
}

/** Builds and signs a capture bundle for POST /v1/captures; send it as the JSON body, unchanged. */
export async function buildCaptureBundle(input: BundleInput): Promise<SignedBundle> {
  const unsigned = unsignedBundle(input);
  return { ...unsigned, signature: await signCaptureBundle(unsigned, input.hmacKey) };
}

/** Base64 of bytes, in Node (Buffer) or a browser (btoa). */
export function toBase64(bytes: Uint8Array): string {
  const NodeBuffer = (globalThis as { Buffer?: { from(b: Uint8Array): { toString(enc: 'base64'): string } } }).Buffer;
  if (NodeBuffer) return NodeBuffer.from(bytes).toString('base64');
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

// The few DOM parts the browser helper uses, typed structurally so the SDK builds without the DOM library.
interface VideoLike {
  videoWidth: number;
  videoHeight: number;
  ownerDocument: { createElement(tag: 'canvas'): CanvasLike };
}
interface CanvasLike {
  width: number;
  height: number;
  getContext(kind: '2d'): { drawImage(source: unknown, x: number, y: number, w: number, h: number): void } | null;
  toBlob(done: (blob: { arrayBuffer(): Promise<ArrayBuffer> } | null) => void, type: string, quality: number): void;
}
interface OverlayLike {
  style: { backgroundColor: string };
}

export interface FlashCaptureOptions {
  /** A playing <video> showing the camera (getUserMedia). */
  video: VideoLike;
  /** The element whose colour lights the face or card: a full-screen <div> in front of the user. */
  overlay: OverlayLike;
  /** The challenge's `sequence`: one frame is taken under each colour, in order. */
  sequence: readonly Rgb[];
  /** How long each colour is shown before its frame is taken, in ms (default 150: the screen and camera settle). */
  settleMs?: number;
  /** JPEG quality, 0 to 1 (default 0.9). */
  quality?: number;
}

/**
 * In a browser: shows each colour of the challenge's sequence on `overlay` and grabs a JPEG frame from the
 * camera `video` under it. Hand the frames to `buildCaptureBundle` (or `client.captures.capture`).
 * For a timed (version 2) challenge use `captureTimedFlashFrames`.
 */
export async function captureFlashFrames(options: FlashCaptureOptions): Promise<Uint8Array[]> {
  const { video, overlay, sequence, settleMs = 150, quality = 0.9 } = options;
  const grab = frameGrabber(video, quality, 'captureFlashFrames');
  const frames: Uint8Array[] = [];
  for (const { r, g, b } of sequence) {
    overlay.style.backgroundColor = `rgb(${r}, ${g}, ${b})`;
    await sleep(settleMs);
    frames.push(await grab());
  }
  overlay.style.backgroundColor = '';
  return frames;
}

export interface TimedCaptureOptions {
  /** A playing <video> showing the camera (getUserMedia). */
  video: VideoLike;
  /** The element whose colour lights the face or card: a full-screen <div> in front of the user. */
  overlay: OverlayLike;
  /** The timed challenge's `sequence` and `schedule` (POST /v1/flash-challenges with `version: 2`). */
  challenge: { sequence: readonly Rgb[]; schedule: readonly ColourWindow[] | null };
  /** JPEG quality, 0 to 1 (default 0.9). */
  quality?: number;
  /** A clock in ms (default `performance.now`); for tests. */
  now?: () => number;
}

/**
 * In a browser, for a timed (version 2) challenge: shows each colour for exactly its window of the
 * challenge's schedule and grabs its frame in the second half of the window (the screen and the camera's
 * exposure have settled by then), noting when. Returns the frames and those times for `buildCaptureBundle`
 * (`frameTimes`). A browser too busy to grab a frame inside its window throws: the server would refuse the
 * bundle, so ask for a new challenge and capture again.
 */
export async function captureTimedFlashFrames(options: TimedCaptureOptions): Promise<{ frames: Uint8Array[]; frameTimes: number[] }> {
  const { video, overlay, challenge, quality = 0.9, now = () => performance.now() } = options;
  const schedule = challenge.schedule;
  if (!schedule || schedule.length !== challenge.sequence.length) {
    throw new Error('captureTimedFlashFrames: the challenge has no schedule (ask for version 2)');
  }
  const grab = frameGrabber(video, quality, 'captureTimedFlashFrames');
  const frames: Uint8Array[] = [];
  const frameTimes: number[] = [];
  let start = 0;
  try {
    for (const [i, { r, g, b }] of challenge.sequence.entries()) {
      const w = schedule[i] as ColourWindow;
      if (i === 0) start = now();
      else await sleep(w.startMs - (now() - start));
      overlay.style.backgroundColor = `rgb(${r}, ${g}, ${b})`;
      await sleep(w.startMs + (w.endMs - w.startMs) * 0.6 - (now() - start));
      const at = Math.round(now() - start);
      frames.push(await grab());
      if (at > w.endMs)
        throw new Error(`captureTimedFlashFrames: frame ${i} was grabbed at ${at} ms, after its colour's window ended (${w.endMs} ms)`);
      frameTimes.push(at);
    }
  } finally {
    overlay.style.backgroundColor = '';
  }
  return { frames, frameTimes };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** Draws the video's current picture onto a canvas and encodes it as JPEG. */
function frameGrabber(video: VideoLike, quality: number, caller: string): () => Promise<Uint8Array> {
  const canvas = video.ownerDocument.createElement('canvas');
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  const context = canvas.getContext('2d');
  if (!context || canvas.width === 0) throw new Error(`${caller}: the video has no frames yet (is the camera playing?)`);
  return async () => {
    context.drawImage(video, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise<{ arrayBuffer(): Promise<ArrayBuffer> } | null>((resolve) =>
      canvas.toBlob(resolve, 'image/jpeg', quality),
    );
    if (!blob) throw new Error(`${caller}: the browser could not encode a frame`);
    return new Uint8Array(await blob.arrayBuffer());
  };
}
