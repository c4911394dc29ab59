-- Several nodes on one database (one, on SQLite, but a restarted process is another node): leases fenced by a
-- counter that each claim raises (a run's writes commit only while it is unchanged), the node holding each
-- lease, and the nodes with their heartbeats (a node silent too long is dead: its leases are released at once).
ALTER TABLE extsvc_invocations ADD COLUMN claim_fence INTEGER NOT NULL DEFAULT 0;
ALTER TABLE extsvc_invocations ADD COLUMN claim_node TEXT;
CREATE INDEX extsvc_invocations_claim_node ON extsvc_invocations (claim_node) WHERE claim_node IS NOT NULL;

CREATE TABLE extsvc_nodes (
  id           TEXT    NOT NULL PRIMARY KEY,
  host         TEXT    NOT NULL,
  version      TEXT    NOT NULL,
  started_at   INTEGER NOT NULL,
  heartbeat_at INTEGER NOT NULL
) STRICT;
