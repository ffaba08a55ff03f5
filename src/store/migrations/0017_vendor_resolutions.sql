-- The reconciliation job settles `unknown` ledger rows through a vendor's status API: such a resolution's
-- evidence is the lookup call it made (itself an attempt, booked on the ledger).
ALTER TABLE ledger_resolutions ADD COLUMN vendor_attempt_id text REFERENCES ledger_entries(attempt_id);
ALTER TABLE ledger_resolutions DROP CONSTRAINT ledger_resolutions_evidence;
ALTER TABLE ledger_resolutions ADD CONSTRAINT ledger_resolutions_evidence
  CHECK (resolved_by IS NOT NULL OR resolved_by_operator IS NOT NULL OR invoice_import_id IS NOT NULL OR vendor_attempt_id IS NOT NULL);
