-- Correlation by business key: an invocation's values that tie callbacks to it (taken from its request when it is
-- made, from its synchronous answer when that is recorded), looked up by the value a callback carries at the
-- service's shared address. A value may be held by several invocations: the oldest PENDING one gets the callback
-- (each final callback completes one, the next goes to the next), else the newest one answers for a repeat.
CREATE TABLE extsvc_correlations (
  invocation_id uuid    NOT NULL REFERENCES extsvc_invocations (id) ON DELETE CASCADE,
  service       text    NOT NULL,
  operation     text    NOT NULL,
  callback_key  text    NOT NULL,
  value         text    NOT NULL,
  PRIMARY KEY (invocation_id, callback_key)
);
CREATE INDEX extsvc_correlations_value ON extsvc_correlations (service, operation, callback_key, value);

-- Callbacks that arrived at the shared address before any invocation held their value (a callback can beat the
-- synchronous answer that carries the id): held until hold_until, delivered to the invocation that records the
-- value (delivered_to), else dead (dead_at) and listed until replayed. A sender's repeat is the same row.
CREATE TABLE extsvc_early_callbacks (
  id            uuid    NOT NULL PRIMARY KEY,
  service       text    NOT NULL,
  operation     text    NOT NULL,
  callback_key  text    NOT NULL,
  value         text    NOT NULL,
  received_at   bigint    NOT NULL,
  method        text    NOT NULL,
  headers       text    NOT NULL,
  body          text    NOT NULL,
  dedup_key     text    NOT NULL,
  hold_until    bigint    NOT NULL,
  dead_at       bigint,
  delivered_to  uuid,
  CONSTRAINT extsvc_early_callbacks_dedup UNIQUE (service, dedup_key)
);
CREATE INDEX extsvc_early_callbacks_value ON extsvc_early_callbacks (service, operation, callback_key, value)
  WHERE delivered_to IS NULL;
CREATE INDEX extsvc_early_callbacks_hold ON extsvc_early_callbacks (hold_until)
  WHERE delivered_to IS NULL AND dead_at IS NULL;
