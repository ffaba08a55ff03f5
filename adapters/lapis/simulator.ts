/**
 * A local Lapis eKYC server (reference/providers.md section 2): same paths, headers, bodies and error
 * strings as the vendor, documents and eKYC requests kept in memory.
 *
 * Scenarios are chosen by markers in the caller's input, so tests and demos are deterministic. A marker
 * counts when it appears in an image/video URL or inside the decoded bytes of a base64 payload:
 *
 *   marker               where                         answer
 *   lapis-unrecognised   front image (doc upload)      400 {"error":"The document supplied is not recognized!"}
 *   lapis-unreachable    any image/video URL           400 invalid ... image/video provided (URL not downloadable)
 *   lapis-mismatch       face image                    400 {"error":"Face match verification FAILED!"}
 *   lapis-spoof          liveliness video              400 {"error":":liveliness verification FAILED!"}
 *
 * Without a marker: a PNG/JPEG (by magic bytes) or any http(s) URL is a recognised document with the fixed
 * sample data below, a face scores 0.92, a video passes. Other documented answers follow from the input:
 * a non-PNG/JPEG base64 image, a base64 video without its data-URI prefix, URL and base64 both given,
 * an unknown document id, an email or phone number already used by an open (not yet accepted) request
 * (409), an unknown request id on accept, a wrong `x-api-key` (401), base64 payloads over 30 MiB (plain 413).
 *
 * Assumptions where Lapis documents nothing (each is also noted in config/error-map/lapis.json):
 * - Paths of document upload, liveliness and get-one: DEFAULT_LAPIS_PATHS. Document upload answers 200
 *   `{id, idInformation}`; liveliness 200 `{"message":"Liveliness verification successful"}`.
 * - The 409 body is `{"error":"A request with this email or phone number is already open!"}`.
 * - The size limit is 30 MiB of base64 text (Express' reading of "30mb"); the body limit adds 64 KiB of JSON.
 * - A new request is `isValidated: true` at once (the user's email OTP and phone call are not simulated);
 *   get-one of an unknown id answers 200 `{"requests":[]}`, delete of an unknown id 200 as for a known one.
 * - A body that is not a JSON object: 400 `{"error":"invalid request body"}` (undocumented; the adapter
 *   never sends one).
 * - Out of quota (fault knob): 429 `{"error":"quota exceeded"}` on the billable operations.
 * - Server error (fault knob): 500 `{"error":"Internal Server Error"}`.
 *
 * Billing (Lapis publishes no pricing; this model is ours): a call is billed when Lapis reached a verdict
 * on the person's material: document upload recognised or not recognised, face match or mismatch,
 * liveliness passed or failed. Validation errors, unknown ids, 401, 413, 429 and 5xx are free, and so
 * are the request-management calls (create, accept, list, get, delete).
 */
import { randomBytes, randomInt } from 'node:crypto';
import type { Express, NextFunction, Request, Response } from 'express';
import { listen, parseJsonBody, simulatorApp, SimulatorState, type RunningSimulator } from '../simulator-kit';
import { DEFAULT_LAPIS_PATHS } from './client';
import { LAPIS_TOO_LARGE_TEXT, type LapisIdInformation } from './schemas';

export const LAPIS_MARKERS = {
  unrecognisedDocument: 'lapis-unrecognised',
  unreachableUrl: 'lapis-unreachable',
  faceMismatch: 'lapis-mismatch',
  livenessSpoof: 'lapis-spoof',
} as const;

/** The key the simulator accepts unless another is given. */
export const LAPIS_SIMULATOR_API_KEY = 'lapis-sim-key';

/** Base64 text the simulator accepts per call, in bytes: Express' reading of Lapis' "30mb". */
export const LAPIS_SIMULATOR_BASE64_LIMIT = 30 * 1024 * 1024;

/** Face similarity of a match without markers. */
export const LAPIS_SIMULATOR_FACE_SCORE = 0.92;

/** What every recognised document "contains": a fictitious Jakarta KTP, keys as in Lapis' Request example. */
const SAMPLE_ID_INFORMATION: LapisIdInformation = {
  documentNumber: '3171014101900001',
  firstName: 'SITI',
  middleName: '',
  lastName: 'RAHAYU',
  fullName: 'SITI RAHAYU',
  age: 35,
  dob: '1990/01/01',
  dob_day: 1,
  dob_month: 1,
  dob_year: 1990,
  issued: '2015/06/15',
  issued_day: 15,
  issued_month: 6,
  issued_year: 2015,
  address1: 'JL. MERDEKA NO. 1, GAMBIR, JAKARTA PUSAT',
  documentType: 'I',
  documentSide: 'FRONT',
  issueAuthority: 'DKI JAKARTA',
  issuerOrg_full: 'Indonesia',
  issuerOrg_iso2: 'ID',
  issuerOrg_iso3: 'IDN',
  nationality_full: 'Indonesia',
  nationality_iso2: 'ID',
  nationality_iso3: 'IDN',
  internalId: 4242,
};

const ERR = {
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

interface StoredDocument {
  id: string;
  images: { front: string; back?: string; side?: string };
  faceImage?: string;
  faceMatch?: number;
}

interface StoredRequest {
  id: number;
  email: string;
  phoneNumber: string;
  documentId: string;
  isValidated: boolean;
  isAccepted: boolean;
}

type Body = Record<string, unknown>;
/** One media slot of a body: its URL field, its base64 field, both, or neither. */
type Slot = { kind: 'none' } | { kind: 'both' } | { kind: 'url'; value: unknown } | { kind: 'base64'; value: unknown };

const given = (v: unknown) => v !== undefined && v !== null && v !== '';

function slot(body: Body, urlKey: string, base64Key: string): Slot {
  const url = body[urlKey];
  const base64 = body[base64Key];
  if (given(url) && given(base64)) return { kind: 'both' };
  if (given(url)) return { kind: 'url', value: url };
  if (given(base64)) return { kind: 'base64', value: base64 };
  return { kind: 'none' };
}

/** A URL Lapis could download: http(s), and not marked unreachable. */
function downloadable(value: unknown): value is string {
  if (typeof value !== 'string' || value.includes(LAPIS_MARKERS.unreachableUrl)) return false;
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** The decoded bytes of a PNG or JPEG sent as base64 (a data-URI prefix tolerated), or undefined. */
function decodeImage(value: unknown): Buffer | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.replace(/^data:image\/(png|jpe?g);base64,/, '');
  if (!BASE64.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  const png = bytes.subarray(0, 4).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  const jpeg = bytes.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff]));
  return png || jpeg ? bytes : undefined;
}

/** The decoded bytes of a video data URI with its MIME prefix (LP-LIVE), or undefined. */
function decodeVideo(value: unknown): Buffer | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^data:video\/(mp4|x-msvideo|quicktime);base64,(.+)$/s.exec(value);
  const text = match?.[2];
  return text && BASE64.test(text) ? Buffer.from(text, 'base64') : undefined;
}

/** Total length of every `*Base64` string field: what Lapis' 30 MB limit is about. */
const base64Total = (body: Body) =>
  Object.entries(body).reduce((n, [k, v]) => n + (k.endsWith('Base64') && typeof v === 'string' ? v.length : 0), 0);

const marked = (media: string | Buffer, marker: string) => media.includes(marker);

/** A stand-in for the Cloudinary URL Lapis stores uploaded images under. */
const storedUrl = (docId: string, name: string) => `https://res.cloudinary.com/lapis-sim/image/upload/${docId}-${name}.jpg`;

export interface LapisSimulatorOptions {
  /** The `x-api-key` the simulator accepts (default LAPIS_SIMULATOR_API_KEY). */
  apiKey?: string;
}

export function lapisSimulator(options: LapisSimulatorOptions = {}): { app: Express; state: SimulatorState } {
  const apiKey = options.apiKey ?? LAPIS_SIMULATOR_API_KEY;
  const state = new SimulatorState();
  const documents = new Map<string, StoredDocument>();
  const requests = new Map<number, StoredRequest>();

  const error = (res: Response, status: number, message: string, scenario: string, charged = false) => {
    state.record(scenario, charged);
    res.status(status).json({ error: message });
  };
  const tooLarge = (res: Response) => {
    state.record('too_large', false);
    res.status(413).type('text/plain').send(LAPIS_TOO_LARGE_TEXT);
  };

  /** The JSON object body, or an answer already sent (undefined). */
  const bodyOf = (req: Request, res: Response): Body | undefined => {
    const parsed = parseJsonBody(req.body);
    if (!parsed.ok || typeof parsed.value !== 'object' || parsed.value === null || Array.isArray(parsed.value)) {
      error(res, 400, ERR.badBody, 'bad_body');
      return undefined;
    }
    const body = parsed.value as Body;
    if (base64Total(body) > LAPIS_SIMULATOR_BASE64_LIMIT) {
      tooLarge(res);
      return undefined;
    }
    return body;
  };

  const authenticate = (req: Request, res: Response, next: NextFunction) => {
    if (req.get('x-api-key') !== apiKey) return error(res, 401, ERR.apiKey, 'unauthorised');
    next();
  };

  /** Out of quota only matters where Lapis would bill. */
  const quota = (_req: Request, res: Response, next: NextFunction) => {
    if (state.faults.quotaExhausted) return error(res, 429, ERR.quota, 'quota_exhausted');
    next();
  };

  const uploadDocument = (req: Request, res: Response) => {
    const body = bodyOf(req, res);
    if (!body) return;
    const sides = (['front', 'back', 'side'] as const).map((side) => ({ side, slot: slot(body, `${side}Image`, `${side}ImageBase64`) }));
    if (sides.some((s) => s.slot.kind === 'both')) return error(res, 400, ERR.docBoth, 'document_invalid_input');
    if (sides[0]?.slot.kind === 'none') return error(res, 400, ERR.docUrl, 'document_invalid_input');
    const media: Partial<Record<'front' | 'back' | 'side', string | Buffer>> = {};
    for (const { side, slot: s } of sides) {
      if (s.kind === 'url') {
        if (!downloadable(s.value)) return error(res, 400, ERR.docUrl, 'document_invalid_input');
        media[side] = s.value;
      } else if (s.kind === 'base64') {
        const bytes = decodeImage(s.value);
        if (!bytes) return error(res, 400, ERR.base64Image, 'document_invalid_input');
        media[side] = bytes;
      }
    }
    const front = media.front as string | Buffer;
    if (marked(front, LAPIS_MARKERS.unrecognisedDocument)) return error(res, 400, ERR.docUnrecognised, 'document_not_recognised', true);
    const id = randomBytes(12).toString('hex');
    const url = (side: 'front' | 'back' | 'side') => {
      const m = media[side];
      if (m === undefined) return undefined;
      return typeof m === 'string' ? m : storedUrl(id, side);
    };
    documents.set(id, { id, images: { front: url('front') as string, back: url('back'), side: url('side') } });
    state.record('document_recognised', true);
    res.status(200).json({ id, idInformation: SAMPLE_ID_INFORMATION });
  };

  const authenticateFace = (req: Request, res: Response) => {
    const body = bodyOf(req, res);
    if (!body) return;
    const s = slot(body, 'faceImage', 'faceImageBase64');
    if (s.kind === 'both') return error(res, 400, ERR.faceBoth, 'face_invalid_input');
    if (s.kind === 'none' || (s.kind === 'url' && !downloadable(s.value))) return error(res, 400, ERR.faceUrl, 'face_invalid_input');
    const face = s.kind === 'url' ? (s.value as string) : decodeImage(s.value);
    if (!face) return error(res, 400, ERR.base64Image, 'face_invalid_input');
    const doc = documents.get(String(body.documentIdentificationId));
    if (!doc) return error(res, 400, ERR.noDocument, 'face_unknown_document');
    if (marked(face, LAPIS_MARKERS.faceMismatch)) return error(res, 400, ERR.faceFailed, 'face_mismatch', true);
    doc.faceImage = typeof face === 'string' ? face : storedUrl(doc.id, 'face');
    doc.faceMatch = LAPIS_SIMULATOR_FACE_SCORE;
    state.record('face_match', true);
    res.status(200).json({ score: LAPIS_SIMULATOR_FACE_SCORE });
  };

  const verifyLiveliness = (req: Request, res: Response) => {
    const body = bodyOf(req, res);
    if (!body) return;
    const s = slot(body, 'faceVideo', 'faceVideoBase64');
    if (s.kind === 'both') return error(res, 400, ERR.videoBoth, 'liveliness_invalid_input');
    if (s.kind === 'none' || (s.kind === 'url' && !downloadable(s.value))) return error(res, 400, ERR.videoUrl, 'liveliness_invalid_input');
    const video = s.kind === 'url' ? (s.value as string) : decodeVideo(s.value);
    if (!video) return error(res, 400, ERR.videoBase64, 'liveliness_invalid_input');
    if (!documents.has(String(body.documentIdentificationId))) return error(res, 400, ERR.noDocument, 'liveliness_unknown_document');
    if (marked(video, LAPIS_MARKERS.livenessSpoof)) return error(res, 400, ERR.livenessFailed, 'liveliness_failed', true);
    state.record('liveliness_passed', true);
    res.status(200).json({ message: 'Liveliness verification successful' });
  };

  const createRequest = (req: Request, res: Response) => {
    const body = bodyOf(req, res);
    if (!body) return;
    const { email, phoneNumber, documentIdentificationId } = body;
    if (typeof email !== 'string' || typeof phoneNumber !== 'string' || !email || !phoneNumber)
      return error(res, 400, ERR.badBody, 'bad_body');
    const documentId = String(documentIdentificationId);
    if (!documents.has(documentId)) return error(res, 400, ERR.noDocument, 'request_unknown_document');
    const open = [...requests.values()].filter((r) => !r.isAccepted);
    if (open.some((r) => r.email === email || r.phoneNumber === phoneNumber)) return error(res, 409, ERR.duplicate, 'request_duplicate');
    let id = randomInt(100_000_000, 1_000_000_000);
    while (requests.has(id)) id = randomInt(100_000_000, 1_000_000_000);
    requests.set(id, { id, email, phoneNumber, documentId, isValidated: true, isAccepted: false });
    state.record('request_created', false);
    res.status(201).json({ message: 'Request submitted' });
  };

  const requestOf = (id: unknown) => requests.get(Number(id));

  const render = (r: StoredRequest) => {
    const doc = documents.get(r.documentId);
    return {
      id: r.id,
      email: r.email,
      phoneNumber: r.phoneNumber,
      isValidated: r.isValidated,
      isAccepted: r.isAccepted,
      idFrontImage: doc?.images.front ?? null,
      idBackImage: doc?.images.back ?? null,
      idSideImage: doc?.images.side ?? null,
      faceImage: doc?.faceImage ?? null,
      faceMatch: doc?.faceMatch ?? null,
      idInformation: SAMPLE_ID_INFORMATION,
    };
  };

  const acceptRequest = (req: Request, res: Response) => {
    const body = bodyOf(req, res);
    if (!body) return;
    const found = requestOf(body.id);
    if (!found) {
      state.record('request_not_accepted', false);
      return void res.status(400).json({ message: 'Kyc request not accepted' });
    }
    found.isAccepted = true;
    state.record('request_accepted', false);
    res.status(200).json({ message: 'Kyc request accepted' });
  };

  const listRequests = (req: Request, res: Response) => {
    const accepted = req.query.accepted;
    const all = [...requests.values()];
    const chosen = accepted === 'true' || accepted === 'false' ? all.filter((r) => r.isAccepted === (accepted === 'true')) : all;
    state.record('requests_listed', false);
    res.status(200).json({ requests: chosen.map(render) });
  };

  const getRequest = (req: Request, res: Response) => {
    const found = requestOf(req.params.id);
    state.record('request_fetched', false);
    res.status(200).json({ requests: found ? [render(found)] : [] });
  };

  const deleteRequest = (req: Request, res: Response) => {
    const body = bodyOf(req, res);
    if (!body) return;
    requests.delete(Number(body.id));
    state.record('request_deleted', false);
    res.status(200).json({ message: 'KYC request deleted!' });
  };

  const p = DEFAULT_LAPIS_PATHS;
  const app = simulatorApp(
    'lapis',
    state,
    {
      serverError: (res) => error(res, 500, 'Internal Server Error', 'server_error'),
      malformed: (res) => {
        state.record('malformed_body', false);
        res.status(200).type('application/json').send('{"score": 0.9');
      },
      tooLarge,
    },
    (a) => {
      a.use('/api', authenticate);
      a.post(p.documentUpload, quota, uploadDocument);
      a.post(p.faceAuthentication, quota, authenticateFace);
      a.post(p.liveliness, quota, verifyLiveliness);
      a.post(p.createRequest, createRequest);
      a.put(p.acceptRequest, acceptRequest);
      a.get(p.listRequests, listRequests);
      a.get(p.getRequest.replace('{id}', ':id'), getRequest);
      a.delete(p.deleteRequest, deleteRequest);
    },
    // The JSON envelope around 30 MiB of base64 needs a little room; the base64 total is checked per route.
    { bodyLimitBytes: LAPIS_SIMULATOR_BASE64_LIMIT + 64 * 1024 },
  );
  return { app, state };
}

/** Starts the simulator on 127.0.0.1 (port 0 picks a free one). */
export async function startLapisSimulator(
  port = 0,
  options: LapisSimulatorOptions = {},
  host = '127.0.0.1',
): Promise<RunningSimulator & { state: SimulatorState }> {
  const { app, state } = lapisSimulator(options);
  return { ...(await listen(app, port, host)), state };
}
