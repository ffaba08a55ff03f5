/** iDenfy simulator scenarios: the SCENARIOS steps, how a token picks one, and the token and identity data each session answers. */
import { randomBytes, randomUUID } from 'node:crypto';
import type { IdenfyEventType, IdenfyOverallStatus } from '../schemas';

export type Scenario = 'approved' | 'denied' | 'suspected' | 'review' | 'expired' | 'cancelled' | 'no-face' | 'doc-fake';

export interface Step {
  event: IdenfyEventType;
  final: boolean;
  overall: IdenfyOverallStatus;
  autoFace: string | null;
  autoDocument: string | null;
  manualFace?: string;
  manualDocument?: string;
  fraudTags?: string[];
  mismatchTags?: string[];
}

const verdict = (overall: IdenfyOverallStatus, autoFace: string, autoDocument: string, extra: Partial<Step> = {}): Step => ({
  event: 'IDENTIFICATION_AUTO_FINISHED',
  final: true,
  overall,
  autoFace,
  autoDocument,
  ...extra,
});
export const notCompleted = (event: IdenfyEventType): Step => ({
  event,
  final: true,
  overall: 'EXPIRED',
  autoFace: null,
  autoDocument: null,
});

export const SCENARIOS: Record<Scenario, Step[]> = {
  approved: [verdict('APPROVED', 'FACE_MATCH', 'DOC_VALIDATED')],
  denied: [verdict('DENIED', 'FACE_MISMATCH', 'DOC_VALIDATED')],
  suspected: [verdict('SUSPECTED', 'FACE_MATCH', 'DOC_VALIDATED', { mismatchTags: ['NAME'], fraudTags: ['DOC_MOBILE_PHOTO'] })],
  review: [
    verdict('REVIEWING', 'FACE_UNCERTAIN', 'DOC_VALIDATED', { final: false }),
    verdict('APPROVED', 'FACE_UNCERTAIN', 'DOC_VALIDATED', {
      event: 'IDENTIFICATION_MANUAL_FINISHED',
      manualFace: 'FACE_MATCH',
      manualDocument: 'DOC_VALIDATED',
    }),
  ],
  expired: [notCompleted('IDENTIFICATION_EXPIRED')],
  cancelled: [notCompleted('IDENTIFICATION_CANCELLED')],
  'no-face': [verdict('DENIED', 'NO_FACE_FOUND', 'DOC_VALIDATED')],
  'doc-fake': [verdict('DENIED', 'FACE_MATCH', 'DOC_FAKE', { fraudTags: ['DOC_PRINT_SPOOFED'] })],
};
const SCENARIO_NAMES = Object.keys(SCENARIOS) as Scenario[];

function scenarioOf(...candidates: unknown[]): Scenario {
  for (const value of candidates) {
    if (typeof value !== 'string') continue;
    const found = SCENARIO_NAMES.find((s) => value.toLowerCase().endsWith(`-${s}`));
    if (found) return found;
  }
  return 'approved';
}

export interface Session {
  scanRef: string;
  authToken: string;
  scenario: Scenario;
  token: Record<string, unknown>;
  createdAt: number;
  expiryTime: number;
  status: IdenfyOverallStatus;
  step?: Step;
  startTime?: number;
  finishTime?: number;
}

const DEFAULT_URLS = {
  successUrl: 'https://ui.idenfy.com/result?status=success',
  errorUrl: 'https://ui.idenfy.com/result?status=fail',
  unverifiedUrl: 'https://ui.idenfy.com/result?status=unverified',
};

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const opaqueToken = (length: number) => [...randomBytes(length)].map((b) => BASE62[b % 62]).join('');
const upper = (v: unknown) => (typeof v === 'string' ? v.toUpperCase() : null);

export function createSession(body: Record<string, unknown>, baseUrl: string, at: number): Session {
  const authToken = opaqueToken(40);
  const scanRef = randomUUID();
  const clientId = (body.clientId ?? body.personScanRef) as string;
  const expiryTime = (body.expiryTime as number | undefined) ?? 3600;
  const token: Record<string, unknown> = {
    message: 'Token created successfully',
    authToken,
    scanRef,
    clientId,
    personScanRef: clientId,
    firstName: upper(body.firstName),
    lastName: upper(body.lastName),
    successUrl: body.successUrl ?? DEFAULT_URLS.successUrl,
    errorUrl: body.errorUrl ?? DEFAULT_URLS.errorUrl,
    unverifiedUrl: body.unverifiedUrl ?? DEFAULT_URLS.unverifiedUrl,
    callbackUrl: body.callbackUrl ?? null,
    locale: body.locale ?? 'en',
    country: upper(body.country),
    expiryTime,
    sessionLength: body.sessionLength ?? 600,
    documents: body.documents ?? ['ID_CARD', 'PASSPORT'],
    tokenType: body.tokenType ?? 'IDENTIFICATION',
    externalRef: body.externalRef ?? null,
    dateOfBirth: body.dateOfBirth ?? null,
    showInstructions: true,
    redirectUrl: `${baseUrl}/api/v2/redirect?authToken=${authToken}`,
    ...(body.generateDigitString === true && { digitString: String(randomBytes(4).readUInt32BE() % 100_000_000).padStart(8, '0') }),
  };
  return { scanRef, authToken, scenario: scenarioOf(clientId, body.firstName), token, createdAt: at, expiryTime, status: 'ACTIVE' };
}

/** What the document "said": the token's prefill, or a fixed Indonesian identity; nothing before the user took part. */
export function identityData(s: Session): Record<string, unknown> {
  const read = s.startTime !== undefined;
  const pick = (value: unknown, fallback: string) => (read ? ((value as string | null) ?? fallback) : null);
  return {
    docFirstName: pick(s.token.firstName, 'BUDI'),
    docLastName: pick(s.token.lastName, 'SANTOSO'),
    docNumber: pick(null, 'B1234567'),
    docPersonalCode: pick(null, '3174051701900001'),
    docExpiry: pick(null, '2030-01-17'),
    docDob: pick(s.token.dateOfBirth, '1990-01-17'),
    docDateOfIssue: pick(null, '2020-01-17'),
    docType: pick(null, 'ID_CARD'),
    docSex: pick(null, 'MALE'),
    docNationality: pick(s.token.country, 'ID'),
    docIssuingCountry: pick(s.token.country, 'ID'),
    fullName: read ? `${pick(s.token.firstName, 'BUDI')} ${pick(s.token.lastName, 'SANTOSO')}` : null,
    selectedCountry: pick(s.token.country, 'ID'),
    manuallyDataChanged: false,
  };
}
