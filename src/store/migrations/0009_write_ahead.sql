-- Write-ahead attempts (brandur's recovery points): an upstream call is recorded, with its ledger row
-- `unknown`, in the transaction that precedes it, and settled with the answer afterwards. A process that
-- dies in between leaves an `in_flight` attempt: whoever finds it (the retry with the same
-- Idempotency-Key, or the sweep of abandoned verifications) settles it as interrupted, charge unknown,
-- and never calls that vendor again for it.
ALTER TABLE verification_attempts ADD COLUMN state text NOT NULL DEFAULT 'settled' CHECK (state IN ('in_flight', 'settled'));
ALTER TABLE verification_attempts ALTER COLUMN kind DROP NOT NULL;
ALTER TABLE verification_attempts ALTER COLUMN suite_code DROP NOT NULL;
ALTER TABLE verification_attempts ALTER COLUMN final DROP NOT NULL;
ALTER TABLE verification_attempts ALTER COLUMN failover DROP NOT NULL;
ALTER TABLE verification_attempts ALTER COLUMN latency_ms DROP NOT NULL;
ALTER TABLE verification_attempts ADD CONSTRAINT verification_attempts_settled_answer
  CHECK (state = 'in_flight' OR (kind IS NOT NULL AND suite_code IS NOT NULL AND final IS NOT NULL AND failover IS NOT NULL AND latency_ms IS NOT NULL));

-- A ledger row written ahead of its call has no suite code until the answer settles it.
ALTER TABLE ledger_entries ALTER COLUMN suite_code DROP NOT NULL;

-- How long a running verification is known to be alive: set when it starts, renewed by its run's heartbeat.
-- A `processing` verification past its lease was abandoned by a process that died; the sweep settles it.
ALTER TABLE verifications ADD COLUMN lease_until timestamptz;
CREATE INDEX verifications_processing_lease ON verifications (lease_until) WHERE status = 'processing';
