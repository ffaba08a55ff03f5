-- An org's optional daily spend cap, in IDR: paid routes are refused once the day's charged and unknown
-- ledger rows (at the unit price each was booked at) reach it. NULL: no cap. Set by operators, audited.
ALTER TABLE orgs ADD COLUMN daily_spend_cap numeric(14, 2) CHECK (daily_spend_cap IS NULL OR daily_spend_cap >= 0);
