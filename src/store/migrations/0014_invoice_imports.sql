-- Vendor invoices imported for reconciliation against the ledger. Each import keeps what it was run on
-- (provider, period, the file's digest, whose rows) and the differences it listed; a ledger row it proves
-- billed is resolved `charged` with the import as its evidence, so `ledger_resolutions` now names either
-- the key that resolved by hand or the invoice import that proved it.
CREATE TABLE invoice_imports (
  seq           bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  id            text PRIMARY KEY,
  provider      text NOT NULL,
  sandbox       boolean NOT NULL,
  org_id        text REFERENCES orgs(id),
  file_name     text NOT NULL,
  file_sha256   text NOT NULL,
  period_from   date NOT NULL,
  period_to     date NOT NULL,
  lines         integer NOT NULL,
  imported_by   text NOT NULL,
  imported_at   timestamptz NOT NULL,
  result        jsonb NOT NULL
);

ALTER TABLE ledger_resolutions ALTER COLUMN resolved_by DROP NOT NULL;
ALTER TABLE ledger_resolutions ADD COLUMN invoice_import_id text REFERENCES invoice_imports(id);
ALTER TABLE ledger_resolutions ADD CONSTRAINT ledger_resolutions_evidence CHECK (resolved_by IS NOT NULL OR invoice_import_id IS NOT NULL);
CREATE INDEX ledger_entries_provider_reference ON ledger_entries (provider, upstream_request_id) WHERE upstream_request_id IS NOT NULL;
