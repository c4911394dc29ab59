-- An invocation's state in a narrow table of its own (issue 17): status, reason, deadline, finish time and the
-- callback lease are the columns that change after the invocation is written, and every change to them (a claim,
-- a completion, a timeout) wrote a new version of the whole invocation row, request and answer included, and an
-- entry in each of its indexes. Here a change writes a row of some 100 bytes and the indexes of this table only,
-- so a sweep or a burst of callbacks touches a few thousand pages instead of one per invocation, and after a
-- checkpoint logs each of them once. The invocation's row is written once, then only its synchronous answer.
CREATE TABLE extsvc_invocation_state (
  id          uuid   NOT NULL PRIMARY KEY REFERENCES extsvc_invocations (id) ON DELETE CASCADE,
  status      text   NOT NULL CHECK (status IN ('PENDING', 'COMPLETED', 'TIMED_OUT', 'CANCELLED')),
  reason      text,
  deadline    bigint NOT NULL,
  finished_at bigint,
  claim_id    uuid,
  claim_until bigint,
  claim_fence bigint NOT NULL DEFAULT 0,
  claim_node  text
);
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

-- Dropping the columns drops their indexes.
ALTER TABLE extsvc_invocations
  DROP COLUMN status,
  DROP COLUMN reason,
  DROP COLUMN deadline,
  DROP COLUMN finished_at,
  DROP COLUMN claim_id,
  DROP COLUMN claim_until,
  DROP COLUMN claim_fence,
  DROP COLUMN claim_node;
