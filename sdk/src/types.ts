// The answers of the everyday routes, as the API presents them. Request types are generated from the OpenAPI
// document (generated/api.ts); the document has no response schemas yet, so these are written by hand and
// name only the fields integrators rely on.
import type { ColourWindow, Rgb } from './capture';

export interface Customer {
  id: string;
  object: 'customer';
  externalRef: string;
  createdAt: string;
}

export interface Attempt {
  provider: string;
  operation: string;
  suiteCode: string | null;
  charged: 'charged' | 'free' | 'unknown';
  [field: string]: unknown;
}

export interface Verification {
  id: string;
  object: 'verification';
  customerId: string;
  check: string;
  status: 'processing' | 'passed' | 'failed' | 'requires_review' | 'not_found' | 'pending' | 'expired' | 'cancelled' | 'error';
  provider: string | null;
  result: { code: string; data?: Record<string, unknown>; [field: string]: unknown } | null;
  attempts: Attempt[];
  [field: string]: unknown;
}

export interface FlashChallenge {
  id: string;
  object: 'flash_challenge';
  customerId: string;
  kind: 'selfie' | 'ktp';
  nonce: string;
  sequence: Rgb[];
  /** 1: colours only; 2: timed (show each colour for its window, send `frameTimes`). */
  version: 1 | 2;
  /** Version 2: when each colour is on screen, in ms after the first appeared; null for version 1. */
  schedule: ColourWindow[] | null;
  expiresAt: string;
}

export interface Capture {
  id: string;
  object: 'capture_bundle';
  customerId: string;
  kind: 'selfie' | 'ktp';
  status: string;
  antiSpoof: {
    fused: 'live' | 'spoof' | 'uncertain';
    voters: Array<{ name: string; verdict: string; score: number; detail: string }>;
  } | null;
  tamper: { fused: string; [field: string]: unknown } | null;
  face: { found: boolean; quality?: number };
  [field: string]: unknown;
}

export interface UsageRow {
  day: string;
  provider: string;
  check: string;
  sandbox: boolean;
  calls: number;
  charged: number;
  free: number;
  unknown: number;
  cost: number;
  unknownExposure: number;
  currency: string;
}

export interface UsageReport {
  object: string;
  data: UsageRow[];
  [field: string]: unknown;
}

export interface LedgerEntry {
  id: string;
  object: 'ledger_entry';
  provider: string;
  charged: 'charged' | 'free' | 'unknown';
  unitPrice: number;
  currency: string;
  upstreamRequestId: string | null;
  [field: string]: unknown;
}

export interface InvoiceReconciliation {
  id: string;
  object: 'invoice_reconciliation';
  differences: Array<{ kind: 'billed_not_on_ledger' | 'on_ledger_not_billed' | 'price_mismatch'; [field: string]: unknown }>;
  resolved: Array<{ entryId: string; line: number; reference: string }>;
  [field: string]: unknown;
}

export interface ApiKey {
  id: string;
  object: 'api_key';
  name: string;
  mode: 'test' | 'live';
  scopes: string[];
  createdAt: string;
  revokedAt: string | null;
}

export interface IssuedKey extends ApiKey {
  key: string;
  hmacKey: string;
}
