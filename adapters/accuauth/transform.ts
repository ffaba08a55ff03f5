import type { z } from 'zod';
import { AppError } from '../../src/errors/app-error';
import { compact, parseBody, readAnswer, type RawExchange } from '../http';
import type { AdapterOutcome, UpstreamFacts } from '../types';
import {
  ACCUAUTH_IMAGE_LIMIT_BYTES,
  ErrorEnvelope,
  IdNameAnswer,
  IdNameCheckAnswer,
  IdSelfieAnswer,
  ReferencePhoto,
  type IdNameRequest,
  type IdSelfieRequest,
} from './schemas';

// ---- suite input -> vendor body ----

/** Suite-side input of an identity + selfie check. */
export interface IdSelfieInput {
  /** 16-digit NIK. */
  idNumber: string;
  /** Base64 selfie without data-URI prefix; at most 50 KB decoded (AccuAuth's limit). */
  faceImage: string;
  /** Base64 e-KTP photo; at most 50 KB decoded. */
  ktpImage?: string;
  name?: string;
  /** `YYYY-MM-DD`. */
  birthDate?: string;
  email?: string;
  phoneNumber?: string;
  /** Face similarity threshold on AccuAuth's face_score scale (apparently 0-100). */
  faceThreshold?: number;
}

/** Suite-side input of a name check against the registry. */
export interface IdNameInput {
  idNumber: string;
  name: string;
}

/** Refuses an image the vendor would reject, before anything is sent (and possibly billed). */
function assertImageSize(base64: string | undefined, field: 'face_image' | 'ktp_image', param: string): void {
  if (base64 === undefined) return;
  // byteLength on 'base64' counts decoded bytes without allocating them.
  if (Buffer.byteLength(base64, 'base64') > ACCUAUTH_IMAGE_LIMIT_BYTES) {
    throw new AppError('invalid_request', { params: { detail: `${field} exceeds AccuAuth's 50 KB limit` }, param });
  }
}

/** The `/verify/id_selfie` body; throws `invalid_request` for an image over 50 KB. */
export function toIdSelfieBody(input: IdSelfieInput): IdSelfieRequest {
  assertImageSize(input.faceImage, 'face_image', 'input.faceImage');
  assertImageSize(input.ktpImage, 'ktp_image', 'input.ktpImage');
  const body: IdSelfieRequest = { id_number: input.idNumber, face_image: input.faceImage };
  if (input.ktpImage !== undefined) body.ktp_image = input.ktpImage;
  if (input.email !== undefined) body.email = input.email;
  if (input.phoneNumber !== undefined) body.phone_number = input.phoneNumber;
  if (input.birthDate !== undefined) body.birth_date = input.birthDate;
  if (input.name !== undefined) body.name = input.name;
  if (input.faceThreshold !== undefined) body.face_threshold = input.faceThreshold;
  return body;
}

/** The body of `/verify/id_name` and `/verify/id_name_check`. */
export const toIdNameBody = (input: IdNameInput): IdNameRequest => ({ id_number: input.idNumber, name: input.name });

// ---- vendor answer -> facts + data ----

/** Normalised answer of `/verify/id_selfie` (the NIK echo is dropped: the caller has it). */
export interface IdSelfieData {
  resultCode: string;
  remark?: string;
  /** Selfie matched the registry photo. */
  faceMatch?: boolean;
  /** Selfie similarity on the vendor's scale (apparently 0-100). */
  faceScore?: number;
  ktpFaceMatch?: boolean;
  ktpFaceScore?: number;
  nameMatch?: boolean;
  birthDateMatch?: boolean;
  /** `YYYY-MM-DD HH:MM:SS`, vendor local time. */
  handledAt?: string;
  /** The answer carried a reference photo: `received`, or `rejected` (not base64, or too large). Never the photo (reference-photo-sink.ts). */
  referencePhoto?: 'received' | 'rejected';
}

/** Normalised answer of `/verify/id_name`. */
export interface IdNameData {
  resultCode: string;
  remark?: string;
  handledAt?: string;
}

/** Normalised answer of `/verify/id_name_check`; the masked registry name is PII the suite does not return. */
export interface IdNameCheckData {
  /** Name similarity 0..1 (the vendor recommends 0.9 or 1.0 as the threshold). */
  namePercent: number;
}

const opt = <T>(value: T | null | undefined): T | undefined => value ?? undefined;

/** What each endpoint's success result contributes: the facts' result code and vendor id, and the data. */
interface ReadResult<T> {
  result?: string;
  orderNo?: string;
  data: T;
}

/**
 * An error envelope (`{status: <ERROR_CODE>, reason, request_id}`) gives `code` = its status. A body that is
 * not one is a transport fact: AccuAuth's table matches its errors by code, so a proxy's HTML page under a
 * 502 is as unreadable as a cut-off success (and counts for the breaker through the transport rows).
 */
function errorFacts(text: string): UpstreamFacts {
  const parsed = parseBody(text, ErrorEnvelope);
  if (!parsed.ok) return { transport: parsed.transport };
  return { code: parsed.value.status, message: opt(parsed.value.reason), requestId: opt(parsed.value.request_id) };
}

/**
 * Reads one AccuAuth answer (adapters/http.ts readAnswer): a 200 is either envelope; the success envelope
 * gives `code: "OK"` plus the result code and the normalised data, the error envelope its status as `code`.
 */
function outcomeOf<R, T>(
  raw: RawExchange,
  answer: z.ZodType<{ status: 'OK'; result: R; request_id?: string | undefined } | ErrorEnvelope>,
  read: (result: R) => ReadResult<T>,
): AdapterOutcome<T> {
  return readAnswer(raw, {
    success: [200],
    schema: answer,
    read: (answer) => {
      if (!('result' in answer)) return { facts: { code: answer.status, message: opt(answer.reason), requestId: opt(answer.request_id) } };
      const { result, orderNo, data } = read(answer.result);
      return { data, facts: { code: 'OK', result, requestId: orderNo ?? answer.request_id } };
    },
    error: (_status, text) => errorFacts(text),
  });
}

/** An id_selfie answer read: the outcome the gateway records, and apart from it the reference photo when a valid one came. */
export interface IdSelfieReading {
  outcome: AdapterOutcome<IdSelfieData>;
  /** Base64, checked with ReferencePhoto; kept out of `outcome` so nothing that persists the outcome can hold it. */
  referencePhoto?: string;
}

export function readIdSelfie(raw: RawExchange): IdSelfieReading {
  let referencePhoto: string | undefined;
  const outcome = outcomeOf(raw, IdSelfieAnswer, (r) => {
    let photoState: IdSelfieData['referencePhoto'];
    if (r.registry_photo !== undefined && r.registry_photo !== null) {
      const valid = ReferencePhoto.safeParse(r.registry_photo).success;
      photoState = valid ? 'received' : 'rejected';
      if (valid) referencePhoto = r.registry_photo;
    }
    return {
      result: r.result,
      orderNo: r.order_no,
      data: compact({
        resultCode: r.result,
        remark: opt(r.remark),
        faceMatch: opt(r.face_percent),
        faceScore: opt(r.face_score),
        ktpFaceMatch: opt(r.ktp_face_percent),
        ktpFaceScore: opt(r.ktp_face_score),
        nameMatch: opt(r.name),
        birthDateMatch: opt(r.birth_date),
        handledAt: r.handle_time,
        referencePhoto: photoState,
      }),
    };
  });
  return referencePhoto === undefined ? { outcome } : { outcome, referencePhoto };
}

export const idNameOutcome = (raw: RawExchange): AdapterOutcome<IdNameData> =>
  outcomeOf(raw, IdNameAnswer, (r) => ({
    result: r.result,
    orderNo: r.order_no,
    data: compact({ resultCode: r.result, remark: opt(r.remark), handledAt: r.handle_time }),
  }));

// id_name_check has neither result code nor order_no: its facts are {code: OK} and the request_id.
export const idNameCheckOutcome = (raw: RawExchange): AdapterOutcome<IdNameCheckData> =>
  outcomeOf(raw, IdNameCheckAnswer, (r) => ({ data: { namePercent: r.name_percent } }));
