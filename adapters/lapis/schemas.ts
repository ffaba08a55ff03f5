import { z } from 'zod';

/**
 * Lapis eKYC wire format (reference/providers.md section 2), plus the camelCase inputs the gateway hands
 * this adapter. Lapis documents no field types, so vendor answers are read as loose objects: extra keys
 * are tolerated, missing documented keys are a schema failure (a `schema_invalid` fact).
 */

/**
 * Largest total of base64 payloads in one call, in bytes (characters of the base64 text). Lapis says
 * "30mb" (LP-REF, LP-FACEERR) without saying whether that is 30 x 10^6 or 30 x 2^20; the adapter uses the
 * decimal reading, the stricter one, so nothing it sends can be refused for size.
 */
export const LAPIS_MAX_BASE64_BYTES = 30_000_000;

/** The plain-text body of Lapis' 413 (LP-DOCERR, LP-FACEERR, LP-LIVEERR): not JSON. */
export const LAPIS_TOO_LARGE_TEXT = 'Request Entity Too Large';

/** Video containers Lapis accepts for liveliness, as data-URI MIME types (LP-LIVE: mp4, avi, mov). */
export const LAPIS_VIDEO_MIME_TYPES = ['video/mp4', 'video/x-msvideo', 'video/quicktime'] as const;

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL of a directly downloadable file' });
const nonEmpty = z.string().min(1);
const VIDEO_DATA_URI_PREFIX = /^data:video\/(mp4|x-msvideo|quicktime);base64,/;
// A plain loop, not a regex: V8 keeps a backtrack entry per character of a greedy `[...]+`, and a video
// near the 30 MB limit overflows its stack (RangeError) before the size check could refuse it.
function isBase64Body(s: string, from: number): boolean {
  let end = s.length;
  while (end > from && end > s.length - 2 && s.charCodeAt(end - 1) === 61 /* = */) end--;
  if (end === from) return false;
  for (let i = from; i < end; i++) {
    const c = s.charCodeAt(i);
    const ok = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47;
    if (!ok) return false;
  }
  return true;
}
const videoDataUri = z.string().refine((s) => {
  const prefix = VIDEO_DATA_URI_PREFIX.exec(s.slice(0, 64));
  return prefix !== null && isBase64Body(s, prefix[0].length);
}, 'must be a data URI: data:video/mp4|x-msvideo|quicktime;base64,...');

// ---------------------------------------------------------------------------------------------------
// Inputs from the gateway (suite side, camelCase). One source per image: a URL or base64, never both,
// which is how the suite rules out Lapis' "only one image is accepted" errors by construction.
// ---------------------------------------------------------------------------------------------------

const oneSource = 'give exactly one of url or base64';

/** An image Lapis downloads (`url`) or receives inline (`base64`, PNG or JPEG). */
export const LapisImageSource = z.union([z.strictObject({ url: httpUrl }), z.strictObject({ base64: nonEmpty })], { error: oneSource });
export type LapisImageSource = z.infer<typeof LapisImageSource>;

/** A face video (< 15 s) Lapis downloads (`url`) or receives as a data URI with its MIME prefix. */
export const LapisVideoSource = z.union([z.strictObject({ url: httpUrl }), z.strictObject({ base64: videoDataUri })], { error: oneSource });
export type LapisVideoSource = z.infer<typeof LapisVideoSource>;

export const LapisDocumentUploadInput = z.strictObject({
  front: LapisImageSource,
  back: LapisImageSource.optional(),
  side: LapisImageSource.optional(),
});
export type LapisDocumentUploadInput = z.infer<typeof LapisDocumentUploadInput>;

export const LapisFaceAuthenticationInput = z.strictObject({
  /** The document id Lapis returned from the document upload. */
  documentId: nonEmpty,
  face: LapisImageSource,
});
export type LapisFaceAuthenticationInput = z.infer<typeof LapisFaceAuthenticationInput>;

export const LapisLivelinessInput = z.strictObject({ documentId: nonEmpty, video: LapisVideoSource });
export type LapisLivelinessInput = z.infer<typeof LapisLivelinessInput>;

/** The applicant of an eKYC request: Lapis sends the email OTP and makes the phone call to these. */
const applicant = {
  email: z.email(),
  /** With the country code (LP-CREATE), e.g. +6281234567890. */
  phoneNumber: z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an international number with its country code, e.g. +6281234567890'),
};

export const LapisKycRequestCreateInput = z.strictObject({ ...applicant, documentId: nonEmpty });
export type LapisKycRequestCreateInput = z.infer<typeof LapisKycRequestCreateInput>;

/** A Lapis eKYC request id (a random number on Lapis' side, carried as text). */
export const LapisKycRequestIdInput = z.strictObject({
  requestId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a Lapis request id'),
});
export type LapisKycRequestIdInput = z.infer<typeof LapisKycRequestIdInput>;

export const LapisKycRequestListInput = z.strictObject({ accepted: z.boolean() });

/** Finds the open request of one applicant (create answers without its id). */
export const LapisKycRequestFindInput = z.strictObject(applicant);
export type LapisKycRequestFindInput = z.infer<typeof LapisKycRequestFindInput>;

/**
 * The `ekyc_request` check's input for Lapis' whole eKYC flow: the document, the face to match with it, an
 * optional liveliness video, and the applicant Lapis then sends an email OTP and calls.
 */
export const LapisEkycRequestInput = z.strictObject({
  document: LapisDocumentUploadInput,
  face: LapisImageSource,
  video: LapisVideoSource.optional(),
  ...applicant,
});
export type LapisEkycRequestInput = z.infer<typeof LapisEkycRequestInput>;
export type LapisKycRequestListInput = z.infer<typeof LapisKycRequestListInput>;

// ---------------------------------------------------------------------------------------------------
// Requests on the wire.
// ---------------------------------------------------------------------------------------------------

/**
 * Document upload body. The URL fields are documented (LP-REF); the `*Base64` names are assumed by
 * analogy, because the upload page's field list was not captured. Front is required, back and side
 * optional (assumed: a KTP has no meaningful side shot).
 */
export const LapisDocumentUploadRequest = z
  .strictObject({
    frontImage: httpUrl.optional(),
    frontImageBase64: nonEmpty.optional(),
    backImage: httpUrl.optional(),
    backImageBase64: nonEmpty.optional(),
    sideImage: httpUrl.optional(),
    sideImageBase64: nonEmpty.optional(),
  })
  .refine((b) => (b.frontImage === undefined) !== (b.frontImageBase64 === undefined), 'exactly one front image')
  .refine((b) => b.backImage === undefined || b.backImageBase64 === undefined, 'at most one back image')
  .refine((b) => b.sideImage === undefined || b.sideImageBase64 === undefined, 'at most one side image');
export type LapisDocumentUploadRequest = z.infer<typeof LapisDocumentUploadRequest>;

/** Face authentication body. `faceImage` is documented (LP-FACE); `faceImageBase64` is an assumed name (not captured). */
export const LapisFaceAuthenticationRequest = z
  .strictObject({ faceImage: httpUrl.optional(), faceImageBase64: nonEmpty.optional(), documentIdentificationId: nonEmpty })
  .refine((b) => (b.faceImage === undefined) !== (b.faceImageBase64 === undefined), 'exactly one face image');
export type LapisFaceAuthenticationRequest = z.infer<typeof LapisFaceAuthenticationRequest>;

/**
 * Liveliness body. LP-LIVE describes a URL or a base64 data URI and "only one face video is accepted!"
 * implies two fields; `faceVideo` / `faceVideoBase64` are assumed names (the field list was not captured).
 */
export const LapisLivelinessRequest = z
  .strictObject({ faceVideo: httpUrl.optional(), faceVideoBase64: videoDataUri.optional(), documentIdentificationId: nonEmpty })
  .refine((b) => (b.faceVideo === undefined) !== (b.faceVideoBase64 === undefined), 'exactly one face video');
export type LapisLivelinessRequest = z.infer<typeof LapisLivelinessRequest>;

export const LapisKycRequestCreateRequest = z.strictObject({ email: z.email(), phoneNumber: nonEmpty, documentIdentificationId: nonEmpty });
export type LapisKycRequestCreateRequest = z.infer<typeof LapisKycRequestCreateRequest>;

/** Body of PUT /api/accept and of DELETE /api/delete-request (LP-ACCEPT, LP-DEL). */
export const LapisIdRequest = z.strictObject({ id: nonEmpty });
export type LapisIdRequest = z.infer<typeof LapisIdRequest>;

// ---------------------------------------------------------------------------------------------------
// Answers.
// ---------------------------------------------------------------------------------------------------

/** Ids are "randomly generated numbers" in the docs' example; accepted as number or text. */
const LapisId = z.union([z.string().min(1), z.number()]).transform(String);
const text = z.string().nullish();
/** Day/month/year parts and counters: numbers in ID-Analyzer-style output, but not typed by Lapis. */
const numberOrText = z.union([z.number(), z.string()]).nullish();

/** Extracted document data, key names as in the `Request.idInformation` example (LP-LIST, LP-ONE). */
export const LapisIdInformation = z.looseObject({
  documentNumber: text,
  firstName: text,
  middleName: text,
  lastName: text,
  fullName: text,
  age: numberOrText,
  dob: text,
  dob_day: numberOrText,
  dob_month: numberOrText,
  dob_year: numberOrText,
  expiry: text,
  expiry_day: numberOrText,
  expiry_month: numberOrText,
  expiry_year: numberOrText,
  daysToExpiry: numberOrText,
  issued: text,
  issued_day: numberOrText,
  issued_month: numberOrText,
  issued_year: numberOrText,
  daysFromIssue: numberOrText,
  address1: text,
  documentType: text,
  documentSide: text,
  issueAuthority: text,
  issuerOrg_full: text,
  issuerOrg_iso2: text,
  issuerOrg_iso3: text,
  nationality_full: text,
  nationality_iso2: text,
  nationality_iso3: text,
  internalId: numberOrText,
});
export type LapisIdInformation = z.infer<typeof LapisIdInformation>;

/**
 * Document upload answer: ASSUMED shape. LP-REF only says the call returns "a unique document ID and
 * the extracted information", so both `id` and `documentIdentificationId` are accepted as the id's key,
 * and the extracted data is read as `idInformation`, the key the Request object uses for the same data.
 */
export const LapisDocumentUploadResponse = z
  .looseObject({ id: LapisId.optional(), documentIdentificationId: LapisId.optional(), idInformation: LapisIdInformation.optional() })
  .refine((b) => b.id !== undefined || b.documentIdentificationId !== undefined, 'a document id');
export type LapisDocumentUploadResponse = z.infer<typeof LapisDocumentUploadResponse>;

/** 200 `{"score": 0..1}`, 1 meaning a 100% match (LP-FACE). */
export const LapisFaceAuthenticationResponse = z.looseObject({ score: z.number().min(0).max(1) });
export type LapisFaceAuthenticationResponse = z.infer<typeof LapisFaceAuthenticationResponse>;

/** Liveliness success: NOT captured (the page is "under maintenance"); any JSON object is accepted, a `message` or `score` is kept. */
export const LapisLivelinessResponse = z.looseObject({ message: z.string().optional(), score: z.number().min(0).max(1).optional() });
export type LapisLivelinessResponse = z.infer<typeof LapisLivelinessResponse>;

/** `{"message": ...}` answers: create 201 "Request submitted", accept 200 "Kyc request accepted", delete 200 "KYC request deleted!". */
export const LapisMessageResponse = z.looseObject({ message: z.string() });
export type LapisMessageResponse = z.infer<typeof LapisMessageResponse>;

/** The eKYC request object (LP-LIST, LP-ONE). Image fields are Cloudinary URLs, null before the step ran (assumed). */
export const LapisKycRequest = z.looseObject({
  id: LapisId,
  email: z.string(),
  phoneNumber: z.string(),
  isValidated: z.boolean(),
  isAccepted: z.boolean(),
  idFrontImage: text,
  idBackImage: text,
  idSideImage: text,
  faceImage: text,
  faceMatch: z.number().nullish(),
  idInformation: LapisIdInformation.nullish(),
});
export type LapisKycRequest = z.infer<typeof LapisKycRequest>;

/** List and get-one both answer `{"requests": [...]}` (LP-LIST, LP-ONE). */
export const LapisRequestsResponse = z.looseObject({ requests: z.array(LapisKycRequest) });
export type LapisRequestsResponse = z.infer<typeof LapisRequestsResponse>;

/** Error bodies: `{"error": ...}` everywhere, `{"message": ...}` for the failed accept (LP-ACCEPT). */
export const LapisErrorBody = z.union([z.looseObject({ error: z.string() }), z.looseObject({ message: z.string() })]);
export type LapisErrorBody = z.infer<typeof LapisErrorBody>;

/** The plain-text 413, after trimming. */
export const LapisTooLargeText = z.literal(LAPIS_TOO_LARGE_TEXT);
