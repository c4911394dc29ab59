-- An invocation's state in a narrow table of its own (issue 17): status, reason, deadline, finish time and the
-- callback lease are the columns that change after the invocation is written, and every change to them (a claim,
-- a completion, a timeout) rewrote the page of the whole invocation row, request and answer included. Here a change
-- rewrites a page of small rows clustered by id (WITHOUT ROWID: one b-tree, no separate key index), which the
-- writer's cache holds, and the indexes of this table only. The invocation's row is written once, then only its
-- synchronous answer.
CREATE TABLE extsvc_invocation_state (
  id          TEXT    NOT NULL PRIMARY KEY REFERENCES extsvc_invocations (id) ON DELETE CASCADE,
  status      TEXT    NOT NULL CHECK (status IN ('PENDING', 'COMPLETED', 'TIMED_OUT', 'CANCELLED')),
  reason      TEXT,
  deadline    INTEGER NOT NULL,
  finished_at INTEGER,
  claim_id    TEXT,
  claim_until INTEGER,
  claim_fence INTEGER NOT NULL DEFAULT 0,
  claim_node  TEXT
) STRICT, WITHOUT ROWID;
INSERT INTO extsvc_invocation_state
    (id, status, reason, deadline, finished_at, claim_id, claim_until, claim_fence, claim_node)
  SELECT id, status, reason, deadline, finished_at, claim_id, claim_until, claim_fence, claim_node
  FROM extsvc_invocations;

-- The same indexes as before, on this table: the list's filter and orders by status and deadline, the sweeper's
-- PENDING rows by deadline, and the leases by node.
CREATE INDEX extsvc_invocation_state_status ON extsvc_invocation_state (status, id);
CREATE INDEX extsvc_invocation_state_deadline ON extsvc_invocation_state (deadline, id);
CREATE INDEX extsvc_invocation_state_due ON extsvc_invocation_state (deadline, id) WHERE status = 'PENDING';
CREATE INDEX extsvc_invocation_state_claim_node ON extsvc_invocation_state (claim_node) WHERE claim_node IS NOT NULL;

-- SQLite drops a column only once no index names it.
DROP INDEX extsvc_invocations_status;
DROP INDEX extsvc_invocations_deadline;
DROP INDEX extsvc_invocations_due;
DROP INDEX extsvc_invocations_claim_node;
ALTER TABLE extsvc_invocations DROP COLUMN status;
ALTER TABLE extsvc_invocations DROP COLUMN reason;
ALTER TABLE extsvc_invocations DROP COLUMN deadline;
ALTER TABLE extsvc_invocations DROP COLUMN finished_at;
ALTER TABLE extsvc_invocations DROP COLUMN claim_id;
ALTER TABLE extsvc_invocations DROP COLUMN claim_until;
ALTER TABLE extsvc_invocations DROP COLUMN claim_fence;
ALTER TABLE extsvc_invocations DROP COLUMN claim_node;
