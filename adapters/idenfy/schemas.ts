import { z } from 'zod';

/**
 * iDenfy's wire format (reference/providers.md section 1): the flat v2 token request, the answers of
 * /api/v2/token, /status and /data, the error bodies and the verification webhook. Answers are loose
 * objects because iDenfy adds keys over time; enums are strict where iDenfy documents them in full.
 */

export const IDENFY_TOKEN_TYPES = ['IDENTIFICATION', 'DOCUMENT'] as const;
export const IDENFY_DOCUMENT_TYPES = ['ID_CARD', 'PASSPORT', 'RESIDENCE_PERMIT', 'DRIVER_LICENSE', 'OTHER'] as const;

/** `overall` of the status endpoint and the webhook (ID-OAS, ID-VOC; NOT_REVIEWED is the legacy spelling of a pending review). */
export const IDENFY_OVERALL_STATUSES = [
  'APPROVED',
  'DENIED',
  'SUSPECTED',
  'REVIEWING',
  'EXPIRED',
  'ACTIVE',
  'DELETED',
  'ARCHIVED',
  'EXPIRED-DELETED',
  'NOT_REVIEWED',
] as const;
export const IdenfyOverallStatus = z.enum(IDENFY_OVERALL_STATUSES);
export type IdenfyOverallStatus = z.infer<typeof IdenfyOverallStatus>;

export const IDENFY_FACE_STATUSES = [
  'FACE_MATCH',
  'FACE_NOT_CHECKED',
  'FACE_MISMATCH',
  'NO_FACE_FOUND',
  'TOO_MANY_FACES',
  'FACE_TOO_BLURRY',
  'FACE_GLARED',
  'FACE_UNCERTAIN',
  'FACE_NOT_ANALYSED',
  'FACE_ERROR',
  'AUTO_UNVERIFIABLE',
  'FAKE_FACE',
] as const;

export const IDENFY_DOCUMENT_STATUSES = [
  'DOC_VALIDATED',
  'DOC_INFO_MISMATCH',
  'DOC_NOT_FOUND',
  'DOC_NOT_FULLY_VISIBLE',
  'DOC_NOT_SUPPORTED',
  'DOC_FACE_NOT_FOUND',
  'DOC_TOO_BLURRY',
  'DOC_FACE_GLARED',
  'MRZ_NOT_FOUND',
  'MRZ_OCR_READING_ERROR',
  'DOC_EXPIRED',
  'COUNTRY_MISMATCH',
  'DOC_TYPE_MISMATCH',
  'DOC_DAMAGED',
  'DOC_FAKE',
  'DOC_PERSONAL_CODE_INVALID',
  'DOC_NOT_ALLOWED',
  'DOC_NAME_ERROR',
  'DOC_SURNAME_ERROR',
  'DOC_EXPIRY_ERROR',
  'DOC_DOB_ERROR',
  'DOC_PERSONAL_NUMBER_ERROR',
  'DOC_NUMBER_ERROR',
  'DOC_DATE_OF_ISSUE_ERROR',
  'DOC_SEX_ERROR',
  'DOC_NATIONALITY_ERROR',
  'DOC_NOT_ANALYSED',
  'DOC_ERROR',
  'AUTO_UNVERIFIABLE',
  'DOC_SPOOF_DETECTED',
  'MRZ_INVALID',
  'EID_FAILED',
  'NFC_INIT_FAILED',
  'NFC_FAILED',
  'NFC_TIMEOUT',
] as const;

/** Values of the `Idenfy-Event-Type` header for identity verifications (ID-WH; the dashboard spells CANCELED). */
export const IDENFY_EVENT_TYPES = [
  'IDENTIFICATION_AUTO_FINISHED',
  'IDENTIFICATION_MANUAL_FINISHED',
  'IDENTIFICATION_RESUBMITTED',
  'IDENTIFICATION_CANCELLED',
  'IDENTIFICATION_CANCELED',
  'IDENTIFICATION_EXPIRED',
  'IDENTIFICATION',
] as const;
export const IdenfyEventType = z.enum(IDENFY_EVENT_TYPES);
export type IdenfyEventType = z.infer<typeof IdenfyEventType>;

const FaceStatus = z.enum(IDENFY_FACE_STATUSES);
/**
 * Our copy of the document enum is known to be partial (its start was never seen), so a value of the
 * same family (DOC_/MRZ_/NFC_/EID_) is accepted rather than rejecting a genuine verdict as schema drift.
 */
const DocumentStatus = z.union([z.enum(IDENFY_DOCUMENT_STATUSES), z.string().regex(/^(DOC|MRZ|NFC|EID)_[A-Z0-9_]+$/)]);
/** manual* stay empty until a reviewer has looked; "empty" has been seen as null and as an empty string. */
const Reviewable = <T extends z.ZodType>(schema: T) =>
  z
    .union([schema, z.literal('')])
    .nullable()
    .optional();

const Alpha2 = z.string().regex(/^[A-Z]{2}$/, 'ISO 3166-1 alpha-2, upper case');
const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD');
const HttpsUrl = z
  .url({ protocol: /^https$/ })
  .min(5)
  .max(2048);
/** Letters only: iDenfy rejects digits and these symbols in names (ID-TOK-LEG). */
const PersonName = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[^0-9~!@#$%^*()_+={}[\]|:;",<>/?]+$/, 'letters only');

/** POST /api/v2/token body, the flat v2 shape (ID-OAS, ID-TOK-LEG, seed 002). Strict: we only send what we mean. */
export const IdenfyTokenRequest = z
  .object({
    /** Our customer reference; iDenfy requires it (ASCII, at most 100 characters) and skips duplicate checks when it repeats. */
    clientId: z
      .string()
      .min(1)
      .max(100)
      .regex(/^[\x20-\x7e]+$/, 'printable ASCII'),
    tokenType: z.enum(IDENFY_TOKEN_TYPES).optional(),
    externalRef: z.string().max(40).nullable().optional(),
    generateDigitString: z.boolean().optional(),
    /** Seconds the token stays valid before the user starts (1..30 days). */
    expiryTime: z.number().int().min(1).max(2_592_000).optional(),
    /** Seconds the user has once the hosted page is open. */
    sessionLength: z.number().int().min(60).max(3600).optional(),
    locale: z.string().min(2).max(7).optional(),
    country: Alpha2.optional(),
    documents: z.array(z.enum(IDENFY_DOCUMENT_TYPES)).min(1).optional(),
    firstName: PersonName.optional(),
    lastName: PersonName.optional(),
    dateOfBirth: IsoDate.optional(),
    dateOfExpiry: IsoDate.optional(),
    dateOfIssue: IsoDate.optional(),
    nationality: z.union([Alpha2, z.literal('ALL')]).optional(),
    sex: z.enum(['M', 'F']).optional(),
    documentNumber: z.string().max(50).optional(),
    personalNumber: z.string().max(50).optional(),
    successUrl: HttpsUrl.optional(),
    errorUrl: HttpsUrl.optional(),
    unverifiedUrl: HttpsUrl.optional(),
    callbackUrl: HttpsUrl.optional(),
  })
  .strict();
export type IdenfyTokenRequest = z.infer<typeof IdenfyTokenRequest>;

/** The token answer (HTTP 201 per the OAS, 200 per the legacy docs and seed 002's sample code). */
export const IdenfyTokenResponse = z.looseObject({
  message: z.string().optional(),
  // Opaque (examples are 26 and 40 alphanumerics): only its documented length is checked.
  authToken: z.string().min(1).max(40),
  scanRef: z.string().min(1).max(36),
  redirectUrl: z.string().nullable().optional(),
  tokenType: z.string(),
  clientId: z.string().optional(),
  expiryTime: z.number().int().optional(),
  sessionLength: z.number().int().optional(),
  digitString: z.string().nullable().optional(),
});
export type IdenfyTokenResponse = z.infer<typeof IdenfyTokenResponse>;

/**
 * Every documented error body: `{identifier, message}`, the message-only authentication answers (401,
 * 402, 403 carry no identifier) and the PARTNER_ERROR shape with `documentation` and `severity` extras.
 */
export const IdenfyErrorBody = z.looseObject({
  identifier: z.string().min(1).optional(),
  message: z.string(),
  documentation: z.string().nullable().optional(),
  severity: z.string().nullable().optional(),
});
export type IdenfyErrorBody = z.infer<typeof IdenfyErrorBody>;

const Tags = z.array(z.string());

/** The input of the status and data fetches: the session iDenfy named in its token answer. */
export const IdenfyScanRefInput = z.strictObject({ scanRef: z.string().min(1).max(36) });
export type IdenfyScanRefInput = z.infer<typeof IdenfyScanRefInput>;

/**
 * The sessions of one of our customers (iDenfy's clientId), and the scanRefs the gateway already knows of them:
 * what proves whether a token call whose answer was lost opened a session (the reconciliation of unknown charges).
 */
export const IdenfyIdentificationsInput = z.strictObject({
  clientId: z.string().min(1).max(100),
  knownScanRefs: z.array(z.string().min(1).max(36)).max(1000),
});
export type IdenfyIdentificationsInput = z.infer<typeof IdenfyIdentificationsInput>;

/** GET /kyc/identifications/?clientId= (ID-OAS): a page of the client's sessions. */
export const IdenfyIdentificationsResponse = z.looseObject({
  count: z.number().int().nonnegative(),
  next: z.string().nullish(),
  results: z.array(z.looseObject({ scanRef: z.string().min(1), status: IdenfyOverallStatus, suspected: z.boolean().nullish() })),
});
export type IdenfyIdentificationsResponse = z.infer<typeof IdenfyIdentificationsResponse>;

/** POST /api/v2/status answer (ID-DR); `final` is mentioned by the status-handling guide, not by the sample. */
export const IdenfyStatusResponse = z.looseObject({
  status: IdenfyOverallStatus,
  final: z.boolean().optional(),
  autoFace: Reviewable(FaceStatus),
  manualFace: Reviewable(FaceStatus),
  autoDocument: Reviewable(DocumentStatus),
  manualDocument: Reviewable(DocumentStatus),
  fraudTags: Tags.default([]),
  mismatchTags: Tags.default([]),
  scanRef: z.string().min(1).max(36),
  clientId: z.string().max(100).optional(),
});
export type IdenfyStatusResponse = z.infer<typeof IdenfyStatusResponse>;

const Text = z.string().nullable().optional();

/** The extracted document data: the webhook's `data` object, also the body of POST /api/v2/data. */
export const IdenfyIdentityData = z.looseObject({
  docFirstName: Text,
  docLastName: Text,
  docNumber: Text,
  docPersonalCode: Text,
  docExpiry: Text,
  docDob: Text,
  docDateOfIssue: Text,
  docType: Text,
  docSex: z.enum(['MALE', 'FEMALE', 'UNDEFINED']).nullable().optional(),
  docNationality: Text,
  docIssuingCountry: Text,
  fullName: Text,
  selectedCountry: Text,
  manuallyDataChanged: z.boolean().nullable().optional(),
});
export type IdenfyIdentityData = z.infer<typeof IdenfyIdentityData>;

export const IdenfyDataResponse = IdenfyIdentityData.extend({
  scanRef: z.string().max(36).optional(),
  clientId: z.string().max(100).optional(),
});
export type IdenfyDataResponse = z.infer<typeof IdenfyDataResponse>;

/**
 * The identification webhook (`IdentificationWebhook` of ID-OAS). The OAS marks platform, data,
 * fileUrls and the client/company fields required, but an expired session that never started has
 * none of that to report, and dropping its webhook would lose the expiry; so only what every event
 * must carry to be useful (final, status, scanRef, clientId) is required here.
 */
export const IdenfyWebhookPayload = z.looseObject({
  final: z.boolean(),
  platform: z.string().nullable().optional(),
  status: z.looseObject({
    overall: IdenfyOverallStatus,
    fraudTags: Tags.default([]),
    mismatchTags: Tags.default([]),
    autoFace: Reviewable(FaceStatus),
    manualFace: Reviewable(FaceStatus),
    autoDocument: Reviewable(DocumentStatus),
    manualDocument: Reviewable(DocumentStatus),
    additionalSteps: z.string().nullable().optional(),
  }),
  data: IdenfyIdentityData.nullable().optional(),
  fileUrls: z.record(z.string(), z.string().nullable()).nullable().optional(),
  scanRef: z.string().min(1).max(36),
  externalRef: z.string().max(40).nullable().optional(),
  clientId: z.string().min(1).max(100),
  companyId: z.string().nullable().optional(),
  beneficiaryId: z.string().nullable().optional(),
  startTime: z.number().int().nullable().optional(),
  finishTime: z.number().int().nullable().optional(),
  clientIp: z.string().nullable().optional(),
  clientIpCountry: z.string().nullable().optional(),
  clientLocation: z.string().nullable().optional(),
});
export type IdenfyWebhookPayload = z.infer<typeof IdenfyWebhookPayload>;
