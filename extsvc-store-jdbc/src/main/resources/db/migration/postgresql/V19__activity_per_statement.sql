-- Last activity moves once per INSERT into extsvc_events, not once per event row (issue 17, the sweeper): a
-- sweep's batch writes a thousand TIMED_OUT events in a few multi-row INSERTs, and a row trigger ran a PL/pgSQL
-- call and an UPDATE for each. The statement trigger reads the statement's new rows (a transition table) and
-- moves each invocation's activity to its newest event in one UPDATE. Same figure as before: the time of the
-- newest event, never moved back.
DROP TRIGGER extsvc_activity_event ON extsvc_events;
DROP FUNCTION extsvc_activity_event();

CREATE FUNCTION extsvc_activity_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE extsvc_activity a SET at = n.at
    FROM (SELECT invocation_id, MAX(at) AS at FROM extsvc_new_events GROUP BY invocation_id) n
    WHERE a.invocation_id = n.invocation_id AND a.at < n.at;
  RETURN NULL;
END
$$;
CREATE TRIGGER extsvc_activity_events AFTER INSERT ON extsvc_events
  REFERENCING NEW TABLE AS extsvc_new_events
  FOR EACH STATEMENT EXECUTE FUNCTION extsvc_activity_events();
