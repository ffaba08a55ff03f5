-- One routing policy per org (PUT /v1/routing/policy). An org without a row routes by config/routing.json.
-- The policy is stored whole as validated JSON: it is read and replaced as one document, never queried inside.
CREATE TABLE routing_policies (
  org_id      text PRIMARY KEY REFERENCES orgs(id),
  policy      jsonb NOT NULL,
  -- Who changed it last and when, for the audit trail of routing changes.
  updated_by  text NOT NULL REFERENCES api_keys(id),
  updated_at  timestamptz NOT NULL
);
