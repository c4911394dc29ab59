-- Alerts (issue 20) kept for the cluster, so that each fires once and resolves once whatever the number of nodes
-- and restarts: a node fires an alert by inserting it as firing; the partial unique index lets one insert of a
-- (rule, subject) win while it fires. Whoever sees it clear resolves it (a conditional update). delivery_* is the
-- webhook post of its current state: what became of it, attempts, the last error, and when a node should post
-- (again), moved ahead by the node posting so another takes over only when that one stopped. Resolved alerts are
-- the console's history, the newest few hundred kept.
CREATE TABLE extsvc_alerts (
  id                uuid   NOT NULL PRIMARY KEY,
  rule              text   NOT NULL,
  subject           text   NOT NULL,
  summary           text   NOT NULL,
  invocations       text   NOT NULL,
  fired_at          bigint NOT NULL,
  fired_by          text   NOT NULL,
  resolved_at       bigint,
  resolved_by       text,
  delivery          text   NOT NULL,
  delivery_attempts integer NOT NULL,
  delivery_error    text,
  delivery_due      bigint
);
CREATE UNIQUE INDEX extsvc_alerts_firing ON extsvc_alerts (rule, subject) WHERE resolved_at IS NULL;
CREATE INDEX extsvc_alerts_resolved ON extsvc_alerts (resolved_at) WHERE resolved_at IS NOT NULL;
CREATE INDEX extsvc_alerts_due ON extsvc_alerts (delivery_due) WHERE delivery_due IS NOT NULL;
