-- A counter that moves whenever a service row is inserted, replaced or deleted (issue 16): a runtime
-- compares it with the one it loaded to tell in one read whether its services are stale. SQLite has no
-- notifications; one node is the rule there, and the check covers several processes on one file.
CREATE TABLE extsvc_services_version (
  id      INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
  version INTEGER NOT NULL
) STRICT;
INSERT INTO extsvc_services_version (id, version) VALUES (1, 0);

CREATE TRIGGER extsvc_services_inserted AFTER INSERT ON extsvc_services
BEGIN
  UPDATE extsvc_services_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER extsvc_services_updated AFTER UPDATE ON extsvc_services
BEGIN
  UPDATE extsvc_services_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER extsvc_services_deleted AFTER DELETE ON extsvc_services
BEGIN
  UPDATE extsvc_services_version SET version = version + 1 WHERE id = 1;
END;
