-- Finance resolves an `unknown` ledger row (a call whose charge the vendor's answer did not settle) as
-- charged or free once the invoice says. The row's `charged` changes so usage totals follow; each
-- resolution is kept here with who, when and why, and the value it replaced.
CREATE TABLE ledger_resolutions (
  seq          bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  attempt_id   text NOT NULL UNIQUE REFERENCES ledger_entries(attempt_id),
  org_id       text NOT NULL REFERENCES orgs(id),
  from_charge  text NOT NULL CHECK (from_charge = 'unknown'),
  to_charge    text NOT NULL CHECK (to_charge IN ('charged', 'free')),
  note         text NOT NULL,
  resolved_by  text NOT NULL REFERENCES api_keys(id),
  resolved_at  timestamptz NOT NULL
);
CREATE INDEX ledger_entries_org_charged_seq ON ledger_entries (org_id, charged, seq);
