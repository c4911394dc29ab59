-- The console's list sorted and paged in the store (issue 21): by submit time (the id), last activity, service,
-- operation, status or deadline, each then by id in the same direction, paged by keyset. Every order walks an index
-- on (column, id), in either direction, and stops after one page instead of sorting the table.
--
-- Last activity is the time of an invocation's newest event. It lives in a table of its own, kept by triggers
-- (a row when the invocation is created, moved forward by each event), so that no event rewrites the invocation's
-- row and its indexes.
CREATE TABLE extsvc_activity (
  invocation_id TEXT    NOT NULL PRIMARY KEY REFERENCES extsvc_invocations (id) ON DELETE CASCADE,
  at            INTEGER NOT NULL
) STRICT;
INSERT INTO extsvc_activity (invocation_id, at)
  SELECT i.id, MAX(i.submit_time, COALESCE((SELECT MAX(e.at) FROM extsvc_events e WHERE e.invocation_id = i.id), 0))
  FROM extsvc_invocations i;
CREATE INDEX extsvc_activity_at ON extsvc_activity (at, invocation_id);

CREATE TRIGGER extsvc_activity_created AFTER INSERT ON extsvc_invocations
BEGIN
  INSERT INTO extsvc_activity (invocation_id, at) VALUES (NEW.id, NEW.submit_time);
END;

CREATE TRIGGER extsvc_activity_event AFTER INSERT ON extsvc_events
BEGIN
  UPDATE extsvc_activity SET at = NEW.at WHERE invocation_id = NEW.invocation_id AND at < NEW.at;
END;

-- (column, id) ascending serves both directions of a sort, and a filter on the column newest first, as the
-- (column, id DESC) indexes they replace did.
DROP INDEX extsvc_invocations_status;
CREATE INDEX extsvc_invocations_status ON extsvc_invocations (status, id);
DROP INDEX extsvc_invocations_service;
CREATE INDEX extsvc_invocations_service ON extsvc_invocations (service, id);
DROP INDEX extsvc_invocations_operation;
CREATE INDEX extsvc_invocations_operation ON extsvc_invocations (operation, id);
CREATE INDEX extsvc_invocations_deadline ON extsvc_invocations (deadline, id);
