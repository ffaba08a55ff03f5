/** Lapis simulator request validation: the vendor's error strings, media slots, and decoding of base64 images and videos. */

export const ERR = {
  apiKey: 'invalid api key',
  docUrl: 'invalid document (front, side, back) image provided',
  // Lapis' own wording, "front" even on the face endpoint; assumed the same for back and side images.
  base64Image: 'invalid base64 front image provided',
  docBoth: 'only one image is accepted per document side!',
  docUnrecognised: 'The document supplied is not recognized!',
  faceUrl: 'invalid face image provided',
  faceBoth: 'only one face image is accepted!',
  noDocument: 'There is no document identification data with the provided id!',
  faceFailed: 'Face match verification FAILED!',
  videoUrl: 'invalid face video provided',
  videoBase64: 'invalid base64 video provided',
  videoBoth: 'only one face video is accepted!',
  livenessFailed: ':liveliness verification FAILED!',
  duplicate: 'A request with this email or phone number is already open!',
  badBody: 'invalid request body',
  quota: 'quota exceeded',
} as const;

export type Body = Record<string, unknown>;
/** One media slot of a body: its URL field, its base64 field, both, or neither. */
type Slot = { kind: 'none' } | { kind: 'both' } | { kind: 'url'; value: unknown } | { kind: 'base64'; value: unknown };

const given = (v: unknown) => v !== undefined && v !== null && v !== '';

export function slot(body: Body, urlKey: string, base64Key: string): Slot {
  const url = body[urlKey];
  const base64 = body[base64Key];
  if (given(url) && given(base64)) return { kind: 'both' };
  if (given(url)) return { kind: 'url', value: url };
  if (given(base64)) return { kind: 'base64', value: base64 };
  return { kind: 'none' };
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** The decoded bytes of a PNG or JPEG sent as base64 (a data-URI prefix tolerated), or undefined. */
export function decodeImage(value: unknown): Buffer | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.replace(/^data:image\/(png|jpe?g);base64,/, '');
  if (!BASE64.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  const png = bytes.subarray(0, 4).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  const jpeg = bytes.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff]));
  return png || jpeg ? bytes : undefined;
}

/** The decoded bytes of a video data URI with its MIME prefix (LP-LIVE), or undefined. */
export function decodeVideo(value: unknown): Buffer | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^data:video\/(mp4|x-msvideo|quicktime);base64,(.+)$/s.exec(value);
  const text = match?.[2];
  return text && BASE64.test(text) ? Buffer.from(text, 'base64') : undefined;
}

/** Total length of every `*Base64` string field: what Lapis' 30 MB limit is about. */
export const base64Total = (body: Body) =>
  Object.entries(body).reduce((n, [k, v]) => n + (k.endsWith('Base64') && typeof v === 'string' ? v.length : 0), 0);
