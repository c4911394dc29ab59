-- extsvc store schema, PostgreSQL. Instants are epoch microseconds (bigint): no time zone can creep in.
-- JSON columns are text, not jsonb, so what was written is read back byte for byte.

CREATE TABLE extsvc_services (
  name          text   NOT NULL PRIMARY KEY,
  version       text   NOT NULL,
  document      text   NOT NULL,
  registered_at bigint NOT NULL
);

CREATE TABLE extsvc_invocations (
  id            uuid    NOT NULL PRIMARY KEY,
  service       text    NOT NULL,
  operation     text    NOT NULL,
  async         boolean NOT NULL,
  status        text    NOT NULL CHECK (status IN ('PENDING', 'COMPLETED', 'TIMED_OUT', 'CANCELLED')),
  reason        text,
  handler_type  text,
  handler_state text,
  request       text    NOT NULL,
  sync_status   integer,
  sync_headers  text,
  sync_body     text,
  submit_time   bigint  NOT NULL,
  deadline      bigint  NOT NULL,
  finished_at   bigint
);

-- The console lists newest first, filtered by status, service or operation.
CREATE INDEX extsvc_invocations_status ON extsvc_invocations (status, id DESC);
CREATE INDEX extsvc_invocations_service ON extsvc_invocations (service, id DESC);
CREATE INDEX extsvc_invocations_operation ON extsvc_invocations (operation, id DESC);
-- The timeout sweeper only ever looks at PENDING rows.
CREATE INDEX extsvc_invocations_due ON extsvc_invocations (deadline) WHERE status = 'PENDING';

CREATE TABLE extsvc_callback_tokens (
  token_hash    bytea NOT NULL PRIMARY KEY,
  invocation_id uuid  NOT NULL REFERENCES extsvc_invocations (id) ON DELETE CASCADE,
  target        text  NOT NULL,
  callback_keys text  NOT NULL
);
CREATE INDEX extsvc_callback_tokens_invocation ON extsvc_callback_tokens (invocation_id);

CREATE TABLE extsvc_callbacks (
  id            uuid    NOT NULL PRIMARY KEY,
  invocation_id uuid    NOT NULL REFERENCES extsvc_invocations (id) ON DELETE CASCADE,
  callback_key  text    NOT NULL,
  received_at   bigint  NOT NULL,
  method        text    NOT NULL,
  headers       text    NOT NULL,
  body          text    NOT NULL,
  dedup_key     text    NOT NULL,
  outcome       text    NOT NULL CHECK (outcome IN ('RECEIVED', 'HANDLED', 'NOT_HANDLED', 'FAILED')),
  answer_code   integer,
  attempts      integer NOT NULL,
  error         text,
  -- A repeated callback is recognised by this constraint, so concurrent repeats are caught too.
  CONSTRAINT extsvc_callbacks_dedup UNIQUE (invocation_id, dedup_key)
);

CREATE TABLE extsvc_events (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  invocation_id uuid   NOT NULL REFERENCES extsvc_invocations (id) ON DELETE CASCADE,
  at            bigint NOT NULL,
  kind          text   NOT NULL,
  message       text   NOT NULL
);
CREATE INDEX extsvc_events_invocation ON extsvc_events (invocation_id, id);
