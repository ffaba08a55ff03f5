import type { Charge } from '../errors/app-error';
import type { ProviderId } from '../../adapters/types';

/** A provider left out of a verification without a call, and why. */
export interface Skip {
  provider: ProviderId;
  /** `breaker_open`, `account_quota_exhausted`, `provider_not_configured`, `input_not_accepted`, ... */
  reason: string;
}

/** A skip with the suite code a verification nobody answered reports for it. */
export interface CodedSkip extends Skip {
  suiteCode: string;
}

/** One upstream call as the mapping table classified it: its suite code and the row's charge, finality and failover. */
export interface Attempt {
  id: string;
  verificationId: string;
  provider: ProviderId;
  operation: string;
  kind: 'result' | 'error';
  suiteCode: string;
  upstream: { status: number | null; code: string | null; transport: string | null; requestId: string | null };
  charged: Charge;
  /** The mapping-table row said the answer is definitive about the person. */
  final: boolean;
  /** The mapping-table row allows another provider to be tried. */
  failover: boolean;
  /** The adapter's normalised answer (scores, session URL, ...). */
  data?: unknown;
  latencyMs: number;
}

/** An upstream call recorded before it is made (write-ahead): whom it calls; the answer settles it into an Attempt. */
export type PendingAttempt = Pick<Attempt, 'id' | 'verificationId' | 'provider' | 'operation'>;
