-- Alerts (issue 20) kept for the cluster, so that each fires once and resolves once whatever the number of nodes
-- and restarts: a node fires an alert by inserting it as firing; the partial unique index lets one insert of a
-- (rule, subject) win while it fires. Whoever sees it clear resolves it (a conditional update). delivery_* is the
-- webhook post of its current state: what became of it, attempts, the last error, and when a node should post
-- (again), moved ahead by the node posting so another takes over only when that one stopped. Resolved alerts are
-- the console's history, the newest few hundred kept.
CREATE TABLE extsvc_alerts (
  id                TEXT   NOT NULL PRIMARY KEY,
  rule              TEXT   NOT NULL,
  subject           TEXT   NOT NULL,
  summary           TEXT   NOT NULL,
  invocations       TEXT   NOT NULL,
  fired_at          INTEGER NOT NULL,
  fired_by          TEXT   NOT NULL,
  resolved_at       INTEGER,
  resolved_by       TEXT,
  delivery          TEXT   NOT NULL,
  delivery_attempts INTEGER NOT NULL,
  delivery_error    TEXT,
  delivery_due      INTEGER
) STRICT;
CREATE UNIQUE INDEX extsvc_alerts_firing ON extsvc_alerts (rule, subject) WHERE resolved_at IS NULL;
CREATE INDEX extsvc_alerts_resolved ON extsvc_alerts (resolved_at) WHERE resolved_at IS NOT NULL;
CREATE INDEX extsvc_alerts_due ON extsvc_alerts (delivery_due) WHERE delivery_due IS NOT NULL;
