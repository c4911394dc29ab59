-- extsvc store schema, SQLite. Instants are epoch microseconds (INTEGER, UTC by definition); UUIDs are
-- lowercase canonical text, which sorts like the UUIDs themselves. STRICT tables reject mistyped values.

CREATE TABLE extsvc_services (
  name          TEXT    NOT NULL PRIMARY KEY,
  version       TEXT    NOT NULL,
  document      TEXT    NOT NULL,
  registered_at INTEGER NOT NULL
) STRICT;

CREATE TABLE extsvc_invocations (
  id            TEXT    NOT NULL PRIMARY KEY,
  service       TEXT    NOT NULL,
  operation     TEXT    NOT NULL,
  async         INTEGER NOT NULL CHECK (async IN (0, 1)),
  status        TEXT    NOT NULL CHECK (status IN ('PENDING', 'COMPLETED', 'TIMED_OUT', 'CANCELLED')),
  reason        TEXT,
  handler_type  TEXT,
  handler_state TEXT,
  request       TEXT    NOT NULL,
  sync_status   INTEGER,
  sync_headers  TEXT,
  sync_body     TEXT,
  submit_time   INTEGER NOT NULL,
  deadline      INTEGER NOT NULL,
  finished_at   INTEGER
) STRICT;

-- The console lists newest first, filtered by status, service or operation.
CREATE INDEX extsvc_invocations_status ON extsvc_invocations (status, id DESC);
CREATE INDEX extsvc_invocations_service ON extsvc_invocations (service, id DESC);
CREATE INDEX extsvc_invocations_operation ON extsvc_invocations (operation, id DESC);
-- The timeout sweeper only ever looks at PENDING rows.
CREATE INDEX extsvc_invocations_due ON extsvc_invocations (deadline) WHERE status = 'PENDING';

CREATE TABLE extsvc_callback_tokens (
  token_hash    BLOB    NOT NULL PRIMARY KEY,
  invocation_id TEXT    NOT NULL REFERENCES extsvc_invocations (id) ON DELETE CASCADE,
  target        TEXT    NOT NULL,
  callback_keys TEXT    NOT NULL
) STRICT;
CREATE INDEX extsvc_callback_tokens_invocation ON extsvc_callback_tokens (invocation_id);

CREATE TABLE extsvc_callbacks (
  id            TEXT    NOT NULL PRIMARY KEY,
  invocation_id TEXT    NOT NULL REFERENCES extsvc_invocations (id) ON DELETE CASCADE,
  callback_key  TEXT    NOT NULL,
  received_at   INTEGER NOT NULL,
  method        TEXT    NOT NULL,
  headers       TEXT    NOT NULL,
  body          TEXT    NOT NULL,
  dedup_key     TEXT    NOT NULL,
  outcome       TEXT    NOT NULL CHECK (outcome IN ('RECEIVED', 'HANDLED', 'NOT_HANDLED', 'FAILED')),
  answer_code   INTEGER,
  attempts      INTEGER NOT NULL,
  error         TEXT,
  -- A repeated callback is recognised by this constraint, so concurrent repeats are caught too.
  CONSTRAINT extsvc_callbacks_dedup UNIQUE (invocation_id, dedup_key)
) STRICT;

CREATE TABLE extsvc_events (
  -- AUTOINCREMENT: ids never go back, even after the newest rows are deleted.
  id            INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  invocation_id TEXT    NOT NULL REFERENCES extsvc_invocations (id) ON DELETE CASCADE,
  at            INTEGER NOT NULL,
  kind          TEXT    NOT NULL,
  message       TEXT    NOT NULL
) STRICT;
CREATE INDEX extsvc_events_invocation ON extsvc_events (invocation_id, id);
