-- Last activity as a column of the state row (issue 17). V9 gave it a table of its own so that no event rewrote the
-- wide invocation row; since V21 the row that changes is the narrow state row, which the same transactions rewrite
-- anyway (a claim, a completion, a timeout). Moving the time there leaves a timeout, a completion and each event
-- one b-tree fewer to write (the activity table, beside its key index, which was read on every change): a sweep's
-- UPDATE moves status and activity in one statement.
ALTER TABLE extsvc_invocation_state ADD COLUMN at INTEGER NOT NULL DEFAULT 0;
UPDATE extsvc_invocation_state
  SET at = coalesce((SELECT a.at FROM extsvc_activity a WHERE a.invocation_id = extsvc_invocation_state.id), 0);

DROP TRIGGER extsvc_activity_created;
DROP TRIGGER extsvc_activity_event;
DROP TABLE extsvc_activity;

CREATE INDEX extsvc_invocation_state_at ON extsvc_invocation_state (at, id);

-- The store writes the state row with the submit time as its first activity; each event moves it forward.
CREATE TRIGGER extsvc_activity_event AFTER INSERT ON extsvc_events
BEGIN
  UPDATE extsvc_invocation_state SET at = NEW.at WHERE id = NEW.invocation_id AND at < NEW.at;
END;

-- The name the console's list joins on both stores (PostgreSQL keeps the table): a view SQLite flattens into the
-- query, so that the last-activity order walks extsvc_invocation_state_at.
CREATE VIEW extsvc_activity AS SELECT id AS invocation_id, at FROM extsvc_invocation_state;
