-- Outbound webhooks to integrators (src/webhooks). An event is written in the transaction of the effect it
-- reports (outbox): it commits with the effect or not at all. Its fan-out then writes one delivery per
-- endpoint that wants it; every try of a delivery is logged.

-- An integrator's endpoint. Its signing secret is sealed (it must be recovered to sign), shown once. During
-- a rotation the previous secret keeps signing, beside the new one, until previous_secret_expires_at.
CREATE TABLE webhook_endpoints (
  seq                         bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  id                          text PRIMARY KEY,
  org_id                      text NOT NULL REFERENCES orgs(id),
  sandbox                     boolean NOT NULL,
  url                         text NOT NULL,
  description                 text,
  enabled_events              text[] NOT NULL,
  secret_sealed               bytea NOT NULL,
  previous_secret_sealed      bytea,
  previous_secret_expires_at  timestamptz,
  status                      text NOT NULL DEFAULT 'enabled' CHECK (status IN ('enabled', 'disabled')),
  disabled_reason             text,
  -- Set by the first failed try after a success (or ever), cleared by a success: how long it has been failing.
  failing_since               timestamptz,
  created_at                  timestamptz NOT NULL DEFAULT now(),
  deleted_at                  timestamptz
);
CREATE INDEX webhook_endpoints_org_seq ON webhook_endpoints (org_id, seq) WHERE deleted_at IS NULL;

-- org_id NULL: a platform event (provider.state_changed) that carries no org's ids; it goes to endpoints
-- that named its type. endpoint_id: the one endpoint a test event is for.
CREATE TABLE events (
  seq            bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  id             text PRIMARY KEY,
  org_id         text REFERENCES orgs(id),
  type           text NOT NULL,
  sandbox        boolean NOT NULL,
  data           jsonb NOT NULL,
  endpoint_id    text REFERENCES webhook_endpoints(id),
  created_at     timestamptz NOT NULL DEFAULT now(),
  -- Set when its deliveries were written; the sweep fans out what stayed NULL.
  dispatched_at  timestamptz
);
CREATE INDEX events_org_seq ON events (org_id, seq);
CREATE INDEX events_undispatched ON events (created_at) WHERE dispatched_at IS NULL;

-- One per (event, endpoint). `series` counts manual redeliveries: each starts a new series of tries.
CREATE TABLE webhook_deliveries (
  seq           bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  id            text PRIMARY KEY,
  event_id      text NOT NULL REFERENCES events(id),
  endpoint_id   text NOT NULL REFERENCES webhook_endpoints(id),
  org_id        text NOT NULL REFERENCES orgs(id),
  status        text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed', 'cancelled')),
  series        integer NOT NULL DEFAULT 1,
  created_at    timestamptz NOT NULL DEFAULT now(),
  delivered_at  timestamptz,
  UNIQUE (event_id, endpoint_id)
);
CREATE INDEX webhook_deliveries_endpoint_seq ON webhook_deliveries (endpoint_id, seq);
CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (created_at) WHERE status = 'pending';

-- Every try: HTTP status (NULL when none came back), latency, and what went wrong (never the URL or the body).
CREATE TABLE webhook_delivery_attempts (
  delivery_id  text NOT NULL REFERENCES webhook_deliveries(id),
  series       integer NOT NULL,
  attempt      integer NOT NULL,
  at           timestamptz NOT NULL,
  http_status  integer,
  latency_ms   integer NOT NULL,
  error        text,
  PRIMARY KEY (delivery_id, series, attempt)
);
