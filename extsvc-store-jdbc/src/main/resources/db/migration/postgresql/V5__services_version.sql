-- Several nodes share the registered services (issue 16). A counter that moves whenever a service row is
-- inserted, replaced or deleted, by any node or by hand, tells a node in one read whether its copy is
-- stale; the same trigger notifies the nodes listening on channel extsvc_services, so they reload within
-- milliseconds instead of at their next check. Notifications are sent on commit, and several in one
-- transaction with the same payload arrive as one.
CREATE TABLE extsvc_services_version (
  id      smallint NOT NULL PRIMARY KEY CHECK (id = 1),
  version bigint   NOT NULL
);
INSERT INTO extsvc_services_version (id, version) VALUES (1, 0);

CREATE FUNCTION extsvc_services_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE extsvc_services_version SET version = version + 1 WHERE id = 1;
  PERFORM pg_notify('extsvc_services', '');
  RETURN NULL;
END
$$;

CREATE TRIGGER extsvc_services_changed
  AFTER INSERT OR UPDATE OR DELETE ON extsvc_services
  FOR EACH ROW EXECUTE FUNCTION extsvc_services_changed();
