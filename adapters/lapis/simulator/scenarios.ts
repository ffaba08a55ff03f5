/** Lapis simulator scenarios: the markers, the sample document, and the three billable routes whose verdict the markers pick. */
import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import type { SimulatorState } from '../../simulator-kit';
import type { LapisIdInformation } from '../schemas';
import { decodeImage, decodeVideo, ERR, slot, type Body } from './validation';

export const LAPIS_MARKERS = {
  unrecognisedDocument: 'lapis-unrecognised',
  unreachableUrl: 'lapis-unreachable',
  faceMismatch: 'lapis-mismatch',
  livenessSpoof: 'lapis-spoof',
  unvalidatedRequest: 'lapis-unvalidated',
  validatesLater: 'lapis-validates-later',
} as const;

/** Face similarity of a match without markers. */
export const LAPIS_SIMULATOR_FACE_SCORE = 0.92;

/** What every recognised document "contains": a fictitious Jakarta KTP, keys as in Lapis' Request example. */
export const SAMPLE_ID_INFORMATION: LapisIdInformation = {
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

export interface StoredDocument {
  id: string;
  images: { front: string; back?: string; side?: string };
  faceImage?: string;
  faceMatch?: number;
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

const marked = (media: string | Buffer, marker: string) => media.includes(marker);

/** A stand-in for the Cloudinary URL Lapis stores uploaded images under. */
const storedUrl = (docId: string, name: string) => `https://res.cloudinary.com/lapis-sim/image/upload/${docId}-${name}.jpg`;

/** What the billable routes share with the app: its billing state, the stored documents and its answer helpers. */
export interface VerdictContext {
  state: SimulatorState;
  documents: Map<string, StoredDocument>;
  error: (res: Response, status: number, message: string, scenario: string, charged?: boolean) => void;
  bodyOf: (req: Request, res: Response) => Body | undefined;
}

/** Document upload, face match and liveliness: markers pick the verdict, and a verdict is what Lapis bills. */
export function verdictRoutes({ state, documents, error, bodyOf }: VerdictContext) {
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

  return { uploadDocument, authenticateFace, verifyLiveliness };
}
