-- Operators settle unknown charges across orgs from the console (`POST /v1/ops/usage/entries/:id/resolve`):
-- a resolution by hand now names either the tenant key or the operator key that made it (the operator's
-- action is also in operator_audit).
ALTER TABLE ledger_resolutions ADD COLUMN resolved_by_operator text REFERENCES operator_keys(id);
ALTER TABLE ledger_resolutions DROP CONSTRAINT ledger_resolutions_evidence;
ALTER TABLE ledger_resolutions ADD CONSTRAINT ledger_resolutions_evidence
  CHECK (resolved_by IS NOT NULL OR resolved_by_operator IS NOT NULL OR invoice_import_id IS NOT NULL);
